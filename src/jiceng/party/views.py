"""Party pages: the console (branches, members, meetings with their QR, registrations, dues
warnings) and the member's phone check-in page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.core.errors import Forbidden, UserError
from jiceng.party import selectors, services
from jiceng.party.permissions import can_manage, member_of


@page("party")
def party_home(request):
    states = selectors.frequency_status(user=request.user)
    warnings = [s for s in states if s.state == "warning"]
    arrears = [a for a in selectors.dues_arrears(user=request.user) if a.warning]
    pending = selectors.registration_list(user=request.user, status="pending").count()
    return render(
        request,
        "party/home.html",
        {
            "warnings": warnings,
            "states": states,
            "arrears": arrears[:50],
            "arrears_count": len(arrears),
            "pending": pending,
        },
    )


@page("party")
def members(request):
    query = request.GET.get("q", "").strip()
    rows = selectors.member_list(user=request.user, query=query)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "party/members.html", {"page_obj": page_obj, "query": query})


@page("party")
def member_detail(request, pk: int):
    member = selectors.member_detail(user=request.user, pk=pk)
    return render(
        request,
        "party/member.html",
        {
            "member": member,
            "payments": selectors.dues_history(member=member)[:24],
            "can_manage": can_manage(request.user, member),
        },
    )


@page("party")
def meetings(request):
    rows = selectors.meeting_list(user=request.user)
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "party/meetings.html", {"page_obj": page_obj})


@page("party")
def meeting_detail(request, pk: int):
    meeting = selectors.meeting_detail(user=request.user, pk=pk)
    return render(
        request,
        "party/meeting.html",
        {"meeting": meeting, "can_manage": can_manage(request.user, meeting)},
    )


@page("party")
def meeting_qr(request, pk: int):
    """The QR shown at the meeting: a fresh signed code each minute (the page reloads itself)."""
    import segno

    meeting = selectors.meeting_detail(user=request.user, pk=pk)
    if not can_manage(request.user, meeting):
        raise Forbidden("只有会议组织者可以展示签到码。")
    url = request.build_absolute_uri(
        reverse("party:checkin") + "?c=" + services.checkin_code(meeting)
    )
    svg = segno.make(url, error="m").svg_inline(scale=6)
    return render(
        request,
        "party/meeting_qr.html",
        {"meeting": meeting, "svg": svg, "url": url, "refresh": services.CHECKIN_REFRESH},
    )


@page("party")
def registrations(request):
    rows = selectors.registration_list(user=request.user, status=request.GET.get("status") or None)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "party/registrations.html", {"page_obj": page_obj})


@page("party")
@require_POST
def registration_decide(request, pk: int):
    reg = selectors.registration_list(user=request.user).filter(pk=pk).first()
    if reg is None:
        from jiceng.core.errors import NotFound

        raise NotFound("报到记录不存在，或不在您的管辖范围内。")
    approve = request.POST.get("approve") == "1"
    try:
        services.registration_decide(
            by=request.user, registration=reg, approve=approve, note=request.POST.get("note", "")
        )
    except UserError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "已通过。" if approve else "已退回。")
    return redirect("party:registrations")


@page()
def checkin(request):
    """The member's phone page after scanning: confirm, check in, see the points."""
    code = request.POST.get("c") or request.GET.get("c", "")
    member = member_of(request.user)
    context = {"code": code, "member": member}
    if request.method == "POST":
        try:
            attendance, points = services.meeting_checkin(
                by=request.user, code=code, request=request
            )
        except UserError as exc:
            context["error"] = exc.message
            return render(request, "party/checkin.html", context, status=exc.status)
        context.update({"attendance": attendance, "points": points, "done": True})
        return render(request, "party/checkin.html", context)
    return render(request, "party/checkin.html", context)
