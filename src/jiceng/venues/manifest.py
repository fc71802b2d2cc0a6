"""What venues gives the shared surfaces: its pages, URLs and API, the resident home's link,
the bookings to review on the console home, and its figures: the number of venues, this
month's approved bookings, and how much of this month's opening hours they fill."""

from __future__ import annotations

import calendar
from datetime import datetime, time, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES as PLACE_MANAGERS
from jiceng.accounts.roles import Role
from jiceng.core.registry import (
    Api,
    HomeLink,
    MapLayer,
    MapPoint,
    NavItem,
    Todo,
    Urls,
    WarningSource,
    register_component,
    register_figure,
    register_map_layer,
    register_warning_source,
)
from jiceng.venues import indicators  # noqa: F401 - registers the venues' indicators
from jiceng.venues.models import Booking, OpeningWindow, Venue
from jiceng.venues.selectors import my_bookings, pending_requests
from jiceng.venues.warnings import waiting_booking_alerts


def _month(now: datetime | None = None) -> tuple[datetime, datetime]:
    today = timezone.localdate(now)
    first = today.replace(day=1)
    days = calendar.monthrange(first.year, first.month)[1]
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=tz)
    return start, start + timedelta(days=days)


def venue_count(scopes: list[str]) -> int:
    return Venue.objects.within(*scopes).filter(is_active=True).count()


def bookings_this_month(scopes: list[str], now: datetime | None = None) -> int:
    start, end = _month(now)
    return (
        Booking.objects.within(*scopes)
        .filter(status=Booking.Status.APPROVED, starts_at__gte=start, starts_at__lt=end)
        .count()
    )


def utilisation(scopes: list[str], now: datetime | None = None) -> int:
    """Approved booked hours this month as a percentage of the month's opening hours (weekly
    windows times the days of each weekday; closures and holidays not subtracted)."""
    start, end = _month(now)
    per_weekday = [0] * 7
    day = start.date()
    while day < end.date():
        per_weekday[day.weekday()] += 1
        day += timedelta(days=1)
    open_seconds = 0.0
    # venues share a few weekly patterns: count identical windows in the database
    windows = (
        OpeningWindow.objects.filter(venue__in=Venue.objects.within(*scopes).filter(is_active=True))
        .values_list("weekday", "starts", "ends")
        .annotate(n=Count("id"))
        .order_by()
    )
    for weekday, s, e, n in windows:
        seconds = (e.hour * 3600 + e.minute * 60) - (s.hour * 3600 + s.minute * 60)
        open_seconds += seconds * per_weekday[weekday] * n
    if not open_seconds:
        return 0
    booked = (
        Booking.objects.within(*scopes)
        .filter(status=Booking.Status.APPROVED, starts_at__gte=start, starts_at__lt=end)
        .aggregate(
            total=Sum(
                ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
            )
        )["total"]
    )
    return round(100 * (booked.total_seconds() if booked else 0) / open_seconds)


def _bookings_this_month(scopes: list[str]):
    start, end = _month()
    return Booking.objects.within(*scopes).filter(
        status=Booking.Status.APPROVED, starts_at__gte=start, starts_at__lt=end
    )


# The home's figures matter to who manages the place (community, street, district).
FIGURE_ROLES = set(PLACE_MANAGERS)
register_figure(
    "venues.count",
    _("共享阵地"),
    lambda s: Venue.objects.within(*s).filter(is_active=True),
    roles=FIGURE_ROLES,
)
register_figure(
    "venues.bookings_month", _("本月场地预约"), _bookings_this_month, roles=FIGURE_ROLES
)
register_figure("venues.utilisation", _("本月场地利用率（%）"), utilisation, roles=FIGURE_ROLES)


DECIDERS = (Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_STAFF, Role.PARTNER_STAFF)


def _todos(user):
    """The booking requests waiting for this user's decision (the list on the venues page):
    the community's and the street's staff, and a unit's for its own rooms; the district
    approves none itself. A resident's own bookings still to come, on the phone home."""
    lines = []
    if user.has_role(*DECIDERS):
        pending = pending_requests(user=user)
        lines.append(Todo(_("待审批的场地预约"), reverse("venues:home") + "#pending", pending))
    if user.has_role(Role.RESIDENT):
        lines.append(
            Todo(
                _("即将使用的场地预约"),
                reverse("venues_m:mine") + "?show=upcoming",
                my_bookings(user=user, upcoming=True),
                home="resident",
            )
        )
    return lines


register_component(
    "venues",
    nav=[
        NavItem(
            "venues",
            _("共享阵地"),
            "venues:home",
            frozenset(
                {
                    Role.COMMUNITY_WORKER,
                    Role.COMMUNITY_SECRETARY,
                    Role.STREET_STAFF,
                    Role.DISTRICT_STAFF,
                    Role.PARTNER_STAFF,
                }
            ),
            order=80,
        )
    ],
    urls=[
        Urls("console/venues/", "jiceng.venues.urls"),
        Urls("m/venues/", "jiceng.venues.mobile_urls"),
    ],
    api=[Api("/venues", "jiceng.venues.api.router")],
    home_links=[HomeLink("resident", "venues", _("预约场地"), "venues_m:list", order=40)],
    todos=_todos,
)

register_warning_source(
    WarningSource(
        "venues.bookings",
        _("场地预约待审批"),
        waiting_booking_alerts,
        frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY}),
        order=60,
    )
)


STATION_KINDS = (Venue.Kind.CENTER, Venue.Kind.STATION)


def _venue_points(within: str, *, stations: bool):
    rows = Venue.objects.within(within).filter(is_active=True)
    rows = rows.filter(kind__in=STATION_KINDS) if stations else rows.exclude(kind__in=STATION_KINDS)
    return [
        MapPoint(scope_code=scope, name=name, url=reverse("venues:detail", args=[pk]), key=str(pk))
        for pk, scope, name in rows.values_list("pk", "scope_code", "name")
    ]


register_map_layer(
    MapLayer(
        "stations",
        _("党群服务中心（站）"),
        "#b91c1c",
        lambda within: _venue_points(within, stations=True),
        order=10,
    )
)
register_map_layer(
    MapLayer(
        "venues",
        _("共享阵地"),
        "#7c3aed",
        lambda within: _venue_points(within, stations=False),
        order=20,
    )
)
