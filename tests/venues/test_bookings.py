"""Booking a venue: inside the windows, never over an approved booking, decided by the owner."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jiceng.core.errors import Forbidden, UserError
from jiceng.core.models import AuditEntry, CalendarDay, Notification
from jiceng.venues import services
from jiceng.venues.models import Booking
from tests.venues.conftest import at, book, next_weekday


def snapshot():
    return (
        list(Booking.objects.order_by("pk").values_list("pk", "status", "reason")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def refused(call, *, contains: str, error=UserError):
    before = snapshot()
    with pytest.raises(error) as exc:
        call()
    assert contains in exc.value.message, exc.value.message
    assert snapshot() == before  # nothing changed
    return exc.value


def test_a_resident_books_and_the_community_approves_and_the_resident_is_told(cast):
    day = next_weekday(2)
    booking = book(cast["venue"], cast["alice"], day, "19:00", "20:30", attendees=25)
    assert booking.status == Booking.Status.PENDING
    services.booking_approve(by=cast["worker"], booking=booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED and booking.decided_by == cast["worker"]
    note = Notification.objects.get(user=cast["alice"])
    assert note.title == "场地预约已批准" and "19:00-20:30" in note.body
    actions = list(AuditEntry.objects.values_list("action", flat=True).order_by("id"))
    assert actions[-2:] == ["venue.booking.create", "venue.booking.approve"]


def test_a_booking_outside_the_opening_hours_is_refused_with_the_hours(cast):
    monday = next_weekday(0)
    err = refused(
        lambda: book(cast["room"], cast["alice"], monday, "10:00", "11:00"),
        contains="预约时间须在开放时段内：周一 18:00-21:00",
    )
    assert err.field == "starts_at"
    # the lunch gap of Saturday's staggered hours
    refused(
        lambda: book(cast["room"], cast["alice"], next_weekday(5), "11:30", "14:30"),
        contains="09:00-12:00、14:00-21:00",
    )
    refused(
        lambda: book(cast["room"], cast["alice"], monday, "20:00", "21:30"),
        contains="开放时段",
    )
    # inside the evening window it goes through
    assert book(cast["room"], cast["alice"], monday, "18:00", "20:00", attendees=8).pk


def test_a_booking_overlapping_an_approved_one_is_refused_and_nothing_changes(cast):
    day = next_weekday(3)
    first = book(cast["venue"], cast["alice"], day, "14:00", "16:00")
    services.booking_approve(by=cast["secretary"], booking=first)
    err = refused(
        lambda: book(cast["venue"], cast["bob"], day, "15:30", "17:00"),
        contains="该时段已被预约",
    )
    assert err.status == 409
    # touching ends do not overlap
    assert book(cast["venue"], cast["bob"], day, "16:00", "17:00").pk


def test_past_too_far_ahead_over_capacity_and_nonsense_are_refused(cast):
    yesterday = timezone.localdate() - timedelta(days=1)
    refused(
        lambda: book(cast["venue"], cast["alice"], yesterday, "10:00", "11:00"),
        contains="已经过去",
    )
    far = timezone.localdate() + timedelta(days=45)
    refused(lambda: book(cast["venue"], cast["alice"], far, "10:00", "11:00"), contains="30 天")
    day = next_weekday(1)
    refused(
        lambda: book(cast["venue"], cast["alice"], day, "10:00", "11:00", attendees=61),
        contains="超过场地容纳人数（60 人）",
    )
    refused(lambda: book(cast["venue"], cast["alice"], day, "11:00", "10:00"), contains="晚于")
    refused(lambda: book(cast["venue"], cast["alice"], day, "10:00", "10:10"), contains="30 分钟")
    refused(
        lambda: book(cast["venue"], cast["alice"], day, "10:00", "11:00", title="  "),
        contains="活动名称",
    )
    refused(
        lambda: book(cast["venue"], cast["alice"], day, "10:00", "11:00", contact_phone="12345"),
        contains="手机号码",
    )


def test_a_closed_day_and_a_holiday_are_refused(cast):
    day = next_weekday(4)
    services.closure_add(
        by=cast["secretary"], venue=cast["venue"], starts_on=day, ends_on=day, reason="设备检修"
    )
    refused(
        lambda: book(cast["venue"], cast["alice"], day, "10:00", "11:00"),
        contains="闭馆（设备检修）",
    )
    venue = cast["venue"]
    venue.closed_on_holidays = True
    venue.save()
    holiday = next_weekday(1)
    CalendarDay.objects.create(date=holiday, kind="holiday", name="假日")
    refused(
        lambda: book(cast["venue"], cast["alice"], holiday, "10:00", "11:00"),
        contains="法定节假日闭馆",
    )


def test_a_closure_cancels_the_bookings_of_those_days_and_tells_the_bookers(cast):
    day = next_weekday(2)
    booking = book(cast["venue"], cast["alice"], day, "10:00", "11:00")
    services.booking_approve(by=cast["secretary"], booking=booking)
    other_day = book(cast["venue"], cast["bob"], day + timedelta(days=1), "10:00", "11:00")
    _, cancelled = services.closure_add(
        by=cast["secretary"], venue=cast["venue"], starts_on=day, ends_on=day, reason="停电"
    )
    assert cancelled == 1
    booking.refresh_from_db()
    other_day.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and "停电" in booking.reason
    assert other_day.status == Booking.Status.PENDING
    assert Notification.objects.filter(user=cast["alice"], title="场地预约已取消").exists()


def test_approving_one_request_declines_the_overlapping_ones_with_the_reason(cast):
    day = next_weekday(2)
    a = book(cast["venue"], cast["alice"], day, "09:00", "11:00")
    b = book(cast["venue"], cast["bob"], day, "10:00", "12:00")
    c = book(cast["venue"], cast["neighbour"], day, "11:00", "12:00")
    services.booking_approve(by=cast["secretary"], booking=a)
    b.refresh_from_db()
    c.refresh_from_db()
    assert b.status == Booking.Status.DECLINED and b.reason == "该时段已安排给其他预约。"
    assert c.status == Booking.Status.PENDING  # touches, does not overlap
    assert Notification.objects.filter(user=cast["bob"], title="场地预约未获批准").exists()
    refused(
        lambda: services.booking_approve(by=cast["secretary"], booking=b),
        contains="已处理（未批准）",
    )


def test_a_decline_needs_a_reason_which_the_booker_sees(cast):
    booking = book(cast["venue"], cast["alice"], next_weekday(2), "09:00", "11:00")
    refused(
        lambda: services.booking_decline(by=cast["secretary"], booking=booking, reason=" "),
        contains="原因",
    )
    services.booking_decline(by=cast["secretary"], booking=booking, reason="当天有社区会议")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED and booking.reason == "当天有社区会议"
    assert "当天有社区会议" in Notification.objects.get(user=cast["alice"]).body


def test_a_cancellation_frees_the_time_for_the_next_booker(cast):
    day = next_weekday(2)
    first = book(cast["venue"], cast["alice"], day, "09:00", "11:00")
    services.booking_approve(by=cast["secretary"], booking=first)
    services.booking_cancel(by=cast["alice"], booking=first)
    second = book(cast["venue"], cast["bob"], day, "09:30", "10:30")
    services.booking_approve(by=cast["secretary"], booking=second)
    assert Booking.objects.approved().get().pk == second.pk
    refused(lambda: services.booking_cancel(by=cast["alice"], booking=first), contains="无需取消")
    # a manager cancelling must say why; the booker is told
    refused(
        lambda: services.booking_cancel(by=cast["secretary"], booking=second),
        contains="原因",
    )
    services.booking_cancel(by=cast["secretary"], booking=second, reason="临时征用")
    assert Notification.objects.filter(user=cast["bob"], title="场地预约已取消").exists()


def test_who_may_decide_the_owner_and_colleagues_not_outsiders_nor_the_community_for_a_unit(
    cast,
):
    day = next_weekday(0)
    booking = book(cast["venue"], cast["alice"], day, "10:00", "11:00")
    for stranger in (cast["outsider"], cast["unit_staff"], cast["alice"], cast["nobody"]):
        refused(
            lambda u=stranger: services.booking_approve(by=u, booking=booking),
            contains="管理方",
            error=Forbidden,
        )
    room_booking = book(cast["room"], cast["alice"], day, "18:00", "19:00")
    refused(
        lambda: services.booking_approve(by=cast["secretary"], booking=room_booking),
        contains="管理方",
        error=Forbidden,
    )
    services.booking_approve(by=cast["unit_staff"], booking=room_booking)
    services.booking_approve(by=cast["worker"], booking=booking)  # a colleague in scope
    assert Booking.objects.approved().count() == 2
    refused(
        lambda: services.booking_cancel(by=cast["bob"], booking=booking),
        contains="预约人或场地管理方",
        error=Forbidden,
    )


def test_a_venue_for_its_own_community_refuses_the_neighbour(cast):
    venue = cast["venue"]
    venue.residents_only = True
    venue.save()
    day = next_weekday(1)
    refused(
        lambda: book(venue, cast["neighbour"], day, "10:00", "11:00"),
        contains="仅接受本社区",
        error=Forbidden,
    )
    assert book(venue, cast["bob"], day, "10:00", "11:00").pk


def test_an_account_without_a_role_cannot_book(cast):
    refused(
        lambda: book(cast["venue"], cast["nobody"], next_weekday(1), "10:00", "11:00"),
        contains="尚未开通",
        error=Forbidden,
    )


def test_booking_for_a_unit_needs_to_work_there(cast):
    day = next_weekday(1)
    refused(
        lambda: book(
            cast["venue"], cast["alice"], day, "10:00", "11:00", organization=cast["unit"]
        ),
        contains="不是该单位",
        error=Forbidden,
    )
    b = book(cast["venue"], cast["unit_staff"], day, "10:00", "11:00", organization=cast["unit"])
    assert b.organization == cast["unit"]


def test_a_venue_without_approval_confirms_at_once_and_refuses_the_second(cast):
    venue = cast["venue"]
    venue.approval_required = False
    venue.save()
    day = next_weekday(1)
    first = book(venue, cast["alice"], day, "10:00", "11:00")
    assert first.status == Booking.Status.APPROVED
    refused(lambda: book(venue, cast["bob"], day, "10:30", "11:30"), contains="已被预约")


def test_asking_twice_for_the_same_time_is_refused(cast):
    day = next_weekday(1)
    book(cast["venue"], cast["alice"], day, "10:00", "11:00")
    refused(lambda: book(cast["venue"], cast["alice"], day, "10:00", "11:00"), contains="已申请过")


def test_the_service_check_holds_on_every_database_inside_one_transaction(cast):
    """No exclusion constraint on SQLite: the check under the venue lock refuses the second
    approval even inside the transaction that made the first."""
    venue = cast["venue"]
    venue.approval_required = False
    venue.save()
    day = next_weekday(2)
    with transaction.atomic():
        book(venue, cast["alice"], day, "10:00", "12:00")
        with pytest.raises(UserError, match="已被预约"):
            book(venue, cast["bob"], day, "11:00", "13:00")
    assert Booking.objects.approved().count() == 1


# --- PostgreSQL: the exclusion constraint and real concurrency ----------------------------------


@pytest.mark.postgres
def test_the_database_refuses_overlapping_approved_bookings_written_around_the_services(cast):
    day = next_weekday(2)
    a = book(cast["venue"], cast["alice"], day, "10:00", "12:00")
    b = book(cast["venue"], cast["bob"], day, "11:00", "13:00")
    Booking.objects.filter(pk=a.pk).update(status="approved")
    with pytest.raises(IntegrityError, match="venues_booking_no_overlap"), transaction.atomic():
        Booking.objects.filter(pk=b.pk).update(status="approved")
    # a different venue, or a declined row, is no conflict
    Booking.objects.filter(pk=b.pk).update(status="declined")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_people_booking_and_approving_overlapping_times_at_once_one_wins_per_slot(places):
    """36 threads at once: 24 residents book three slots (two of them overlapping) of a venue
    without approval, while two managers approve 12 requests for the same slots of another."""
    from tests.factories import user_with_role
    from tests.venues.conftest import EVERY_DAY

    secretary = user_with_role("community_secretary", division=places["community"])
    worker = user_with_role("community_worker", division=places["community"])
    open_room = services.venue_create(
        by=secretary,
        division=places["community"],
        name="自助活动室",
        address="公园路 2 号",
        capacity=30,
        windows=EVERY_DAY,
        approval_required=False,
        closed_on_holidays=False,
    )
    hall = services.venue_create(
        by=secretary,
        division=places["community"],
        name="议事厅",
        address="公园路 3 号",
        capacity=30,
        windows=EVERY_DAY,
        closed_on_holidays=False,
    )
    day = next_weekday(3)
    slots = [("09:00", "11:00"), ("10:30", "12:00"), ("14:00", "15:00")]
    residents = [
        user_with_role("resident", division=places["grid1"], username=f"r{i}") for i in range(24)
    ]
    requests = [book(hall, residents[i], day, *slots[i % 3], title=f"请求{i}") for i in range(12)]
    barrier = threading.Barrier(36)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(fn):
        try:
            barrier.wait()
            fn()
            result = "ok"
        except UserError as exc:
            result = exc.message
        except Exception as exc:  # noqa: BLE001 - the outcome is what we count
            result = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    jobs = [
        (lambda r=r, i=i: book(open_room, r, day, *slots[i % 3], title=f"自助{i}"))
        for i, r in enumerate(residents)
    ] + [
        (lambda q=q, m=m: services.booking_approve(by=m, booking=q))
        for q, m in zip(requests, [secretary, worker] * 6, strict=True)
    ]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [o for o in outcomes if "Error" in o], outcomes
    for venue in (open_room, hall):
        approved = list(Booking.objects.filter(venue=venue, status="approved"))
        # slot 1 and slot 2 overlap: at most one of them, plus the afternoon slot
        assert len(approved) == 2, (venue, approved)
        assert sum(1 for b in approved if b.starts_at == at(day, "14:00")) == 1
        for x in approved:
            for y in approved:
                assert x == y or x.ends_at <= y.starts_at or y.ends_at <= x.starts_at
    assert outcomes.count("ok") == 4


def test_a_new_request_tells_whoever_decides_on_it(cast):
    day = next_weekday(1)
    book(cast["venue"], cast["alice"], day, "10:00", "11:00")
    told = set(Notification.objects.filter(title="新的场地预约申请").values_list("user", flat=True))
    assert told == {cast["secretary"].pk, cast["worker"].pk}
    book(cast["room"], cast["alice"], day, "18:00", "19:00")
    told = set(Notification.objects.filter(title="新的场地预约申请").values_list("user", flat=True))
    assert told == {cast["secretary"].pk, cast["worker"].pk, cast["unit_staff"].pk}


def test_a_weekly_series_is_booked_whole_or_not_at_all(cast):
    day = next_weekday(1)
    made = services.booking_create_series(
        by=cast["alice"],
        venue=cast["venue"],
        starts_at=at(day, "19:00"),
        ends_at=at(day, "20:30"),
        weeks=3,
        title="合唱团排练",
        attendees=20,
    )
    assert [timezone.localtime(b.starts_at).date() for b in made] == [
        day,
        day + timedelta(weeks=1),
        day + timedelta(weeks=2),
    ]
    # the third week is taken: nothing of the second series is kept, the week is named
    services.booking_approve(by=cast["secretary"], booking=made[2])
    err = refused(
        lambda: services.booking_create_series(
            by=cast["bob"],
            venue=cast["venue"],
            starts_at=at(day, "20:00"),
            ends_at=at(day, "21:00"),
            weeks=4,
            title="舞蹈队",
            attendees=10,
        ),
        contains=f"第 3 周（{day + timedelta(weeks=2):%Y-%m-%d}）无法预约：该时段已被预约",
    )
    assert err.status == 409
    refused(
        lambda: services.booking_create_series(
            by=cast["bob"],
            venue=cast["venue"],
            starts_at=at(day, "08:00"),
            ends_at=at(day, "09:00"),
            weeks=13,
            title="舞蹈队",
            attendees=10,
        ),
        contains="1 至 12",
    )
