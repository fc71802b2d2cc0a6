"""The phone pages of community services (/m/services/): the month's activities, sign-up,
check-in, ratings, needs, the wish wall, and a member's orders. Thin: services and selectors do
the work; refused input comes back with the message and what was typed."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.community import forms, ical, orders, selectors, services, wishes
from jiceng.community.models import Activity, Signup
from jiceng.community.permissions import (
    can_claim_wish,
    home_communities,
    member_of,
    order_actions,
)
from jiceng.community.workflow import OrderStatus
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.forms import submit


def _home_community(request) -> str:
    homes = home_communities(request.user)
    if not homes:
        raise NotFound(_("尚未登记所在社区。"))
    return homes[0]


def _fail(request, exc: UserError) -> None:
    """Not yours to do (403) or not there (404) is an error page; anything else a message."""
    if isinstance(exc, (Forbidden, NotFound)):
        raise exc
    messages.error(request, exc.message)


@page()
def hub(request):
    """What services offer me: this month, my sign-ups and hours, needs, wishes, orders."""
    user = request.user
    homes = home_communities(user)
    member = member_of(user)
    # ?show=upcoming: every sign-up of an activity still to come (the home's to-do links here)
    upcoming = request.GET.get("show") == "upcoming"
    signups = selectors.my_signups(user=user, upcoming=upcoming)
    if not upcoming:
        signups = signups.filter(activity__ends_at__gte=timezone.now() - timedelta(days=7))[:10]
    context = {
        "community": homes[0] if homes else None,
        "upcoming": upcoming,
        "signups": signups,
        "hours": selectors.my_hours(user=user),
        "member": member,
        "can_claim": can_claim_wish(user),
        "open_orders": selectors.order_list(user=user)
        .filter(status__in=["dispatched", "accepted", "done"])
        .count(),
    }
    return render(request, "community/m/hub.html", context)


@page()
def month_calendar(request, code: str | None = None):
    """A community's activities of a month, day by day (the resident's own by default)."""
    code = code or _home_community(request)
    community = selectors.community_or_404(code)
    month = selectors.parse_month(request.GET.get("month"))
    context = selectors.month_calendar(user=request.user, community=code, month=month)
    context.update(
        {
            "community": community,
            "projects": selectors.published_projects(community=code, month=month),
            "feed": ical.feed_path(code),
        }
    )
    return render(request, "community/m/calendar.html", context)


def _activity(pk: int) -> Activity:
    activity = Activity.objects.select_related("community", "project", "team").filter(pk=pk).first()
    if activity is None:
        raise NotFound(_("活动不存在。"))
    return activity


@page()
def activity_detail(request, pk: int):
    return _activity_page(request, _activity(pk), forms.RatingForm())


def _activity_page(request, activity, rating_form, *, status: int = 200):
    mine = (
        Signup.objects.filter(activity=activity, user=request.user)
        .exclude(status=Signup.Status.CANCELLED)
        .first()
    )
    now = timezone.now()
    context = {
        "activity": activity,
        "mine": mine,
        "position": services.waiting_position(mine) if mine else None,
        "open": activity.status == "published"
        and activity.signup_opens_at <= now <= activity.signup_closes_at,
        "can_cancel": mine is not None and now < activity.starts_at,
        "can_rate": mine is not None
        and mine.checked_in_at is not None
        and mine.rated_at is None
        and (mine.checked_out_at is not None or now >= activity.ends_at),
        "rating": selectors.activity_rating(activity),
        "rating_form": rating_form,
    }
    return render(request, "community/m/activity.html", context, status=status)


@page()
@require_POST
def activity_signup(request, pk: int):
    activity = _activity(pk)
    try:
        row = services.signup(by=request.user, activity=activity, request=request)
    except UserError as exc:
        _fail(request, exc)
    else:
        if row.status == Signup.Status.CONFIRMED:
            messages.success(request, _("报名成功。"))
        else:
            messages.warning(
                request,
                _("名额已满，您在候补名单第 {position} 位。").format(
                    position=row.position_at_signup
                ),
            )
    return redirect("m_services:activity", pk=pk)


@page()
@require_POST
def activity_cancel_signup(request, pk: int):
    try:
        services.signup_cancel(by=request.user, activity=_activity(pk), request=request)
    except UserError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已取消报名。"))
    return redirect("m_services:activity", pk=pk)


@page()
@require_POST
def activity_rate(request, pk: int):
    activity = _activity(pk)
    form = forms.RatingForm(request.POST)
    if submit(
        form, lambda data: services.activity_rate(by=request.user, activity=activity, **data)
    ):
        messages.success(request, _("感谢您的评价。"))
        return redirect("m_services:activity", pk=pk)
    return _activity_page(request, activity, form, status=400)


@page()
def checkin(request):
    """After scanning the activity's QR: confirm, then checked in (or out)."""
    code = request.POST.get("c") or request.GET.get("c", "")
    context = {"code": code}
    already = services.checked_already(by=request.user, code=code) if code else None
    if already is not None:
        # A second scan: say so, with the time, rather than offer to check in again.
        context.update({"row": already[0], "kind": already[1], "already": True})
        # A repeated confirm is refused (409) with the same panel; nothing is written.
        status = 409 if request.method == "POST" else 200
        return render(request, "community/m/checkin.html", context, status=status)
    if request.method == "POST":
        try:
            row, kind, points = services.activity_checkin(
                by=request.user, code=code, request=request
            )
        except UserError as exc:
            context["error"] = exc.message
            return render(request, "community/m/checkin.html", context, status=exc.status)
        context.update({"row": row, "kind": kind, "points": points, "done": True})
    return render(request, "community/m/checkin.html", context)


