"""Working hours on the official calendar, checked by hand against real dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from jiceng.core.errors import UserError
from jiceng.core.models import CalendarDay
from jiceng.core.workdays import WorkingCalendar, add_working_hours, parse_windows

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def cal():
    return WorkingCalendar(windows=parse_windows("08:30-12:00,14:00-17:30"))


def test_2025_national_day_week_and_its_make_up_days(cal):
    assert cal.is_working_day(date(2025, 9, 28))  # Sunday, make-up working day
    assert cal.is_working_day(date(2025, 10, 11))  # Saturday, make-up working day
    for day in range(1, 9):
        assert not cal.is_working_day(date(2025, 10, day))  # National Day + Mid-Autumn
    assert cal.is_working_day(date(2025, 10, 9))


def test_a_limit_started_before_national_day_resumes_after_it(cal):
    # Tue 30 Sep 16:00: 1.5 h that day, the holiday Oct 1-8, then 2.5 h on Thu 9 Oct.
    assert cal.add_working_hours(at(2025, 9, 30, 16, 0), 4) == at(2025, 10, 9, 11, 0)


def test_a_make_up_saturday_counts(cal):
    # Fri 10 Oct 17:00 + 1 h: half an hour on Friday, half an hour on the make-up Saturday.
    assert cal.add_working_hours(at(2025, 10, 10, 17, 0), 1) == at(2025, 10, 11, 9, 0)


def test_the_lunch_break_does_not_count(cal):
    assert cal.add_working_hours(at(2025, 10, 9, 11, 0), 2) == at(2025, 10, 9, 15, 0)


def test_a_case_arriving_on_a_holiday_or_before_work_starts_counts_from_the_next_window(cal):
    assert cal.add_working_hours(at(2025, 10, 3, 10, 0), 1) == at(2025, 10, 9, 9, 30)
    assert cal.add_working_hours(at(2025, 10, 9, 6, 0), 1) == at(2025, 10, 9, 9, 30)


def test_zero_hours_is_the_start_itself_and_negative_hours_are_refused(cal):
    start = at(2025, 10, 9, 10, 0)
    assert cal.add_working_hours(start, 0) == start
    with pytest.raises(UserError, match="不能为负数"):
        cal.add_working_hours(start, -1)


def test_working_hours_between_two_moments(cal):
    assert cal.working_hours_between(at(2025, 9, 30, 16, 0), at(2025, 10, 9, 11, 0)) == 4
    assert cal.working_hours_between(at(2025, 10, 9, 11, 0), at(2025, 9, 30, 16, 0)) == -4
    assert cal.hours_per_day() == 7


def test_malformed_working_windows_are_refused():
    with pytest.raises(UserError, match="格式错误"):
        parse_windows("8-12")
    with pytest.raises(UserError, match="不重叠"):
        parse_windows("08:30-12:00,11:00-17:30")


@pytest.mark.django_db
def test_an_entered_day_wins_over_the_package_and_covers_unknown_years():
    cal = WorkingCalendar.load()
    assert cal.years_without_data([2025, 2027]) == [2027]
    assert cal.is_working_day(date(2027, 1, 1))  # a Friday: unknown year, Monday to Friday
    CalendarDay.objects.create(date=date(2027, 1, 1), kind="holiday", name="元旦")
    CalendarDay.objects.create(date=date(2025, 10, 9), kind="holiday", name="区内调整")
    cal = WorkingCalendar.load()
    assert not cal.is_working_day(date(2027, 1, 1))
    assert not cal.is_working_day(date(2025, 10, 9))
    assert cal.years_without_data([2027]) == []
    # Thu 31 Dec 2026 17:00 + 1 h: half an hour that day, then Fri 1 Jan is a holiday: Mon 4 Jan.
    assert add_working_hours(at(2026, 12, 31, 17, 0), 1) == at(2027, 1, 4, 9, 0)


@pytest.mark.django_db
def test_a_deleted_entry_stops_counting_at_once():
    day = CalendarDay.objects.create(date=date(2027, 1, 1), kind="holiday", name="元旦")
    assert not WorkingCalendar.load().is_working_day(date(2027, 1, 1))
    day.delete()
    assert WorkingCalendar.load().is_working_day(date(2027, 1, 1))
