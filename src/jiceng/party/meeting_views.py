"""Party pages of the meetings (三会一课, 主题党日): the list where they are arranged, a meeting's
minutes, attendance and photos, and the QR shown on the meeting's screen."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.core.checkin import qr_svg
from jiceng.core.errors import Forbidden
from jiceng.core.forms import submit
from jiceng.party import forms, selectors
from jiceng.party.meetings import (
    CHECKIN_REFRESH,
    attendance_record,
    checkin_code,
    meeting_add_photos,
    meeting_cancel,
    meeting_create,
    meeting_record,
)
from jiceng.party.permissions import can_manage, manageable_orgs, visible_members
from jiceng.party.views import _run


@page("party")
def meetings(request):
    due = request.GET.get("due") == "week"  # the console home's to-do: this week's meetings
    rows = selectors.meeting_list(user=request.user, due_this_week=due)
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    orgs = list(manageable_orgs(request.user))
    form = forms.MeetingForm(request.POST or None, orgs=orgs) if orgs else None
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("您无权安排会议。"))
        if form.is_valid():
            data = form.cleaned_data
            org = next(o for o in orgs if o.pk == data["org"])
            created = []
            if _run(
                request,
                lambda: created.append(
                    meeting_create(
                        by=request.user,
                        org=org,
                        kind=data["kind"],
                        title=data["title"],
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        place=data["place"],
                        agenda=data["agenda"],
                    )
                ),
                _("会议已安排。"),
            ):
                return redirect("party:meeting", pk=created[0].pk)
    return render(request, "party/meetings.html", {"page_obj": page_obj, "form": form, "due": due})


@page("party")
def meeting_detail(request, pk: int):
    meeting = selectors.meeting_detail(user=request.user, pk=pk)
    manage = can_manage(request.user, meeting)
    minutes_form = forms.MinutesForm(initial={"minutes": meeting.minutes})
    cancel_form, attendance_form = forms.ReasonForm(), forms.AttendanceForm()
    if request.method == "POST":
        if not manage:
            raise Forbidden(_("只有会议组织者可以登记会议情况。"))
        action = request.POST.get("action")
        done = None
        if action == "minutes":
            minutes_form = forms.MinutesForm(request.POST)
            if submit(
                minutes_form,
                lambda data: meeting_record(
                    by=request.user, meeting=meeting, minutes=data["minutes"]
                ),
            ):
                done = _("会议记录已保存，会议记为已召开。")
        elif action == "cancel":
            cancel_form = forms.ReasonForm(request.POST)
            if submit(
                cancel_form,
                lambda data: meeting_cancel(
                    by=request.user, meeting=meeting, reason=data["reason"]
                ),
            ):
                done = _("会议已取消。")
        elif action == "attendance":
            # The member is resolved through the members the viewer sees: elsewhere is 404.
            attendance_form = forms.AttendanceForm(
                request.POST, members=visible_members(request.user)
            )
            attendance = submit(
                attendance_form,
                lambda data: attendance_record(
                    by=request.user,
                    meeting=meeting,
                    member=data["member"],
                    present=data["present"],
                    reason=data["reason"],
                ),
            )
            if attendance:
                present = attendance_form.cleaned_data["present"]
                done = (_("已登记{name}出席。") if present else _("已登记{name}请假。")).format(
                    name=attendance.member.name
                )
        elif action == "photos":
            files = request.FILES.getlist("photos")
            _run(
                request,
                lambda: meeting_add_photos(by=request.user, meeting=meeting, files=files),
                _("照片已保存。"),
            )
            return redirect("party:meeting", pk=meeting.pk)
        else:
            return redirect("party:meeting", pk=meeting.pk)
        if done:
            messages.success(request, done)
            return redirect("party:meeting", pk=meeting.pk)
    return render(
        request,
        "party/meeting.html",
        {
            "meeting": meeting,
            "can_manage": manage,
            "roll": selectors.meeting_roll(meeting=meeting),
            "minutes_form": minutes_form,
            "cancel_form": cancel_form,
            "attendance_form": attendance_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@page("party")
def meeting_qr(request, pk: int):
    """The QR shown at the meeting: a fresh signed code each minute (the page reloads itself)."""
    meeting = selectors.meeting_detail(user=request.user, pk=pk)
    if not can_manage(request.user, meeting):
        raise Forbidden(_("只有会议组织者可以展示签到码。"))
    url = request.build_absolute_uri(reverse("party:checkin") + "?c=" + checkin_code(meeting))
    svg = qr_svg(url)
    return render(
        request,
        "party/meeting_qr.html",
        {"meeting": meeting, "svg": svg, "url": url, "refresh": CHECKIN_REFRESH},
    )