@page()
def needs(request):
    """My needs and what the community decided, and the form to post a new one."""
    form = forms.PhoneNeedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        need = submit(
            form, lambda data: services.need_post(by=request.user, request=request, **data)
        )
        if need is not None:
            messages.success(request, _("需求已提交，社区将在月度审核时答复您。"))
            return redirect("m_services:needs")
    return render(
        request,
        "community/m/needs.html",
        {"rows": selectors.my_needs(user=request.user)[:50], "form": form},
        status=400 if form.errors else 200,
    )


@page()
def wish_wall(request):
    code = request.GET.get("c") or next(iter(home_communities(request.user)), None)
    rows = selectors.wish_wall(community=code)
    page_obj = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "community/m/wishes.html",
        {
            "page_obj": page_obj,
            "mine": selectors.my_wishes(user=request.user, show=request.GET.get("mine", ""))[:50],
            "mine_show": request.GET.get("mine", "") in selectors.MY_WISH_SHOWS,
            "can_claim": can_claim_wish(request.user),
        },
    )


@page()
def wish_new(request):
    posted = request.method == "POST"
    form = forms.WishForm(request.POST if posted else None, request.FILES if posted else None)
    if posted:
        wish = submit(form, lambda data: wishes.wish_post(by=request.user, request=request, **data))
        if wish is not None:
            messages.success(request, _("心愿已提交，社区审核后将上墙。"))
            return redirect("m_services:wish", pk=wish.pk)
    return render(
        request, "community/m/wish_new.html", {"form": form}, status=400 if form.errors else 200
    )


@page()
def wish_detail(request, pk: int):
    wish = selectors.wish_detail(user=request.user, pk=pk)
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "claim":
                wishes.wish_claim(by=user, wish=wish, request=request)
                messages.success(request, _("认领成功，请尽快送达。"))
            elif action == "fulfil":
                wishes.wish_fulfil(
                    by=user,
                    wish=wish,
                    photo=request.FILES.get("photo"),
                    note=request.POST.get("note", ""),
                    request=request,
                )
                messages.success(request, _("已反馈送达，等待许愿人确认。"))
            elif action == "confirm":
                wishes.wish_confirm(by=user, wish=wish, request=request)
                messages.success(request, _("感谢确认，心愿已实现。"))
            elif action == "withdraw":
                wishes.wish_withdraw(by=user, wish=wish)
                messages.success(request, _("心愿已撤回。"))
            else:
                raise UserError(_("未知的操作。"))
        except UserError as exc:
            _fail(request, exc)
        return redirect("m_services:wish", pk=pk)
    own = wish.poster_id == user.pk
    return render(
        request,
        "community/m/wish.html",
        {
            "wish": wish,
            "own": own,
            "claimant": wish.claimed_by_id == user.pk,
            "can_claim": can_claim_wish(user) and not own and wish.status == "open",
            "history": selectors.wish_history(user=user, wish=wish),
        },
    )


MY_ORDER_STATUSES = ["dispatched", "accepted", "declined", "done", "rated"]


@page()
def my_orders(request):
    """Orders sent to me (or my team) and orders serving me, each with what I may do."""
    # ?status=dispatched: the orders waiting to be accepted (the member home's to-do)
    status = request.GET.get("status", "")
    shown = [status] if status in OrderStatus.values else MY_ORDER_STATUSES
    rows = list(selectors.order_list(user=request.user).filter(status__in=shown)[:50])
    for row in rows:
        row.actions = order_actions(request.user, row)
    return render(request, "community/m/orders.html", {"rows": rows})


@page()
@require_POST
def order_act(request, pk: int):
    order = selectors.order_detail(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    fields = {
        "accept": {},
        "decline": {"reason": request.POST.get("note", "")},
        "report_done": {"result": request.POST.get("note", "")},
        "rate": {"rating": request.POST.get("rating"), "comment": request.POST.get("note", "")},
    }.get(action)
    try:
        if fields is None:
            raise UserError(_("未知的操作。"))
        orders.order_act(
            by=request.user,
            order=order,
            action=action,
            version=request.POST.get("version"),
            **fields,
        )
    except UserError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已提交。"))
    return redirect("m_services:orders")


def calendar_feed(request, code: str):
    """The community's activities as an iCalendar feed (public: calendar apps cannot log in)."""
    community = selectors.community_or_404(code)
    body = ical.community_feed(community=community, base=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="activities-{code}.ics"'
    response["Cache-Control"] = "public, max-age=300"
    return response
