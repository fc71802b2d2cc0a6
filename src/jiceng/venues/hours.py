"""Opening hours and closed days of a venue, and whether a time is bookable there."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from jiceng.core.errors import UserError
from jiceng.core.workdays import _overrides, parse_windows
from jiceng.venues.models import WEEKDAYS, Closure, OpeningWindow, Venue

# A booking is one stretch inside one opening window, at least this long.
MIN_MINUTES = 30


def parse_week(spec: dict[int, str]) -> list[tuple[int, time, time]]:
    """{0: "09:00-12:00,14:00-17:30", 5: "09:00-21:00"} -> windows, checked day by day."""
    windows: list[tuple[int, time, time]] = []
    for weekday, text in sorted(spec.items()):
        if not 0 <= int(weekday) <= 6:
            raise UserError(_("星期应在周一至周日之间。"), field="windows")
        text = (text or "").replace("，", ",").replace("－", "-").replace("—", "-").strip()
        if not text:
            continue
        try:
            parsed = parse_windows(text)
        except UserError as exc:
            raise UserError(
                _("{day}：{error}").format(day=WEEKDAYS[int(weekday)], error=exc.message),
                field="windows",
            ) from exc
        windows.extend((int(weekday), s, e) for s, e in parsed)
    return windows


def is_statutory_holiday(day: date) -> bool:
    """A day of the official holidays (国庆, 春节 …), or one the district entered as a holiday."""
    overrides = _overrides()
    if day in overrides:
        return not overrides[day]
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False
    return bool(on_holiday and name)


def closed_reason(venue: Venue, day: date, closures: list[Closure] | None = None) -> str:
    """Why the venue is closed on ``day`` ("" when it is not)."""
    if closures is None:
        closures = list(venue.closures.filter(starts_on__lte=day, ends_on__gte=day))
    for c in closures:
        if c.starts_on <= day <= c.ends_on:
            return c.reason
    if venue.closed_on_holidays and is_statutory_holiday(day):
        return pgettext("closed day", "法定节假日闭馆")
    return ""


def _fmt_windows(windows: list[OpeningWindow]) -> str:
    return pgettext("list separator", "、").join(
        f"{w.starts:%H:%M}-{w.ends:%H:%M}" for w in windows
    )


def _on_weekday(day: int) -> str:
    """The weekday as a sentence names it ("not open on Mondays"); WEEKDAYS are short labels."""
    return (
        pgettext("on weekday", "周一"),
        pgettext("on weekday", "周二"),
        pgettext("on weekday", "周三"),
        pgettext("on weekday", "周四"),
        pgettext("on weekday", "周五"),
        pgettext("on weekday", "周六"),
        pgettext("on weekday", "周日"),
    )[day]


def check_slot(venue: Venue, starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
    """Refuse a time that is not bookable at this venue: in the past, too far ahead, on a
    closed day, or not inside one opening window of that day."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise UserError(_("预约时间缺少时区。"), field="starts_at")
    if ends_at <= starts_at:
        raise UserError(_("结束时间应晚于开始时间。"), field="ends_at")
    if starts_at <= now:
        raise UserError(_("不能预约已经过去的时间。"), field="starts_at")
    if ends_at - starts_at < timedelta(minutes=MIN_MINUTES):
        raise UserError(
            _("每次预约至少 {minutes} 分钟。").format(minutes=MIN_MINUTES), field="ends_at"
        )
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day = start.date()
    if day > timezone.localdate(now) + timedelta(days=venue.max_days_ahead):
        most = venue.max_days_ahead
        raise UserError(
            ngettext(
                "该场地最多可提前 {days} 天预约。", "该场地最多可提前 {days} 天预约。", most
            ).format(days=most),
            field="starts_at",
        )
    reason = closed_reason(venue, day)
    if reason:
        raise UserError(
            _("{day} 闭馆（{reason}），请选择其他日期。").format(
                day=f"{day:%Y-%m-%d}", reason=reason
            ),
            field="starts_at",
        )
    windows = [w for w in venue.windows.all() if w.weekday == day.weekday()]
    if not windows:
        raise UserError(
            _("该场地{weekday}不开放，请选择其他日期。").format(weekday=_on_weekday(day.weekday())),
            field="starts_at",
        )
    if end.date() != day or not any(
        w.starts <= start.time() and end.time() <= w.ends for w in windows
    ):
        raise UserError(
            _("预约时间须在开放时段内：{weekday} {windows}。").format(
                weekday=_on_weekday(day.weekday()), windows=_fmt_windows(windows)
            ),
            field="starts_at",
        )
