"""Shared venues' indicators: weekly opening hours and approved bookings."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import by_scope, records_link
from jiceng.core.registry import Indicator, register_indicator
from jiceng.venues.models import Booking, OpeningWindow, Venue


def opening_hours(within, start, end):
    """Summed in Python from the windows (a time difference is not portable SQL): one query
    over the active venues' windows, grouped by venue place and window."""
    windows = (
        OpeningWindow.objects.filter(venue__in=Venue.objects.within(within).filter(is_active=True))
        .order_by()
        .values_list("venue__scope_code", "starts", "ends")
        .annotate(n=Count("pk"))
    )
    out: dict[str, tuple[float, float]] = {}
    for code, s, e, n in windows:
        hours = ((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute)) / 60 * n
        out[code] = (out.get(code, (0.0, 0.0))[0] + hours, 0.0)
    return out


def bookings(within, start, end):
    approved = Booking.objects.within(within).filter(
        Q(status=Booking.Status.APPROVED), starts_at__gte=start, starts_at__lt=end
    )
    return by_scope(approved, Count("pk"))


_home = records_link("venues:home", "venues")


register_indicator(
    Indicator(
        "venues.opening_hours",
        _("阵地每周开放时长"),
        _(
            "启用中的共享阵地每周开放时段的时长合计（小时），按阵地所在区划统计；来自各场地的开放时间。"
        ),
        _("小时/周"),
        "venues",
        "opening",
        opening_hours,
        order=10,
        records=_home,
        public=True,
    )
)
register_indicator(
    Indicator(
        "venues.bookings",
        _("场地预约场次"),
        _("本期开始、已批准的场地预约场次，按场地所在区划统计；来自“场地预约”。"),
        _("场"),
        "venues",
        "bookings",
        bookings,
        order=20,
        records=_home,
        public=True,
    )
)
