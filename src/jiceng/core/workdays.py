"""Working hours on the official Chinese calendar (holidays and make-up working days).

Stage time limits are counted in working hours: ``add_working_hours(moment, 4)`` is the deadline
of a 4-hour stage that starts at ``moment``. The official calendar comes from the maintained
``chinesecalendar`` package; ``CalendarDay`` rows override it and cover years it does not know
yet (outside its years a plain Monday-to-Friday week applies until the district enters them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import UserError
from jiceng.core.models import calendar_overrides


def parse_windows(spec: str) -> list[tuple[time, time]]:
    """'08:30-12:00,14:00-17:30' -> [(08:30, 12:00), (14:00, 17:30)], checked for order."""
    windows: list[tuple[time, time]] = []
    for part in spec.split(","):
        try:
            start_s, end_s = part.strip().split("-")
            start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
        except ValueError as exc:
            raise UserError(
                _("工作时段格式错误：{part}，应为 08:30-12:00").format(part=repr(part))
            ) from exc
        if start >= end or (windows and start < windows[-1][1]):
            raise UserError(_("工作时段须按时间先后排列且不重叠：{part}").format(part=repr(part)))
        windows.append((start, end))
    return windows


def _package_says(day: date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@dataclass
class WorkingCalendar:
    """A calendar loaded once and reused for many computations (metrics over many cases)."""

    windows: list[tuple[time, time]] = field(
        default_factory=lambda: parse_windows(settings.WORKING_HOURS)
    )
    overrides: dict[date, bool] = field(default_factory=dict)

    @classmethod
    def load(cls) -> WorkingCalendar:
        """The calendar with the district's overrides (read at most once a minute per process;
        an edit in the admin applies within that minute)."""
        return cls(overrides=_overrides())

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        known = _package_says(day)
        if known is not None:
            return known
        return day.weekday() < 5

    def hours_per_day(self) -> float:
        return sum(_seconds(s, e) for s, e in self.windows) / 3600

    def _day_windows(self, day: date, tz) -> Iterable[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, s, tzinfo=tz), datetime.combine(day, e, tzinfo=tz))
            for s, e in self.windows
        ]

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment when ``hours`` working hours have passed after ``start``."""
        if hours < 0:
            raise UserError(_("时限不能为负数"))
        tz = timezone.get_current_timezone()
        moment = (
            timezone.localtime(start, tz) if timezone.is_aware(start) else start.replace(tzinfo=tz)
        )
        if hours == 0:
            return moment
        remaining = timedelta(hours=hours)
        day = moment.date()
        for _day_count in range(3660):  # ten years of days: a limit no real time limit reaches
            for w_start, w_end in self._day_windows(day, tz):
                begin = max(w_start, moment)
                if begin >= w_end:
                    continue
                available = w_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
            moment = max(moment, datetime.combine(day, time(0), tzinfo=tz))
        raise UserError(_("时限过长，无法计算"))

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from ``start`` to ``end`` (negative when ``end`` comes first)."""
        if end < start:
            return -self.working_hours_between(end, start)
        tz = timezone.get_current_timezone()
        start_l, end_l = timezone.localtime(start, tz), timezone.localtime(end, tz)
        total = timedelta(0)
        day = start_l.date()
        while day <= end_l.date():
            for w_start, w_end in self._day_windows(day, tz):
                lo, hi = max(w_start, start_l), min(w_end, end_l)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total.total_seconds() / 3600

    def years_without_data(self, years: Iterable[int]) -> list[int]:
        """Years that neither the package nor the overrides cover: the district should add them."""
        missing = []
        for year in years:
            if _package_says(date(year, 1, 2)) is None and not any(
                d.year == year for d in self.overrides
            ):
                missing.append(year)
        return missing


def _overrides() -> dict[date, bool]:
    return dict(calendar_overrides.get())


def _seconds(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The deadline ``hours`` working hours after ``start``, with the district's overrides."""
    return WorkingCalendar.load().add_working_hours(start, hours)


def working_hours_between(start: datetime, end: datetime) -> float:
    return WorkingCalendar.load().working_hours_between(start, end)


def is_working_day(day: date) -> bool:
    return WorkingCalendar.load().is_working_day(day)
