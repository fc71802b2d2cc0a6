"""Meetings: kinds as data with their templates, scheduling at a venue through the venues'
service, people by category and the quorum, the QR check-in, minutes approved per participant,
cancelling; each refusal changes nothing."""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.models import AuditEntry
from jiceng.deliberation import meetings
from jiceng.deliberation.models import Category, MeetingKind, Participant
from jiceng.venues import services as venue_services
from jiceng.venues.models import Booking
from tests.deliberation.conftest import kind, make_meeting

pytestmark = pytest.mark.django_db


def test_the_kinds_of_the_case_studies_are_data_with_their_templates():
    names = set(MeetingKind.objects.values_list("name", flat=True))
    assert {
        "月月谈党群议事会",
        "民情恳谈会",
        "党群议事会",
        "小区事务协调会",
        "重大事项听证会",
        "共建单位联评会",
        "党建联席会",
    } <= names
    talk = kind("monthly_talk")
    assert "owners_committee" in talk.categories and "property_company" in talk.categories
    assert talk.agenda_lines()[0] == "通报上月议题落实情况"
    residents = kind("residents")
    assert residents.quorum == "majority" and "第九条" in residents.rule


def test_a_new_meeting_starts_from_its_kinds_agenda(cast, now_meeting):
    assert [a.title for a in now_meeting.agenda_items.all()] == kind().agenda_lines()
    assert now_meeting.scope_code == cast["community"].code
    assert AuditEntry.objects.filter(action="deliberation.meeting_create").count() == 1


def test_a_meeting_at_a_venue_is_booked_through_the_venues_service(cast):
    venue = venue_services.venue_create(
        by=cast["secretary"],
        division=cast["community"],
        name="党群服务中心议事厅",
        kind="center",
        address="公园路 1 号",
        capacity=40,
        windows={d: "08:00-21:00" for d in range(7)},
        closed_on_holidays=False,
        approval_required=False,
    )
    day = timezone.localdate() + timedelta(days=3)
    start = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    start = start.replace(hour=19)
    meeting = meetings.meeting_create(
        by=cast["secretary"],
        community=cast["community"],
        kind=kind(),
        title="四月月月谈",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue=venue,
    )
    assert meeting.booking.status == Booking.Status.APPROVED
    assert meeting.place == venue.name
    # the venue's rule holds: the same hour cannot be booked twice
    with pytest.raises(UserError):
        meetings.meeting_create(
            by=cast["secretary"],
            community=cast["community"],
            kind=kind(),
            title="重复",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            venue=venue,
        )
    assert Booking.objects.count() == 1
    # cancelling the meeting frees the venue's time
    meetings.meeting_cancel(by=cast["secretary"], meeting=meeting, reason="改期")
    assert Booking.objects.get().status == Booking.Status.CANCELLED


def test_only_the_communitys_staff_arrange_its_meetings(cast):
    for who in ("outsider", "alice", "chief"):
        with pytest.raises(Forbidden):
            make_meeting(cast[who], cast["community"])
    street_made = make_meeting(cast["street"], cast["community"])
    assert street_made.pk


