"""Reads of the services app: scoped lists for staff, public lists and own records for people."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.community.models import (
    Activity,
    Need,
    Offer,
    Project,
    ServiceOrder,
    Signup,
    TeamMember,
    VolunteerTeam,
    Wish,
)
from jiceng.community.permissions import can_manage, visible_orders, visible_wishes
from jiceng.community.workflow import WISH_ACTION_LABELS, OrderStatus
from jiceng.core.errors import NotFound
from jiceng.core.inputs import check_day
from jiceng.geo.models import Division

LIVE = (Signup.Status.CONFIRMED, Signup.Status.WAITING)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as an aware [start, end) in local time."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(following, time.min, tzinfo=tz),
    )


def parse_month(value: str | None) -> date:
    """ "2026-05" -> 2026-05-01; anything else: this month."""
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError):
        return timezone.localdate().replace(day=1)
    return check_day(first, "month")


def community_or_404(code: str) -> Division:
    found = Division.objects.filter(code=code, level="community").first()
    if found is None:
        raise NotFound(_("社区不存在。"))
    return found


# --- staff lists ------------------------------------------------------------------------------


def need_list(*, user, status: str | None = None) -> QuerySet[Need]:
    rows = Need.objects.visible_to(user).select_related("community", "posted_by", "merged_into")
    if status:
        rows = rows.filter(status=status)
    return rows


def offer_list(*, user) -> QuerySet[Offer]:
    return Offer.objects.visible_to(user).select_related("partner", "team", "member", "community")


def project_list(*, user, month: date | None = None) -> QuerySet[Project]:
    rows = (
        Project.objects.visible_to(user)
        .select_related("responsible", "responsible_team", "community")
        .annotate(activity_count=Count("activities", distinct=True))
    )
    if month:
        rows = rows.filter(month=month.replace(day=1))
    return rows


def team_list(*, user) -> QuerySet[VolunteerTeam]:
    hours = Signup.objects.filter(activity__team=OuterRef("pk")).values("activity__team")
    return (
        VolunteerTeam.objects.visible_to(user)
        .select_related("community", "partner")
        .annotate(
            member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            hours=hours.annotate(total=Sum("hours")).values("total")[:1],
        )
        .order_by("name", "id")
    )


def team_members(team: VolunteerTeam) -> list[TeamMember]:
    """The team's people, each with their service hours in the team's activities."""
    rows = list(TeamMember.objects.filter(team=team, left_on__isnull=True).select_related("user"))
    hours = dict(
        Signup.objects.filter(activity__team=team, hours__isnull=False)
        .values_list("user_id")
        .annotate(total=Sum("hours"))
    )
    for row in rows:
        row.hours = hours.get(row.user_id) or 0
    return rows


def activity_list(*, user, month: date | None = None) -> QuerySet[Activity]:
    rows = Activity.objects.visible_to(user).select_related("community", "project", "team")
    if month:
        start, end = month_bounds(month)
        rows = rows.filter(starts_at__gte=start, starts_at__lt=end)
    return rows.order_by("-starts_at", "-id")


def activity_participants(activity: Activity) -> QuerySet[Signup]:
    return activity.signups.filter(status__in=LIVE).select_related("user").order_by("status", "id")


def activity_rating(activity: Activity) -> dict[str, Any]:
    return activity.signups.filter(rating__isnull=False).aggregate(
        count=Count("id"), total=Sum("rating")
    )


def order_list(*, user, status: str | None = None, late: bool | None = None):
    now = timezone.now()
    rows = (
        visible_orders(user)
        .select_related("member", "team", "resident", "community", "need")
        .annotate(
            late=Case(
                When(status=OrderStatus.DISPATCHED, due_at__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    if status:
        rows = rows.filter(status=status)
    if late:
        rows = rows.filter(status=OrderStatus.DISPATCHED, due_at__lt=now)
    return rows


def order_detail(*, user, pk: int) -> ServiceOrder:
    order = order_list(user=user).filter(pk=pk).first()
    if order is None:
        raise NotFound(_("工单不存在，或不在您的管辖范围内。"))
    return order


def wish_list(*, user, status: str | None = None) -> QuerySet[Wish]:
    rows = Wish.objects.visible_to(user).select_related("poster", "claimed_by", "community")
    if status:
        rows = rows.filter(status=status)
    return rows


@dataclass
class MonthCount:
    community: str
    name: str
    posted: int
    claimed: int
    confirmed: int


def wish_month_counts(*, user, month: date) -> list[MonthCount]:
    """Posted, claimed and confirmed micro-wishes per community in one month (one query)."""
    start, end = month_bounds(month)
    rows = (
        Wish.objects.visible_to(user)
        .values("scope_code", "community__name")
        .annotate(
            posted=Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
            claimed=Count("id", filter=Q(claimed_at__gte=start, claimed_at__lt=end)),
            confirmed=Count("id", filter=Q(confirmed_at__gte=start, confirmed_at__lt=end)),
        )
        .order_by("scope_code")
    )
    return [
        MonthCount(r["scope_code"], r["community__name"], r["posted"], r["claimed"], r["confirmed"])
        for r in rows
        if r["posted"] or r["claimed"] or r["confirmed"]
    ]


# --- people's pages ---------------------------------------------------------------------------


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    activities: list[Activity]


CALENDAR_FIELDS = (
    "id",
    "title",
    "place",
    "starts_at",
    "ends_at",
    "capacity",
    "taken",
    "waiting",
    "signup_opens_at",
    "signup_closes_at",
    "status",
)


def month_activities(*, community: str, month: date, user=None) -> list[SimpleNamespace]:
    """The published activities of a community in a month (the calendar's one read), as plain
    rows: the page and the API only read them, and a month may hold a hundred. With ``user``,
    each row carries that person's sign-up status (``my_status``) from the same statement."""
    start, end = month_bounds(month)
    rows = Activity.objects.filter(
        scope_code=community,
        starts_at__gte=start,
        starts_at__lt=end,
        status=Activity.Status.PUBLISHED,
    ).order_by("starts_at", "id")
    fields = CALENDAR_FIELDS
    if getattr(user, "is_authenticated", False):
        # A LEFT JOIN on the person's live sign-up (at most one per activity: signup_once).
        rows = rows.annotate(
            mine=FilteredRelation(
                "signups", condition=Q(signups__user=user, signups__status__in=LIVE)
            )
        )
        return [
            SimpleNamespace(pk=row[0], my_status=row[-1], **dict(zip(fields, row, strict=False)))
            for row in rows.values_list(*fields, "mine__status")
        ]
    return [
        SimpleNamespace(pk=row[0], **dict(zip(fields, row, strict=True)))
        for row in rows.values_list(*fields)
    ]


def month_reads(*, user, community: str, month: date) -> list[SimpleNamespace]:
    """The calendar's read: the month's activities with the person's own sign-up status."""
    return month_activities(community=community, month=month, user=user)


def month_calendar(*, user, community: str, month: date) -> dict[str, Any]:
    """The resident's month: the days that have activities, each activity with its time, link
    and the person's own standing (signed up, waiting, places left) worked out here, so that the
    page renders a flat list; and the month's grid of dates (Monday first)."""
    from django.urls import reverse
    from django.utils.translation import gettext

    activities = month_reads(user=user, community=community, month=month)
    link = reverse("m_services:activity", args=[0])[: -len("0/")]
    signed, waiting, full = gettext("已报名"), gettext("候补中"), gettext("名额已满，可候补")
    left = gettext("剩余 %(n)s 个名额")
    tz = timezone.get_current_timezone()
    by_day: dict[date, list[SimpleNamespace]] = {}
    for a in activities:
        starts, ends = a.starts_at.astimezone(tz), a.ends_at.astimezone(tz)
        a.my_status = getattr(a, "my_status", None)
        a.url = f"{link}{a.pk}/"
        a.time_label = f"{starts:%H:%M}–{ends:%H:%M}"
        if a.my_status == Signup.Status.CONFIRMED:
            a.badge_class, a.badge = "mine", signed
        elif a.my_status == Signup.Status.WAITING:
            a.badge_class, a.badge = "full", waiting
        elif a.capacity > a.taken:
            a.badge_class, a.badge = "", left % {"n": a.capacity - a.taken}
        else:
            a.badge_class, a.badge = "full", full
        by_day.setdefault(starts.date(), []).append(a)
    today = timezone.localdate()
    cells = [
        CalendarDay(d, d.month == month.month, by_day.get(d, []))
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
        for d in week
    ]
    for cell in cells:
        cell.css = (
            ("" if cell.in_month else " out")
            + (" has" if cell.in_month and cell.activities else "")
            + (" today" if cell.day == today else "")
        )
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return {
        "cells": cells,
        "days": [(_day_label(day), by_day[day]) for day in sorted(by_day)],
        "activities": activities,
        "month": month,
        "previous": previous,
        "following": following,
    }


WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _day_label(day: date) -> str:
    from django.utils.translation import gettext

    return gettext("%(m)s月%(d)s日 %(w)s") % {
        "m": day.month,
        "d": day.day,
        "w": gettext(WEEKDAYS[day.weekday()]),
    }


def my_signups(*, user, upcoming: bool = False) -> QuerySet[Signup]:
    """The user's sign-ups (cancelled ones aside); ``upcoming``: of activities still to start."""
    rows = Signup.objects.filter(user=user)
    if upcoming:
        rows = rows.filter(activity__starts_at__gte=timezone.now(), status__in=LIVE).exclude(
            activity__status=Activity.Status.CANCELLED
        )
    return (
        rows.exclude(status=Signup.Status.CANCELLED)
        .select_related("activity")
        .order_by("-activity__starts_at")
    )


def my_hours(*, user) -> Any:
    return (
        Signup.objects.filter(user=user, hours__isnull=False).aggregate(total=Sum("hours"))["total"]
        or 0
    )


def my_needs(*, user) -> QuerySet[Need]:
    return Need.objects.filter(posted_by=user).select_related("merged_into")


def wish_wall(*, community: str | None = None) -> QuerySet[Wish]:
    rows = Wish.objects.filter(status=Wish.Status.OPEN).select_related("poster", "community")
    if community:
        rows = rows.filter(scope_code=community)
    return rows.order_by("-approved_at", "-id")


def wish_detail(*, user, pk: int) -> Wish:
    wish = visible_wishes(user).select_related("poster", "claimed_by").filter(pk=pk).first()
    if wish is None:
        raise NotFound(_("心愿不存在。"))
    return wish


def wish_history(*, user, wish: Wish) -> list:
    """The wish's events, for the poster, the claimant and the community's staff (the wall's
    other readers see its status only); each with ``label``, the move as the page names it."""
    if user.pk not in (wish.poster_id, wish.claimed_by_id) and not can_manage(user, wish):
        return []
    events = list(wish.events.all())
    for event in events:
        event.label = WISH_ACTION_LABELS.get(event.action, event.action)
    return events


# What the wish page's "mine" may be narrowed to: delivered wishes waiting for the poster to
# confirm, claimed wishes waiting for the claimant to deliver.
MY_WISH_SHOWS = {
    "confirm": lambda user: Q(poster=user, status=Wish.Status.FULFILLED),
    "deliver": lambda user: Q(claimed_by=user, status=Wish.Status.CLAIMED),
}


def my_wishes(*, user, show: str = "") -> QuerySet[Wish]:
    rows = Wish.objects.filter(Q(poster=user) | Q(claimed_by=user))
    if show in MY_WISH_SHOWS:
        rows = rows.filter(MY_WISH_SHOWS[show](user))
    return rows.select_related("poster")


def published_projects(*, community: str, month: date) -> QuerySet[Project]:
    return (
        Project.objects.filter(
            scope_code=community, month=month.replace(day=1), status=Project.Status.PUBLISHED
        )
        .select_related("responsible", "responsible_team")
        .prefetch_related("activities")
    )


def has_signup(user) -> Exists:
    return Exists(Signup.objects.filter(activity=OuterRef("pk"), user=user, status__in=LIVE))
