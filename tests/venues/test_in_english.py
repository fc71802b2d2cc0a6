"""Refused bookings and decisions are explained in the language the person chose (the language
cookie), on the phone page, the console and the API alike, and nothing is written."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.core.models import AuditEntry, CalendarDay, Notification
from jiceng.venues import services
from jiceng.venues.models import Booking, Closure
from tests.conftest import table_headers
from tests.venues.conftest import at, book, next_weekday


def snapshot():
    return (
        list(Booking.objects.order_by("pk").values_list("pk", "status", "reason")),
        list(Closure.objects.values_list("pk", flat=True)),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def request(venue, day, start, end, **fields):
    """The same booking as the phone page's form and as the API's JSON."""
    form = {
        "day": day.isoformat(),
        "start": start,
        "end": end,
        "title": "合唱团排练",
        "attendees": "10",
    }
    form.update({k: str(v) for k, v in fields.items()})
    payload = {
        "starts_at": at(day, start).isoformat(),
        "ends_at": at(day, end).isoformat(),
        "title": "合唱团排练",
        "attendees": int(form["attendees"]),
    }
    if "weeks" in fields:
        payload["weeks"] = int(fields["weeks"])
    if "organization" in fields:
        payload["organization_id"] = int(fields["organization"])
    return venue, form, payload


def overlapping_an_approved_booking(cast):
    day = next_weekday(1)
    first = book(cast["venue"], cast["bob"], day, "10:00", "12:00")
    services.booking_approve(by=cast["secretary"], booking=first)
    says = f"That time is already booked ({day:%m-%d} 10:00-12:00); please choose another time."
    return request(cast["venue"], day, "11:00", "13:00"), says


def outside_the_evening_hours(cast):
    says = "A booking must fall within the opening hours: Mondays 18:00-21:00."
    return request(cast["room"], next_weekday(0), "10:00", "11:00"), says


def over_the_saturday_lunch_gap(cast):
    says = "A booking must fall within the opening hours: Saturdays 09:00-12:00, 14:00-21:00."
    return request(cast["room"], next_weekday(5), "11:30", "14:30"), says


def more_people_than_the_room_holds(cast):
    says = "The number of people (61) is more than the venue holds (60)."
    return request(cast["venue"], next_weekday(1), "10:00", "11:00", attendees=61), says


def too_far_ahead(cast):
    far = timezone.localdate() + timedelta(days=45)
    return request(cast["venue"], far, "10:00", "11:00"), (
        "This venue can be booked at most 30 days ahead."
    )


def on_a_public_holiday(cast):
    venue = cast["venue"]
    venue.closed_on_holidays = True
    venue.save()
    holiday = next_weekday(2)
    CalendarDay.objects.create(date=holiday, kind="holiday", name="假日")
    says = (
        f"The venue is closed on {holiday:%Y-%m-%d} (Public holiday); please choose another date."
    )
    return request(venue, holiday, "10:00", "11:00"), says


def a_series_whose_third_week_is_taken(cast):
    day = next_weekday(1)
    third = book(cast["venue"], cast["bob"], day + timedelta(weeks=2), "19:00", "20:00")
    services.booking_approve(by=cast["secretary"], booking=third)
    says = (
        f"Week 3 ({day + timedelta(weeks=2):%Y-%m-%d}) cannot be booked: That time is already"
        f" booked ({day + timedelta(weeks=2):%m-%d} 19:00-20:00); please choose another time."
        " None of the weeks has been booked."
    )
    return request(cast["venue"], day, "19:30", "20:30", weeks=4), says


def for_a_unit_she_does_not_work_for(cast):
    says = "You are not on the staff of this unit, so you cannot book for it."
    return request(
        cast["venue"], next_weekday(1), "10:00", "11:00", organization=cast["unit"].pk
    ), says


@pytest.mark.parametrize(
    "scene",
    [
        overlapping_an_approved_booking,
        outside_the_evening_hours,
        over_the_saturday_lunch_gap,
        more_people_than_the_room_holds,
        too_far_ahead,
        on_a_public_holiday,
        a_series_whose_third_week_is_taken,
        for_a_unit_she_does_not_work_for,
    ],
)
def test_a_bad_booking_is_explained_in_english_to_who_chose_it_and_nothing_is_written(
    cast, client, scene
):
    (venue, form, payload), says = scene(cast)
    client.force_login(cast["alice"])
    client.cookies["django_language"] = "en"
    before = snapshot()
    page = client.post(f"/m/venues/{venue.pk}/", form)
    assert 400 <= page.status_code < 500
    assert says in page.content.decode().replace("&#x27;", "'")
    api = client.post(
        f"/api/venues/venues/{venue.pk}/bookings", payload, content_type="application/json"
    )
    assert (api.status_code, api.json()["detail"]) == (page.status_code, says)
    assert snapshot() == before


def test_a_time_that_is_no_time_is_explained_in_english(cast, client):
    client.force_login(cast["alice"])
    client.cookies["django_language"] = "en"
    venue, form, _payload = request(cast["venue"], next_weekday(1), "10:00", "11:00")
    page = client.post(f"/m/venues/{venue.pk}/", {**form, "start": "half past ten"})
    assert page.status_code == 400
    assert "Start time: please give a time such as 19:00." in page.content.decode()
    assert not Booking.objects.exists()


def decline_without_a_reason(cast, booking, day):
    return (
        f"/console/venues/bookings/{booking.pk}/decline/",
        {"reason": " "},
        ("Please fill in why the booking is declined."),
    )


def approve_a_booking_already_declined(cast, booking, day):
    services.booking_decline(by=cast["worker"], booking=booking, reason="场地另有安排")
    return (
        f"/console/venues/bookings/{booking.pk}/approve/",
        {},
        ("This booking has already been decided (Declined)."),
    )


def a_closure_ending_before_it_starts(cast, booking, day):
    return (
        f"/console/venues/{cast['venue'].pk}/closures/",
        {
            "starts_on": day.isoformat(),
            "ends_on": (day - timedelta(days=1)).isoformat(),
            "reason": "设备检修",
        },
        "The end date cannot be before the start date.",
    )


def a_closure_from_no_date(cast, booking, day):
    return (
        f"/console/venues/{cast['venue'].pk}/closures/",
        {"starts_on": "next Friday", "reason": "设备检修"},
        "Start date: not in the right format.",
    )


@pytest.mark.parametrize(
    "scene",
    [
        decline_without_a_reason,
        approve_a_booking_already_declined,
        a_closure_ending_before_it_starts,
        a_closure_from_no_date,
    ],
)
def test_a_bad_decision_is_explained_in_english_to_the_staff_who_chose_it(cast, client, scene):
    day = next_weekday(1)
    booking = book(cast["venue"], cast["alice"], day, "10:00", "11:00")
    url, data, says = scene(cast, booking, day)
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"
    before = snapshot()
    page = client.post(url, data, follow=True)
    assert says in page.content.decode().replace("&#x27;", "'")
    assert snapshot() == before


def test_without_a_choice_the_same_refusal_is_in_chinese(cast, client):
    (venue, form, payload), _says = more_people_than_the_room_holds(cast)
    client.force_login(cast["alice"])
    api = client.post(
        f"/api/venues/venues/{venue.pk}/bookings", payload, content_type="application/json"
    )
    assert api.json()["detail"] == "参加人数（61 人）超过场地容纳人数（60 人）。"


def cancel_button(page: str, booking) -> str:
    form = re.search(
        rf'<form[^>]*action="/console/venues/bookings/{booking.pk}/cancel/".*?</form>', page, re.S
    )
    assert form, "no cancel form for the booking"
    return re.search(r"<button[^>]*>(.*?)</button>", form.group(0)).group(1)


def test_a_venues_bookings_in_english_are_cancelled_and_count_people(cast, client):
    """取消 and 人数 mean something else on other apps' pages (ending a care tag, what a service
    offer can take); on a venue's bookings they are Cancel and People, and a closure runs From
    a day To a day. Chinese stays as it was."""
    booking = book(cast["venue"], cast["alice"], next_weekday(1), "10:00", "11:00")
    services.booking_approve(by=cast["secretary"], booking=booking)
    client.force_login(cast["secretary"])
    url = f"/console/venues/{cast['venue'].pk}/"
    chinese = client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()

    assert cancel_button(english, booking) == "Cancel"
    assert "People" in table_headers(english, "upcoming")
    assert '<label>From<input type="date" name="starts_on"' in english
    assert '<label>To<input type="date" name="ends_on"' in english
    assert cancel_button(chinese, booking) == "取消"
    assert "人数" in table_headers(chinese, "upcoming")
    assert '<label>结束日期<input type="date" name="ends_on"' in chinese
