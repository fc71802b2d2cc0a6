"""Reads of the services app: scoped lists for staff, public lists and own records for people."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from jiceng.core.errors import NotFound
from jiceng.geo.models import Division
from jiceng.services.models import (
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
from jiceng.services.permissions import visible_orders, visible_wishes
from jiceng.services.workflow import OrderStatus

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
        return date(year, month, 1)
    except (ValueError, TypeError):
        return timezone.localdate().replace(day=1)


def community_or_404(code: str) -> Division:
    found = Division.objects.filter(code=code, level="community").first()
    if found is None:
        raise NotFound("社区不存在。")
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
        raise NotFound("工单不存在，或不在您的管辖范围内。")
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


def month_activities(*, community: str, month: date) -> list[Activity]:
    """The published activities of a community in a month (the calendar's one big read)."""
    start, end = month_bounds(month)
    return list(
        Activity.objects.filter(
            scope_code=community,
            starts_at__gte=start,
            starts_at__lt=end,
            status=Activity.Status.PUBLISHED,
        )
        .only(
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
        .order_by("starts_at", "id")
    )


def month_calendar(*, user, community: str, month: date) -> dict[str, Any]:
    """The resident's month: weeks of days (Monday first), each with its activities, and the
    person's own sign-ups among them."""
    activities = month_activities(community=community, month=month)
    mine: dict[int, str] = {}
    if getattr(user, "is_authenticated", False) and activities:
        start, end = month_bounds(month)
        mine = dict(
            Signup.objects.filter(
                user=user,
                status__in=LIVE,
                activity__scope_code=community,
                activity__starts_at__gte=start,
                activity__starts_at__lt=end,
            ).values_list("activity_id", "status")
        )
    by_day: dict[date, list[Activity]] = {}
    for a in activities:
        a.my_status = mine.get(a.pk)
        by_day.setdefault(timezone.localtime(a.starts_at).date(), []).append(a)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append([CalendarDay(d, d.month == month.month, by_day.get(d, [])) for d in week])
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return {
        "weeks": weeks,
        "activities": activities,
        "month": month,
        "previous": previous,
        "following": following,
    }


def my_signups(*, user) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(user=user)
        .exclude(status=Signup.Status.CANCELLED)
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
        raise NotFound("心愿不存在。")
    return wish


def my_wishes(*, user) -> QuerySet[Wish]:
    return Wish.objects.filter(Q(poster=user) | Q(claimed_by=user)).select_related("poster")


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
