"""Contact phones of venues and bookings are personal data: stored encrypted with a lookup hash,
shown masked, and whole only to those who need them, with a reason, audited."""

from __future__ import annotations

import pytest
from django.db import connection

from jiceng.core.fields import lookup_hash
from jiceng.core.models import AuditEntry
from jiceng.venues import services
from jiceng.venues.models import Booking, Venue
from tests.venues.conftest import EVERY_DAY, book, next_weekday

pytestmark = pytest.mark.django_db


def _raw(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT contact_phone, contact_phone_hash FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


def test_a_booking_phone_is_stored_encrypted_and_found_by_its_hash(cast):
    booking = book(
        cast["venue"],
        cast["alice"],
        next_weekday(2),
        "10:00",
        "11:00",
        contact_phone="138 0013 8000",
    )
    stored, digest = _raw("venues_booking", booking.pk)
    assert "13800138000" not in stored and stored.startswith("gAAAAA")
    assert digest == lookup_hash("phone", "13800138000")
    booking = Booking.objects.get(pk=booking.pk)
    assert booking.contact_phone == "13800138000"
    assert booking.contact_phone_masked == "138****8000"


def test_a_venue_phone_is_stored_encrypted_and_a_fixed_line_is_accepted(cast):
    venue = services.venue_create(
        by=cast["secretary"],
        division=cast["places"]["community"],
        name="议事厅",
        address="公园路 1 号",
        capacity=20,
        windows=EVERY_DAY,
        contact_phone="13900139000",
    )
    stored, _ = _raw("venues_venue", venue.pk)
    assert "13900139000" not in stored
    office = services.venue_create(
        by=cast["secretary"],
        division=cast["places"]["community"],
        name="活动室二",
        address="公园路 1 号",
        capacity=20,
        windows=EVERY_DAY,
        contact_phone="0701-6221234",
    )
    assert Venue.objects.get(pk=office.pk).contact_phone == "07016221234"


def test_a_venue_phone_that_is_neither_mobile_nor_fixed_line_is_refused_and_nothing_is_made(cast):
    venues = Venue.objects.count()
    with pytest.raises(services.UserError, match="11 位手机号码或带区号的固定电话"):
        services.venue_create(
            by=cast["secretary"],
            division=cast["places"]["community"],
            name="议事厅",
            address="公园路 1 号",
            capacity=20,
            windows=EVERY_DAY,
            contact_phone="call me maybe",
        )
    assert Venue.objects.count() == venues


def test_the_console_shows_a_booker_phone_masked_and_whole_only_with_a_reason(cast, client):
    booking = book(
        cast["venue"], cast["alice"], next_weekday(2), "10:00", "11:00", contact_phone="13800138000"
    )
    client.force_login(cast["secretary"])
    page = client.get("/console/venues/").content.decode()
    assert "138****8000" in page and "13800138000" not in page

    audits = AuditEntry.objects.count()
    refused = client.post(f"/console/venues/bookings/{booking.pk}/contact/", {"reason": ""})
    assert refused.status_code == 302 and AuditEntry.objects.count() == audits

    shown = client.post(
        f"/console/venues/bookings/{booking.pk}/contact/", {"reason": "确认活动人数"}
    )
    assert "13800138000" in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == "venue.booking.reveal_contact"
    assert entry.detail["reason"] == "确认活动人数" and entry.actor_id == cast["secretary"].pk


def test_outsiders_and_residents_never_see_a_booker_phone_whole(cast, client):
    booking = book(
        cast["venue"], cast["alice"], next_weekday(2), "10:00", "11:00", contact_phone="13800138000"
    )
    client.force_login(cast["outsider"])
    r = client.post(f"/console/venues/bookings/{booking.pk}/contact/", {"reason": "看看"})
    assert r.status_code == 404 and "13800138000" not in r.content.decode()
    client.force_login(cast["bob"])
    r = client.post(f"/console/venues/bookings/{booking.pk}/contact/", {"reason": "看看"})
    assert r.status_code in (403, 404) and "13800138000" not in r.content.decode()
    assert not AuditEntry.objects.filter(action="venue.booking.reveal_contact").exists()


def test_a_venue_phone_is_masked_for_residents_and_whole_for_a_booker_who_gives_a_reason(
    cast, client
):
    venue = cast["venue"]
    services.venue_update(
        by=cast["secretary"],
        venue=venue,
        name=venue.name,
        address=venue.address,
        capacity=venue.capacity,
        windows=EVERY_DAY,
        kind=venue.kind,
        contact_phone="13900139000",
        closed_on_holidays=False,
    )
    client.force_login(cast["bob"])
    page = client.get(f"/m/venues/{venue.pk}/").content.decode()
    assert "139****9000" in page and "13900139000" not in page
    r = client.post(f"/m/venues/{venue.pk}/contact/", {"reason": "想问问"})
    assert r.status_code == 403 and "13900139000" not in r.content.decode()

    book(venue, cast["bob"], next_weekday(3), "10:00", "11:00")
    r = client.post(f"/m/venues/{venue.pk}/contact/", {"reason": "问钥匙在哪里取"})
    assert "13900139000" in r.content.decode()
    assert AuditEntry.objects.filter(action="venue.reveal_contact", actor=cast["bob"]).exists()


def test_the_edit_form_shows_the_phone_masked_and_sending_it_back_keeps_the_number(cast, client):
    venue = cast["venue"]
    venue.contact_phone = "13900139000"
    venue.save()
    client.force_login(cast["secretary"])
    form = client.get(f"/console/venues/{venue.pk}/edit/").content.decode()
    assert "139****9000" in form and "13900139000" not in form
    post = {
        "name": venue.name,
        "address": venue.address,
        "capacity": venue.capacity,
        "kind": venue.kind,
        "contact_phone": "139****9000",
        "max_days_ahead": "30",
        "is_active": "on",
        **{f"w{d}": "09:00-21:00" for d in range(7)},
    }
    assert client.post(f"/console/venues/{venue.pk}/edit/", post).status_code == 302
    assert Venue.objects.get(pk=venue.pk).contact_phone == "13900139000"


def test_the_api_gives_phones_masked_and_whole_only_to_a_manager_with_a_reason(cast, client):
    booking = book(
        cast["venue"], cast["alice"], next_weekday(2), "10:00", "11:00", contact_phone="13800138000"
    )
    client.force_login(cast["alice"])
    mine = client.get("/api/venues/bookings/mine").json()["items"]
    assert [b["contact_phone"] for b in mine] == ["138****8000"]

    client.force_login(cast["secretary"])
    pending = client.get("/api/venues/bookings/pending").content.decode()
    assert "138****8000" in pending and "13800138000" not in pending
    url = f"/api/venues/bookings/{booking.pk}/contact"
    audits = AuditEntry.objects.count()
    refused = client.post(url, {"reason": ""}, content_type="application/json")
    assert refused.status_code == 400 and AuditEntry.objects.count() == audits
    shown = client.post(url, {"reason": "确认人数"}, content_type="application/json")
    assert shown.json() == {"contact_phone": "13800138000"}
    assert AuditEntry.objects.count() == audits + 1

    client.force_login(cast["outsider"])
    assert client.post(url, {"reason": "看看"}, content_type="application/json").status_code == 404
