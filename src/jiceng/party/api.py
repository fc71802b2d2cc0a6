"""The party JSON API: members and meetings (scoped), QR check-in, learning records, dues."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from jiceng.core.errors import NotFound
from jiceng.core.inputs import INT_MAX, Count, Day, Id, Moment, Pagination
from jiceng.party import selectors, services
from jiceng.party.meetings import meeting_checkin
from jiceng.party.permissions import member_of, visible_members

router = Router(tags=["party"])


class MemberOut(Schema):
    id: int
    name: str
    org_id: int
    org_name: str
    management_type: str
    standing: str
    joined_at: date
    scope_code: str

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class MeetingOut(Schema):
    id: int
    org_id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    present: int


class CheckinIn(Schema):
    code: str


class CheckinOut(Schema):
    meeting_id: int
    checked_in_at: datetime
    points: int


class LearningIn(Schema):
    member_id: Id | None = None  # omitted: the caller's own record
    course: str
    minutes: Count
    finished_at: Moment
    external_id: str
    source: str = "api"


class LearningOut(Schema):
    id: int
    created: bool


class DuesIn(Schema):
    member_id: Id
    month: Day
    amount: Decimal | None = None


class DuesOut(Schema):
    id: int
    month: date
    due: Decimal
    amount: Decimal


# An organization's id, bounded in the default rather than with ``Id``: paginate's wrapper
# resolves the (postponed) annotations in its own module, where only builtins are known.
_ORG = Query(None, ge=1, le=INT_MAX)


@router.get("/members", response=list[MemberOut])
@paginate(Pagination)
def members(request, org: int | None = _ORG, q: str = ""):
    return selectors.member_list(user=request.user, org_id=org, query=q)


@router.get("/meetings", response=list[MeetingOut])
@paginate(Pagination)
def meetings(request, org: int | None = _ORG):
    return selectors.meeting_list(user=request.user, org_id=org)


@router.post("/checkin", response=CheckinOut)
def checkin(request, data: CheckinIn):
    attendance, points = meeting_checkin(by=request.user, code=data.code, request=request)
    return {
        "meeting_id": attendance.meeting_id,
        "checked_in_at": attendance.checked_in_at,
        "points": points,
    }


def _member(request, member_id: int | None):
    if member_id is None:
        member = member_of(request.user)
    else:
        member = visible_members(request.user).filter(pk=member_id).select_related("org").first()
    if member is None:
        raise NotFound(_("党员不存在，或不在您的管辖范围内。"))
    return member


@router.post("/learning", response=LearningOut)
def learning(request, data: LearningIn):
    record, created = services.learning_record(
        by=request.user,
        member=_member(request, data.member_id),
        course=data.course,
        minutes=data.minutes,
        finished_at=data.finished_at,
        external_id=data.external_id,
        source=data.source,
    )
    return {"id": record.pk, "created": created}


@router.post("/dues", response=DuesOut)
def dues(request, data: DuesIn):
    return services.dues_pay(
        by=request.user,
        member=_member(request, data.member_id),
        month=data.month,
        amount=data.amount,
    )
