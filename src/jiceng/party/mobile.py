"""A party member's phone pages: the check-in after scanning a meeting's QR, and their own page
(organization, meetings, dues, registration with the home community)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.core.errors import NotFound, UserError
from jiceng.geo.models import Division
from jiceng.party import forms, selectors, services
from jiceng.party.dues import member_dues
from jiceng.party.meetings import attendance_record, meeting_checked_in, meeting_checkin
from jiceng.party.models import Member
from jiceng.party.permissions import member_of
from jiceng.party.views import _run


@page()
def checkin(request):
    """The member's phone page after scanning: confirm, check in, see the points."""
    code = request.POST.get("c") or request.GET.get("c", "")
    member = member_of(request.user)
    context = {"code": code, "member": member}
    already = meeting_checked_in(by=request.user, code=code) if code else None
    if already is not None:
        # A second scan: say so, with the time, rather than offer to check in again.
        context.update({"attendance": already, "already": True})
        # A repeated confirm is refused (409) with the same panel; nothing is written.
        status = 409 if request.method == "POST" else 200
        return render(request, "party/checkin.html", context, status=status)
    if request.method == "POST":
        try:
            attendance, points = meeting_checkin(by=request.user, code=code, request=request)
        except UserError as exc:
            context["error"] = exc.message
            return render(request, "party/checkin.html", context, status=exc.status)
        context.update({"attendance": attendance, "points": points, "done": True})
        return render(request, "party/checkin.html", context)
    return render(request, "party/checkin.html", context)


@page()
def mine(request):
    """A member's own party page on the phone: organization, meetings (ask for leave), dues,
    points, and registration with the community where they live."""
    member = member_of(request.user)
    if member is None:
        raise NotFound(_("您的账号尚未关联党员信息，请联系所在党组织。"))

    communities = Division.objects.filter(level="community").select_related("parent")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "leave":
            wanted = request.POST.get("meeting", "")
            meeting = next(
                (m for m in selectors.meetings_for_member(member=member) if str(m.pk) == wanted),
                None,
            )
            if meeting is None:
                raise NotFound(_("会议不存在。"))
            _run(
                request,
                lambda: attendance_record(
                    by=request.user,
                    meeting=meeting,
                    member=member,
                    present=False,
                    reason=request.POST.get("reason", ""),
                ),
                _("已请假。"),
            )
        elif action == "register":
            form = forms.RegistrationForm(request.POST, communities=communities)
            if not form.is_valid():
                messages.error(request, _("请选择居住地社区。"))
            else:
                community = communities.get(pk=form.cleaned_data["community"])
                _run(
                    request,
                    lambda: services.registration_submit(
                        by=request.user, community=community, member=member
                    ),
                    _("已向{community}报到，待社区审核。").format(community=community.name),
                )
        return redirect("party:mine")
    arrears = selectors.dues_arrears(user=None, members=Member.objects.filter(pk=member.pk))
    try:
        due = member_dues(member)
    except UserError:
        due = None
    # ?meetings=upcoming: every planned meeting still to come (the member home's to-do)
    upcoming = request.GET.get("meetings") == "upcoming"
    meetings = list(selectors.meetings_for_member(member=member, upcoming=upcoming))
    marked = {
        a.meeting_id: a for a in member.attendances.filter(meeting__in=[m.pk for m in meetings])
    }
    return render(
        request,
        "party/mine.html",
        {
            "member": member,
            "meetings": [(m, marked.get(m.pk)) for m in meetings],
            "upcoming": upcoming,
            "due": due,
            "arrears": arrears[0] if arrears else None,
            "payments": selectors.dues_history(member=member)[:6],
            "registrations": member.registrations.select_related("community"),
            "can_register": member.management_type == Member.ManagementType.IN_SERVICE,
            "registration_form": forms.RegistrationForm(communities=communities),
        },
    )
