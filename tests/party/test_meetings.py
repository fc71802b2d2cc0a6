"""Meetings, QR check-in (signed, time-limited), absences and the 2018 frequencies."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.core import signing
from django.utils import timezone

from jiceng.core.errors import Forbidden, UserError
from jiceng.core.models import AuditEntry
from jiceng.party import meetings, selectors
from jiceng.party.models import Attendance, Meeting, MeetingFrequency
from jiceng.points.models import PointEntry

pytestmark = pytest.mark.django_db


def a_meeting(party, *, kind="theme_day", org="branch", starts=None, hours=2):
    starts = starts or timezone.now() - timedelta(minutes=10)
    return meetings.meeting_create(
        by=party["secretary"],
        org=party[org],
        kind=kind,
        title="学习党的二十大精神",
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        place="党群服务中心",
    )


def snapshot():
    return (
        Attendance.objects.count(),
        PointEntry.objects.count(),
        AuditEntry.objects.count(),
    )


def test_a_member_checks_in_with_the_code_and_scores(party):
    meeting = a_meeting(party)
    attendance, points = meetings.meeting_checkin(
        by=party["alice"].user, code=meetings.checkin_code(meeting)
    )
    assert attendance.status == "present" and attendance.method == "qr"
    assert points == 2  # theme day, per the starter rule
    assert PointEntry.objects.get(member=party["alice"]).source_key == f"attendance:{attendance.pk}"


def test_a_second_check_in_is_refused_and_nothing_changes(party):
    meeting = a_meeting(party)
    code = meetings.checkin_code(meeting)
    meetings.meeting_checkin(by=party["alice"].user, code=code)
    before = snapshot()
    with pytest.raises(UserError, match="已签到"):
        meetings.meeting_checkin(by=party["alice"].user, code=code)
    assert snapshot() == before


def test_an_expired_code_is_refused(party):
    meeting = a_meeting(party)
    code = meetings.checkin_code(meeting)
    before = snapshot()
    later = time.time() + meetings.CHECKIN_MAX_AGE + 5
    with (
        mock.patch("django.core.signing.time.time", return_value=later),
        pytest.raises(UserError, match="过期") as exc,
    ):
        meetings.meeting_checkin(by=party["alice"].user, code=code)
    assert exc.value.status == 410
    assert snapshot() == before


@pytest.mark.parametrize(
    "forge",
    [
        lambda code: code[:-2] + "xx",
        lambda code: str(int(code.split(":", 1)[0]) + 1) + ":" + code.split(":", 1)[1],
        lambda code: signing.TimestampSigner(salt="other").sign("1"),
        lambda code: "",
    ],
)
def test_a_forged_code_is_refused(party, forge):
    meeting = a_meeting(party)
    before = snapshot()
    with pytest.raises(UserError, match="无效"):
        meetings.meeting_checkin(by=party["alice"].user, code=forge(meetings.checkin_code(meeting)))
    assert snapshot() == before


def test_a_meeting_of_another_branch_is_refused(party):
    meeting = a_meeting(party, org="branch2")
    before = snapshot()
    with pytest.raises(Forbidden, match="其他党组织"):
        meetings.meeting_checkin(by=party["alice"].user, code=meetings.checkin_code(meeting))
    assert snapshot() == before


def test_check_in_outside_the_meeting_window_is_refused(party):
    meeting = a_meeting(party, starts=timezone.now() + timedelta(hours=3))
    with pytest.raises(UserError, match="签到时间"):
        meetings.meeting_checkin(by=party["alice"].user, code=meetings.checkin_code(meeting))
    assert not Attendance.objects.exists()


def test_someone_who_is_not_a_member_cannot_check_in(party):
    meeting = a_meeting(party)
    with pytest.raises(Forbidden):
        meetings.meeting_checkin(by=party["secretary"], code=meetings.checkin_code(meeting))


def test_absence_with_a_reason_then_coming_after_all(party):
    meeting = a_meeting(party)
    alice = party["alice"]
    with pytest.raises(UserError, match="事由"):
        meetings.attendance_record(by=alice.user, meeting=meeting, member=alice, present=False)
    leave = meetings.attendance_record(
        by=alice.user, meeting=meeting, member=alice, present=False, reason="出差"
    )
    assert leave.status == "leave"
    attendance, points = meetings.meeting_checkin(
        by=alice.user, code=meetings.checkin_code(meeting)
    )
    assert attendance.pk == leave.pk and attendance.status == "present" and points == 2


def test_a_member_cannot_mark_themselves_present_by_hand(party):
    meeting = a_meeting(party)
    alice = party["alice"]
    with pytest.raises(Forbidden):
        meetings.attendance_record(by=alice.user, meeting=meeting, member=alice, present=True)


def test_replaying_a_check_ins_points_never_scores_twice(party):
    from jiceng.party import scoring

    meeting = a_meeting(party)
    attendance, _ = meetings.meeting_checkin(
        by=party["alice"].user, code=meetings.checkin_code(meeting)
    )
    again = scoring.earned(
        source="party.meeting.theme_day",
        source_key=f"attendance:{attendance.pk}",
        member=party["alice"],
        occurred_at=attendance.checked_in_at,
        by=None,
    )
    assert again == 0
    assert PointEntry.objects.count() == 1


def test_meeting_input_is_checked(party):
    now = timezone.now()
    with pytest.raises(UserError, match="结束时间"):
        meetings.meeting_create(
            by=party["secretary"],
            org=party["branch"],
            kind="lecture",
            title="党课",
            starts_at=now,
            ends_at=now,
        )
    with pytest.raises(Forbidden):
        meetings.meeting_create(
            by=party["outsider"],
            org=party["branch"],
            kind="lecture",
            title="党课",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
        )
    assert not Meeting.objects.exists()


def test_minutes_make_a_meeting_held(party):
    meeting = a_meeting(party)
    meetings.meeting_record(by=party["secretary"], meeting=meeting, minutes="会议学习了……")
    meeting.refresh_from_db()
    assert meeting.status == "held"


def test_frequencies_are_data_with_the_2018_regulation_named():
    rows = {f.kind: f for f in MeetingFrequency.objects.all()}
    assert rows["general_meeting"].period == "quarter"
    assert rows["committee_meeting"].period == "month"
    assert rows["theme_day"].period == "month"
    assert rows["life_meeting"].period == "year"
    assert all("2018" in f.regulation for f in rows.values())


def test_a_branch_is_warned_before_the_month_ends_without_its_theme_day(party):
    # 25 June: a week is left in the month and in the quarter.
    today = date(2025, 6, 25)
    with mock.patch("django.utils.timezone.now") as now:
        now.return_value = timezone.make_aware(datetime(2025, 6, 25, 12))
        states = selectors.frequency_status(user=party["secretary"], today=today)
        by = {(s.org.pk, s.frequency.kind): s for s in states}
        assert by[(party["branch"].pk, "theme_day")].state == "warning"
        assert by[(party["branch"].pk, "life_meeting")].state == "due"
    starts = timezone.make_aware(datetime(2025, 6, 9, 9))
    Meeting.objects.create(
        org=party["branch"],
        kind="theme_day",
        title="主题党日",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        scope_code=party["branch"].scope_code,
    )
    with mock.patch("django.utils.timezone.now") as now:
        now.return_value = timezone.make_aware(datetime(2025, 6, 25, 12))
        states = selectors.frequency_status(user=party["secretary"], today=today)
    by = {(s.org.pk, s.frequency.kind): s for s in states}
    assert by[(party["branch"].pk, "theme_day")].state == "met"
    assert by[(party["branch2"].pk, "theme_day")].state == "warning"


def test_frequency_status_takes_two_queries(party, django_assert_max_num_queries):
    user = party["secretary"]
    user.active_assignments  # noqa: B018
    with django_assert_max_num_queries(3):
        selectors.frequency_status(user=user)


def test_meeting_list_is_scoped_and_one_query(party, django_assert_max_num_queries):
    a_meeting(party)
    a_meeting(party, org="branch2")
    user = party["secretary"]
    user.active_assignments  # noqa: B018
    with django_assert_max_num_queries(1):
        rows = list(selectors.meeting_list(user=user))
    assert len(rows) == 2
    assert list(selectors.meeting_list(user=party["outsider"])) == []
