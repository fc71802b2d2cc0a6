"""The community staff's deliberation pages under /console/deliberation/: meetings (list, new,
detail with attendance by category, quorum, minutes, photos, the QR), issues with filters and
their steps, matters with the five steps; and a community's public page of its matters."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.accounts.models import User
from jiceng.cases.permissions import visible_cases
from jiceng.community.selectors import need_list
from jiceng.core.checkin import qr_svg
from jiceng.core.errors import Forbidden, NotFound
from jiceng.core.forms import submit
from jiceng.core.scope import visible_or_404
from jiceng.deliberation import decisions, forms, issues, meetings, selectors, workflow
from jiceng.deliberation.models import Category, Issue, Matter, Meeting
from jiceng.deliberation.permissions import can_manage, staff_meetings
from jiceng.geo.models import Division
from jiceng.venues.permissions import visible_venues

PAGE = "deliberation"


def _done(request, message: str, to: str, **kwargs):
    messages.success(request, message)
    return redirect(to, **kwargs)


def _meeting_form(request, data=None):
    communities = selectors.managed_communities(user=request.user)
    if not communities.exists():
        return None
    return forms.MeetingForm(
        data,
        communities=communities,
        kinds=selectors.kinds(),
        venues=visible_venues(request.user).filter(is_active=True, owner_partner__isnull=True),
    )


@page(PAGE)
def meeting_list(request):
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    minutes = request.GET.get("minutes", "")
    rows = selectors.meeting_list(user=request.user, kind=kind, status=status, minutes=minutes)
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    form = _meeting_form(request, request.POST or None)
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("您无权安排议事会议。"))
        meeting = submit(
            form,
            lambda d: meetings.meeting_create(
                by=request.user,
                community=d["community"],
                kind=d["kind"],
                title=d["title"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                place=d["place"],
                agenda=d["agenda"] or None,
                venue=d["venue"],
                request=request,
            ),
        )
        if meeting:
            return _done(request, _("会议已安排。"), "deliberation:meeting", pk=meeting.pk)
    return render(
        request,
        "deliberation/meetings.html",
        {
            "page_obj": page_obj,
            "form": form,
            "kinds": selectors.kinds(),
            "statuses": Meeting.Status.choices,
            "filters": {"kind": kind, "status": status, "minutes": minutes},
        },
        status=400 if request.method == "POST" else 200,
    )


@page(PAGE)
def meeting_detail(request, pk: int):
    meeting = visible_or_404(
        staff_meetings(request.user).select_related("kind", "community", "booking__venue"), pk=pk
    )
    manage = can_manage(request.user, meeting)
    participants = meeting.participants.select_related("user")
    participant_form = forms.ParticipantForm()
    minutes_form = forms.MinutesForm(
        initial={"minutes": meeting.minutes, "resolutions": meeting.resolutions}
    )
    cancel_form = forms.ReasonForm()
    attendance_form = forms.AttendanceForm(participants=participants)
    if request.method == "POST":
        if not manage:
            raise Forbidden(_("只有本社区的工作人员可以管理议事会议。"))
        action = request.POST.get("action")
        if action == "participant":
            participant_form = forms.ParticipantForm(request.POST)
            if participant_form.is_valid() and participant_form.cleaned_data["username"]:
                # an account of someone who lives or works in the community, not anyone's
                account = (
                    User.objects.filter(
                        username=participant_form.cleaned_data["username"],
                        is_active=True,
                        role_assignments__ended_at__isnull=True,
                        role_assignments__scope_code__startswith=meeting.scope_code,
                    )
                    .distinct()
                    .first()
                )
                if account is None:
                    participant_form.add_error("username", _("本社区没有这个账号。"))
            else:
                account = None
            if submit(
                participant_form,
                lambda d: meetings.participant_add(
                    by=request.user,
                    meeting=meeting,
                    category=d["category"],
                    name=d["name"],
                    user=account,
                    request=request,
                ),
            ):
                return _done(request, _("已加入参会名单。"), "deliberation:meeting", pk=pk)
        elif action == "attendance":
            attendance_form = forms.AttendanceForm(request.POST, participants=participants)
            if submit(
                attendance_form,
                lambda d: meetings.attendance_mark(
                    by=request.user,
                    meeting=meeting,
                    participant=d["participant"],
                    present=d["present"],
                    request=request,
                ),
            ):
                return _done(request, _("出席情况已登记。"), "deliberation:meeting", pk=pk)
        elif action == "minutes":
            minutes_form = forms.MinutesForm(request.POST)
            if submit(
                minutes_form,
                lambda d: meetings.minutes_publish(
                    by=request.user,
                    meeting=meeting,
                    minutes=d["minutes"],
                    resolutions=d["resolutions"],
                    request=request,
                ),
            ):
                return _done(
                    request,
                    _("会议纪要已发布，出席人员可在手机上阅读并确认。"),
                    "deliberation:meeting",
                    pk=pk,
                )
        elif action == "cancel":
            cancel_form = forms.ReasonForm(request.POST)
            if submit(
                cancel_form,
                lambda d: meetings.meeting_cancel(
                    by=request.user, meeting=meeting, reason=d["reason"], request=request
                ),
            ):
                return _done(request, _("会议已取消。"), "deliberation:meeting", pk=pk)
        elif action == "photos":
            photo_form = forms.PhotosForm(request.POST, request.FILES)
            if submit(
                photo_form,
                lambda d: meetings.meeting_add_photos(
                    by=request.user,
                    meeting=meeting,
                    files=request.FILES.getlist("photos"),
                    request=request,
                ),
            ):
                return _done(request, _("照片已保存。"), "deliberation:meeting", pk=pk)
            for error in photo_form.errors.get("photos", []) + photo_form.non_field_errors():
                messages.error(request, error)
            return redirect("deliberation:meeting", pk=pk)
        else:
            return redirect("deliberation:meeting", pk=pk)
    rows = list(participants)
    return render(
        request,
        "deliberation/meeting.html",
        {
            "meeting": meeting,
            "can_manage": manage,
            "participants": rows,
            "summary": meetings.attendance_summary(meeting, rows),
            "agenda": meeting.agenda_items.all(),
            "raised": meeting.issues_raised.all(),
            "on_agenda": meeting.issues.all(),
            "photos": meeting.photos.all(),
            "participant_form": participant_form,
            "minutes_form": minutes_form,
            "cancel_form": cancel_form,
            "attendance_form": attendance_form,
            "categories": Category.choices,
        },
        status=400 if request.method == "POST" else 200,
    )


@page(PAGE)
def meeting_qr(request, pk: int):
    """The QR shown at the meeting: a fresh code each minute (core.checkin, as party's)."""
    meeting = visible_or_404(staff_meetings(request.user).select_related("kind"), pk=pk)
    if not can_manage(request.user, meeting):
        raise Forbidden(_("只有本社区的工作人员可以展示签到码。"))
    url = request.build_absolute_uri(
        reverse("deliberation_m:checkin") + "?c=" + meetings.checkin_code(meeting)
    )
    return render(
        request,
        "deliberation/meeting_qr.html",
        {"meeting": meeting, "svg": qr_svg(url), "refresh": meetings.CHECKIN.refresh},
    )


def _issue_form(request, data=None):
    communities = selectors.managed_communities(user=request.user)
    if not communities.exists():
        return None
    return forms.StaffIssueForm(
        data,
        communities=communities,
        meetings=staff_meetings(request.user).order_by("-starts_at"),
        needs=need_list(user=request.user).order_by("-created_at"),
    )


@page(PAGE)
def issue_list(request):
    status = request.GET.get("status", "")
    source = request.GET.get("source", "")
    community = request.GET.get("community", "")
    rows = selectors.issue_list(
        user=request.user, status=status, source=source, community=community
    )
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    form = _issue_form(request, request.POST or None)
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("您无权登记议题。"))

        def raise_issue(d):
            case = None
            if d["case"]:
                case = visible_or_404(visible_cases(request.user), number=d["case"].strip())
            return issues.issue_raise(
                by=request.user,
                community=d["community"],
                title=d["title"],
                description=d["description"],
                source=d["source"],
                meeting=d["meeting"],
                case=case,
                need=d["need"],
                request=request,
            )

        issue = submit(form, raise_issue)
        if issue:
            return _done(request, _("议题已登记。"), "deliberation:issue", pk=issue.pk)
    return render(
        request,
        "deliberation/issues.html",
        {
            "page_obj": page_obj,
            "form": form,
            "statuses": Issue.Status.choices,
            "sources": Issue.Source.choices,
            "communities": selectors.managed_communities(user=request.user),
            "filters": {"status": status, "source": source, "community": community},
        },
        status=400 if request.method == "POST" else 200,
    )