def test_bad_input_is_refused_and_nothing_is_written(cast):
    start = timezone.now()
    cases = [
        dict(title="  "),
        dict(ends_at=start - timedelta(hours=1)),
        dict(agenda=["x" * 201]),
    ]
    for extra in cases:
        args = dict(
            by=cast["secretary"],
            community=cast["community"],
            kind=kind(),
            title="月月谈",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        args.update(extra)
        with pytest.raises(UserError):
            meetings.meeting_create(**args)
    assert not AuditEntry.objects.filter(action="deliberation.meeting_create").exists()


def invite(cast, meeting, *pairs):
    return [
        meetings.participant_add(by=cast["secretary"], meeting=meeting, category=c, name=n, user=u)
        for c, n, u in pairs
    ]


def test_attendance_by_category_and_the_quorum_of_a_residents_meeting(cast):
    meeting = make_meeting(
        cast["secretary"], cast["community"], code="residents", hours_from_now=-0.2
    )
    people = invite(
        cast,
        meeting,
        (Category.RESIDENT, "艾丽", cast["alice"]),
        (Category.RESIDENT, "鲍勃", cast["bob"]),
        (Category.GROUP_LEADER, "张组长", None),
        (Category.GROUP_LEADER, "李组长", None),
    )
    summary = meetings.attendance_summary(meeting, list(meeting.participants.all()))
    assert (summary["invited"], summary["present"], summary["needed"]) == (4, 0, 3)
    assert summary["met"] is False
    for p in people[:3]:
        meetings.attendance_mark(by=cast["secretary"], meeting=meeting, participant=p, present=True)
    summary = meetings.attendance_summary(meeting, list(meeting.participants.all()))
    assert summary["met"] is True
    assert [(r["category"], r["invited"], r["present"]) for r in summary["by_category"]] == [
        ("group_leader", 2, 1),
        ("resident", 2, 2),
    ]


def test_a_monthly_talk_has_no_quorum():
    assert kind().quorum_needed(20) == 0
    assert kind("residents").quorum_needed(20) == 11  # more than half
    assert kind("residents").quorum_needed(21) == 11


def test_an_invited_person_checks_in_by_the_rotating_qr(cast, now_meeting):
    (alice,) = invite(cast, now_meeting, (Category.GROUP_LEADER, "艾丽", cast["alice"]))
    code = meetings.checkin_code(now_meeting)
    row = meetings.meeting_checkin(by=cast["alice"], code=code)
    assert row.pk == alice.pk and row.present and row.method == "qr"
    with pytest.raises(UserError) as again:
        meetings.meeting_checkin(by=cast["alice"], code=code)
    assert again.value.status == 409


def test_a_resident_of_the_community_who_was_not_invited_joins_as_a_resident(cast, now_meeting):
    row = meetings.meeting_checkin(by=cast["bob"], code=meetings.checkin_code(now_meeting))
    assert (row.category, row.invited, row.present) == ("resident", False, True)


def test_the_neighbours_resident_cannot_check_in(cast, now_meeting):
    with pytest.raises(Forbidden):
        meetings.meeting_checkin(by=cast["neighbour"], code=meetings.checkin_code(now_meeting))
    assert not Participant.objects.exists()


def test_an_old_or_forged_code_is_refused(cast, now_meeting):
    code = meetings.checkin_code(now_meeting)
    later = time.time() + meetings.CHECKIN.max_age + 5
    with mock.patch("time.time", return_value=later), pytest.raises(UserError) as old:
        meetings.meeting_checkin(by=cast["alice"], code=code)
    assert old.value.status == 410
    with pytest.raises(UserError):
        meetings.meeting_checkin(by=cast["alice"], code=code[:-2] + "xx")
    # a party meeting's code does not open a deliberation meeting (its own salt)
    from jiceng.party.meetings import CHECKIN as PARTY

    with pytest.raises(UserError):
        meetings.meeting_checkin(by=cast["alice"], code=PARTY.sign(now_meeting.pk))
    assert not Participant.objects.exists()


def test_check_in_is_closed_long_before_the_meeting(cast, later_meeting):
    with pytest.raises(UserError):
        meetings.meeting_checkin(by=cast["alice"], code=meetings.checkin_code(later_meeting))


def test_participants_who_were_there_approve_the_minutes_and_the_minutes_show_who(
    cast, now_meeting
):
    invite(cast, now_meeting, (Category.GROUP_LEADER, "艾丽", cast["alice"]))
    meetings.meeting_checkin(by=cast["alice"], code=meetings.checkin_code(now_meeting))
    with pytest.raises(UserError):  # nothing to approve yet
        meetings.minutes_approve(by=cast["alice"], meeting=now_meeting)
    meetings.minutes_publish(
        by=cast["secretary"], meeting=now_meeting, minutes="议定：加装充电桩", resolutions="同意"
    )
    row = meetings.minutes_approve(by=cast["alice"], meeting=now_meeting, comment="无异议")
    assert row.approved_at and row.comment == "无异议"
    with pytest.raises(UserError) as twice:
        meetings.minutes_approve(by=cast["alice"], meeting=now_meeting)
    assert twice.value.status == 409
    for who in ("bob", "secretary", "neighbour"):
        with pytest.raises(Forbidden):
            meetings.minutes_approve(by=cast[who], meeting=now_meeting)
    # changed minutes are asked again
    meetings.minutes_publish(
        by=cast["secretary"], meeting=now_meeting, minutes="议定：加装充电桩 20 个"
    )
    assert Participant.objects.get(user=cast["alice"]).approved_at is None
    assert AuditEntry.objects.filter(action="deliberation.minutes_approve").count() == 1


def test_minutes_wait_for_the_meeting_to_start(cast, later_meeting):
    with pytest.raises(UserError):
        meetings.minutes_publish(by=cast["secretary"], meeting=later_meeting, minutes="x")
    later_meeting.refresh_from_db()
    assert later_meeting.minutes == "" and later_meeting.status == "planned"


def test_a_cancelled_meeting_needs_a_reason_and_stays_cancelled(cast, later_meeting):
    with pytest.raises(UserError):
        meetings.meeting_cancel(by=cast["secretary"], meeting=later_meeting, reason=" ")
    meetings.meeting_cancel(by=cast["secretary"], meeting=later_meeting, reason="台风")
    with pytest.raises(UserError):
        meetings.meeting_cancel(by=cast["secretary"], meeting=later_meeting, reason="again")
    with pytest.raises(Forbidden):
        meetings.meeting_cancel(by=cast["outsider"], meeting=later_meeting, reason="x")


def test_a_participant_of_another_meeting_is_not_found(cast, now_meeting, later_meeting):
    (p,) = invite(cast, later_meeting, (Category.RESIDENT, "艾丽", cast["alice"]))
    with pytest.raises(NotFound):
        meetings.attendance_mark(
            by=cast["secretary"], meeting=now_meeting, participant=p, present=True
        )
