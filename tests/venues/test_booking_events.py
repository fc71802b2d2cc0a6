"""Bookings as a state machine (core.workflow): every status × every action, the one order of
the checks, and exactly one BookingEvent per move."""

from __future__ import annotations

import pytest

from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from jiceng.venues import services, workflow
from jiceng.venues.models import Booking, BookingEvent
from tests.venues.conftest import book, next_weekday

pytestmark = pytest.mark.django_db


def snapshot(booking):
    row = Booking.objects.filter(pk=booking.pk).values().get()
    row.pop("updated_at")
    return row, BookingEvent.objects.filter(booking=booking).count(), AuditEntry.objects.count()


CALLS = {
    "approve": lambda b, c: services.booking_approve(by=c["secretary"], booking=b),
    "decline": lambda b, c: services.booking_decline(by=c["secretary"], booking=b, reason="开会"),
    "cancel": lambda b, c: services.booking_cancel(by=c["alice"], booking=b),
}


@pytest.mark.parametrize("status", Booking.Status.values)
@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_every_action_from_every_status(cast, status, action):
    booking = book(cast["venue"], cast["alice"], next_weekday(2), "09:00", "10:00")
    Booking.objects.filter(pk=booking.pk).update(status=status)
    t = workflow.TRANSITIONS[action]
    before = snapshot(booking)
    if status in t.sources:
        done = CALLS[action](booking, cast)
        assert done.status == t.target
        events = BookingEvent.objects.filter(booking=booking)
        assert events.count() == before[1] + 1
        last = events.latest("id")
        assert (last.action, last.from_status, last.to_status) == (action, status, t.target)
    else:
        with pytest.raises(UserError) as refused:
            CALLS[action](booking, cast)
        assert refused.value.status == 409
        assert str(Booking.Status(status).label) in refused.value.message
        assert snapshot(booking) == before


@pytest.mark.parametrize("action", ["approve", "decline", "cancel"])
def test_a_stranger_is_refused_403_before_the_status_is_looked_at(cast, action):
    booking = book(cast["venue"], cast["alice"], next_weekday(2), "09:00", "10:00")
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")  # wrong for all three
    before = snapshot(booking)
    calls = {
        "approve": lambda u: services.booking_approve(by=u, booking=booking),
        "decline": lambda u: services.booking_decline(by=u, booking=booking, reason="x"),
        "cancel": lambda u: services.booking_cancel(by=u, booking=booking),
    }
    for stranger in (cast["outsider"], cast["bob"], cast["nobody"]):
        with pytest.raises(UserError) as refused:
            calls[action](stranger)
        assert refused.value.status == 403
    assert snapshot(booking) == before


def test_asking_and_each_decision_is_one_event_with_who_and_why(cast):
    day = next_weekday(2)
    a = book(cast["venue"], cast["alice"], day, "09:00", "11:00")
    b = book(cast["venue"], cast["bob"], day, "10:00", "12:00")
    assert list(a.events.values_list("action", "from_status", "to_status")) == [
        ("ask", "", "pending")
    ]
    services.booking_approve(by=cast["secretary"], booking=a)
    # the overlapping request is declined by the same decision, with its own event
    assert list(b.events.values_list("action", "to_status", "note", "actor")) == [
        ("ask", "pending", "", cast["bob"].pk),
        ("decline", "declined", "该时段已安排给其他预约。", cast["secretary"].pk),
    ]
    services.booking_cancel(by=cast["secretary"], booking=a, reason="临时征用")
    assert list(a.events.values_list("action", "to_status", "note")) == [
        ("ask", "pending", ""),
        ("approve", "approved", ""),
        ("cancel", "cancelled", "临时征用"),
    ]


def test_a_venue_without_approval_books_at_once_in_one_event(cast):
    venue = cast["venue"]
    venue.approval_required = False
    venue.save()
    booking = book(venue, cast["alice"], next_weekday(1), "10:00", "11:00")
    assert list(booking.events.values_list("action", "to_status")) == [("ask", "approved")]


def test_a_closure_cancels_with_one_event_per_booking(cast):
    day = next_weekday(3)
    booking = book(cast["venue"], cast["alice"], day, "10:00", "11:00")
    services.closure_add(
        by=cast["secretary"], venue=cast["venue"], starts_on=day, ends_on=day, reason="停电"
    )
    last = booking.events.latest("id")
    assert (last.action, last.to_status, last.note) == ("cancel", "cancelled", "场地闭馆：停电")
    assert booking.events.count() == 2


def test_booking_events_are_append_only(cast):
    booking = book(cast["venue"], cast["alice"], next_weekday(2), "09:00", "10:00")
    event = booking.events.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        BookingEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(PermissionError):
        BookingEvent.objects.filter(pk=event.pk).delete()