@page(PAGE)
def issue_detail(request, pk: int):
    issue = selectors.issue_for(user=request.user, pk=pk)
    if not can_manage(request.user, issue) and not request.user.has_role("grid_chief"):
        raise NotFound(_("没有找到，或不在您可以查看的范围内。"))
    open_meetings = (
        staff_meetings(request.user)
        .filter(scope_code=issue.scope_code)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")
    )
    schedule_form = forms.ScheduleForm(meetings=open_meetings)
    action_form = forms.IssueActionForm()
    if request.method == "POST":
        if request.POST.get("action") == "schedule":
            schedule_form = forms.ScheduleForm(request.POST, meetings=open_meetings)
            if submit(
                schedule_form,
                lambda d: issues.issue_schedule(
                    by=request.user,
                    issue=issue,
                    meeting=d["meeting"],
                    version=d["version"],
                    request=request,
                ),
            ):
                return _done(request, _("议题已列入议程。"), "deliberation:issue", pk=pk)
        else:
            action_form = forms.IssueActionForm(request.POST)

            def act(d):
                if d["action"] == "carry_out" and d["case"].strip():
                    case = visible_or_404(visible_cases(request.user), number=d["case"].strip())
                    return issues.issue_carry_out(
                        by=request.user,
                        issue=issue,
                        outcome=d["note"],
                        case=case,
                        version=d["version"],
                        request=request,
                    )
                return issues.issue_act(
                    by=request.user,
                    issue=issue,
                    action=d["action"],
                    note=d["note"],
                    version=d["version"],
                    request=request,
                )

            if submit(action_form, act):
                return _done(request, _("议题已更新。"), "deliberation:issue", pk=pk)
    return render(
        request,
        "deliberation/issue.html",
        {
            "issue": issue,
            "events": issue.events.select_related("actor"),
            "allowed": issues.MACHINE.allowed(issue, request.user),
            "labels": {k: t.label for k, t in workflow.ISSUE_TRANSITIONS.items()},
            "stages": dict(Issue.Status.choices),
            "schedule_form": schedule_form,
            "action_form": action_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@page(PAGE)
def matter_list(request):
    status = request.GET.get("status", "")
    open_only = request.GET.get("open") == "1"
    rows = selectors.matter_list(user=request.user, status=status, open_only=open_only)
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    communities = selectors.managed_communities(user=request.user)
    form = None
    if communities.exists():
        form = forms.MatterForm(
            request.POST or None,
            communities=communities,
            meetings=staff_meetings(request.user).select_related("kind").order_by("-starts_at"),
        )
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("您无权登记五步法事项。"))
        matter = submit(
            form,
            lambda d: decisions.matter_propose(
                by=request.user,
                community=d["community"],
                title=d["title"],
                description=d["description"],
                held_on=d["held_on"],
                meeting=d["meeting"],
                evidence=d["evidence"],
                request=request,
            ),
        )
        if matter:
            return _done(
                request,
                _("事项已登记（第一步：党组织提议）。"),
                "deliberation:matter",
                pk=matter.pk,
            )
    return render(
        request,
        "deliberation/matters.html",
        {
            "page_obj": page_obj,
            "form": form,
            "statuses": Matter.Status.choices,
            "filters": {"status": status, "open": open_only},
        },
        status=400 if request.method == "POST" else 200,
    )


@page(PAGE)
def matter_detail(request, pk: int):
    matter = selectors.matter_for(user=request.user, pk=pk)
    meeting_rows = (
        staff_meetings(request.user)
        .filter(scope_code=matter.scope_code)
        .select_related("kind")
        .order_by("-starts_at")
    )
    step_form = forms.StepForm(meetings=meeting_rows)
    if request.method == "POST":
        step_form = forms.StepForm(request.POST, meetings=meeting_rows)
        if submit(
            step_form,
            lambda d: decisions.matter_step(
                by=request.user,
                matter=matter,
                action=d["action"],
                held_on=d["held_on"],
                meeting=d["meeting"],
                evidence=d["evidence"],
                note=d["note"],
                votes_for=d["votes_for"],
                votes_against=d["votes_against"],
                votes_abstain=d["votes_abstain"],
                version=d["version"],
                request=request,
            ),
        ):
            return _done(request, _("步骤已登记。"), "deliberation:matter", pk=pk)
    steps = list(matter.steps.select_related("meeting", "actor"))
    allowed = decisions.MACHINE.allowed(matter, request.user)
    return render(
        request,
        "deliberation/matter.html",
        {
            "matter": matter,
            "steps": decisions.steps_of(matter, steps),
            "withdrawn": next((s for s in steps if s.action == "withdraw"), None),
            "next": [a for a in allowed if a != "withdraw"],
            "can_withdraw": "withdraw" in allowed,
            "labels": {k: t.label for k, t in workflow.MATTER_TRANSITIONS.items()},
            "step_form": step_form,
        },
        status=400 if request.method == "POST" else 200,
    )


def public_matters(request, code: str):
    """A community's matters and where each stands in the five steps: no login, no personal
    data (titles, steps, dates)."""
    community = Division.objects.filter(code=code, level="community").first()
    if community is None:
        raise NotFound(_("社区不存在。"))
    return render(
        request,
        "deliberation/public.html",
        {"community": community, "section": selectors.public_context(community=community)},
    )
