"""The deliberation JSON API under /api/deliberation/: meetings (with the QR check-in and the
minutes' approval), issues (raise one, move one), matters and their five steps. Every id goes
through what the caller may see."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from jiceng.core.errors import NotFound
from jiceng.core.inputs import Count, Day, Id, Pagination
from jiceng.core.scope import visible_or_404
from jiceng.deliberation import decisions, issues, meetings, selectors
from jiceng.deliberation.models import Issue
from jiceng.deliberation.permissions import staff_meetings, visible_issues, visible_meetings

router = Router(tags=["deliberation"])


class MeetingOut(Schema):
    id: int
    kind: str
    kind_name: str
    community_code: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    status: str
    minutes_published: bool

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_community_code(obj) -> str:
        return obj.scope_code

    @staticmethod
    def resolve_minutes_published(obj) -> bool:
        return obj.minutes_published_at is not None


class CategoryOut(Schema):
    category: str
    label: str
    invited: int
    present: int


class MeetingDetailOut(MeetingOut):
    agenda: list[str]
    minutes: str
    resolutions: str
    invited: int
    present: int
    quorum_needed: int
    quorum_met: bool | None
    by_category: list[CategoryOut]
    approved_by: list[str]


class CheckinIn(Schema):
    code: str


class CheckinOut(Schema):
    meeting_id: int
    checked_in_at: datetime


class ApproveIn(Schema):
    comment: str = ""


class ApproveOut(Schema):
    meeting_id: int
    approved_at: datetime


class IssueOut(Schema):
    id: int
    community_code: str
    title: str
    description: str
    source: str
    status: str
    meeting_id: int | None
    resolution: str
    outcome: str
    created_at: datetime
    solved_at: datetime | None
    version: int

    @staticmethod
    def resolve_community_code(obj) -> str:
        return obj.scope_code


class IssueIn(Schema):
    title: str
    description: str = ""
    community_code: str | None = None  # staff: the community; a resident: their own


class IssueMoveIn(Schema):
    action: str
    note: str = ""
    meeting_id: Id | None = None
    version: Count | None = None


class StepOut(Schema):
    action: str
    to_status: str
    at: datetime
    held_on: date | None
    meeting_id: int | None
    evidence: str
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    note: str


class MatterOut(Schema):
    id: int
    community_code: str
    title: str
    status: str
    version: int
    steps: list[StepOut]

    @staticmethod
    def resolve_community_code(obj) -> str:
        return obj.scope_code

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())


class StepIn(Schema):
    action: str
    held_on: Day | None = None
    meeting_id: Id | None = None
    evidence: str = ""
    note: str = ""
    votes_for: Count | None = None
    votes_against: Count | None = None
    votes_abstain: Count | None = None
    version: Count | None = None


@router.get("/meetings", response=list[MeetingOut])
@paginate(Pagination)
def meeting_list(request, status: str = ""):
    rows = visible_meetings(request.user).select_related("kind")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-starts_at", "-id")


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def meeting_detail(request, meeting_id: Id):
    meeting = selectors.meeting_for(user=request.user, pk=meeting_id)
    people = list(meeting.participants.all())
    summary = meetings.attendance_summary(meeting, people)
    meeting.agenda = [a.title for a in meeting.agenda_items.all()]
    meeting.invited, meeting.present = summary["invited"], summary["present"]
    meeting.quorum_needed, meeting.quorum_met = summary["needed"], summary["met"]
    meeting.by_category = summary["by_category"]
    meeting.approved_by = [p.name for p in people if p.approved_at]
    return meeting


@router.post("/checkin", response=CheckinOut)
def checkin(request, data: CheckinIn):
    participant = meetings.meeting_checkin(by=request.user, code=data.code, request=request)
    return {"meeting_id": participant.meeting_id, "checked_in_at": participant.checked_in_at}


@router.post("/meetings/{meeting_id}/approve", response=ApproveOut)
def approve(request, meeting_id: Id, data: ApproveIn):
    meeting = selectors.meeting_for(user=request.user, pk=meeting_id)
    participant = meetings.minutes_approve(
        by=request.user, meeting=meeting, comment=data.comment, request=request
    )
    return {"meeting_id": meeting.pk, "approved_at": participant.approved_at}


@router.get("/issues", response=list[IssueOut])
@paginate(Pagination)
def issue_list(request, status: str = ""):
    """The staff's issues of their scope; a resident's own."""
    rows = visible_issues(request.user).select_related("community")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


@router.post("/issues", response={201: IssueOut})
def issue_raise(request, data: IssueIn):
    if data.community_code:
        communities = selectors.managed_communities(user=request.user) | (
            selectors.resident_communities(user=request.user)
        )
        community = visible_or_404(communities, code=data.community_code)
    else:
        community = selectors.resident_communities(user=request.user).first()
        if community is None:
            raise NotFound(_("您的账号尚未关联居住的社区，请联系社区。"))
    staff = selectors.managed_communities(user=request.user).filter(pk=community.pk).exists()
    issue = issues.issue_raise(
        by=request.user,
        community=community,
        title=data.title,
        description=data.description,
        source=Issue.Source.STAFF if staff else Issue.Source.PHONE,
        request=request,
    )
    return Status(201, issue)


@router.post("/issues/{issue_id}/move", response=IssueOut)
def issue_move(request, issue_id: Id, data: IssueMoveIn):
    issue = selectors.issue_for(user=request.user, pk=issue_id)
    if data.action == "schedule":
        meeting = visible_or_404(staff_meetings(request.user), pk=data.meeting_id)
        return issues.issue_schedule(
            by=request.user, issue=issue, meeting=meeting, version=data.version, request=request
        )
    return issues.issue_act(
        by=request.user,
        issue=issue,
        action=data.action,
        note=data.note,
        version=data.version,
        request=request,
    )


@router.get("/matters", response=list[MatterOut])
@paginate(Pagination)
def matter_list(request, status: str = ""):
    return selectors.matter_list(user=request.user, status=status).prefetch_related("steps")


@router.get("/matters/{matter_id}", response=MatterOut)
def matter_detail(request, matter_id: Id):
    return selectors.matter_for(user=request.user, pk=matter_id)


@router.post("/matters/{matter_id}/steps", response=MatterOut)
def matter_step(request, matter_id: Id, data: StepIn):
    matter = selectors.matter_for(user=request.user, pk=matter_id)
    meeting = None
    if data.meeting_id is not None:
        meeting = visible_or_404(
            staff_meetings(request.user).select_related("kind"), pk=data.meeting_id
        )
    return decisions.matter_step(
        by=request.user,
        matter=matter,
        action=data.action,
        held_on=data.held_on,
        meeting=meeting,
        evidence=data.evidence,
        note=data.note,
        votes_for=data.votes_for,
        votes_against=data.votes_against,
        votes_abstain=data.votes_abstain,
        version=data.version,
        request=request,
    )
