"""The resident's phone pages under /m/deliberation/: the coming meetings of my community, a
meeting's page (agenda, minutes to read and approve if I was there), the QR check-in, raising
an issue, and my issues with their state."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.core.errors import NotFound, UserError
from jiceng.core.forms import submit
from jiceng.deliberation import forms, issues, meetings, selectors
from jiceng.deliberation.models import Issue
from jiceng.deliberation.permissions import participant_of


@page()
def home(request):
    upcoming = list(selectors.upcoming_for_resident(user=request.user)[:10])
    recent = list(selectors.recent_for_resident(user=request.user)[:5])
    return render(
        request,
        "deliberation/m_home.html",
        {
            "upcoming": upcoming,
            "recent": recent,
            "communities": list(selectors.resident_communities(user=request.user)),
        },
    )


@page()
def meeting(request, pk: int):
    row = selectors.meeting_for(user=request.user, pk=pk)
    me = participant_of(request.user, row)
    form = forms.ApproveForm()
    if request.method == "POST":
        form = forms.ApproveForm(request.POST)
        if submit(
            form,
            lambda d: meetings.minutes_approve(
                by=request.user, meeting=row, comment=d["comment"], request=request
            ),
        ):
            messages.success(request, _("已确认会议纪要。"))
            return redirect("deliberation_m:meeting", pk=pk)
    approvals = [
        p for p in row.participants.filter(approved_at__isnull=False).order_by("approved_at")
    ]
    return render(
        request,
        "deliberation/m_meeting.html",
        {
            "meeting": row,
            "agenda": row.agenda_items.all(),
            "me": me,
            "approvals": approvals,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@page()
def checkin(request):
    """After scanning the meeting's QR: confirm, and be marked present."""
    code = request.POST.get("c") or request.GET.get("c", "")
    context: dict = {"code": code}
    try:
        context["meeting"] = meetings.meeting_from_code(code) if code else None
    except UserError as exc:
        context["error"] = exc.message
        return render(request, "deliberation/m_checkin.html", context, status=exc.status)
    if request.method == "POST":
        try:
            context["participant"] = meetings.meeting_checkin(
                by=request.user, code=code, request=request
            )
        except UserError as exc:
            context["error"] = exc.message
            return render(request, "deliberation/m_checkin.html", context, status=exc.status)
        context["done"] = True
    return render(request, "deliberation/m_checkin.html", context)


@page()
def raise_issue(request):
    communities = list(selectors.resident_communities(user=request.user))
    if not communities:
        raise NotFound(_("您的账号尚未关联居住的社区，请联系社区。"))
    form = forms.IssueForm(request.POST or None)
    if request.method == "POST":
        issue = submit(
            form,
            lambda d: issues.issue_raise(
                by=request.user,
                community=communities[0],
                title=d["title"],
                description=d["description"],
                source=Issue.Source.PHONE,
                request=request,
            ),
        )
        if issue:
            messages.success(request, _("议题已提交，社区将在议事会上协商。"))
            return redirect("deliberation_m:mine")
    return render(
        request,
        "deliberation/m_raise.html",
        {"form": form, "community": communities[0]},
        status=400 if request.method == "POST" else 200,
    )


@page()
def mine(request):
    return render(
        request,
        "deliberation/m_mine.html",
        {"issues": list(selectors.my_issues(user=request.user)[:50])},
    )
