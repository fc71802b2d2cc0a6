"""The migrations that encrypt the contact phones keep every number a venue or a booking had."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiceng.core.fields import lookup_hash

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("venues", "0002_booking_no_overlap")]
AFTER = [("venues", "0005_contact_phone_clear_drop")]


def test_numbers_in_clear_columns_come_out_encrypted_with_their_hash(cast):
    venue, booking = cast["venue"], None
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Venue = old.get_model("venues", "Venue")
        Booking = old.get_model("venues", "Booking")
        Venue.objects.filter(pk=venue.pk).update(contact_phone="0701-6221234")
        booking = Booking.objects.create(
            venue_id=venue.pk,
            scope_code=venue.scope_code,
            booker_id=cast["alice"].pk,
            title="合唱排练",
            attendees=5,
            contact_phone="13800138000",
            starts_at="2030-01-07T02:00:00Z",
            ends_at="2030-01-07T03:00:00Z",
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_phone, contact_phone_hash FROM venues_booking WHERE id = %s",
            [booking.pk],
        )
        stored, digest = cursor.fetchone()
        cursor.execute("SELECT contact_phone FROM venues_venue WHERE id = %s", [venue.pk])
        (venue_stored,) = cursor.fetchone()
    assert stored.startswith("gAAAAA") and "13800138000" not in stored
    assert digest == lookup_hash("phone", "13800138000")
    assert venue_stored.startswith("gAAAAA")

    from jiceng.venues.models import Booking as Current
    from jiceng.venues.models import Venue as CurrentVenue

    assert Current.objects.get(pk=booking.pk).contact_phone == "13800138000"
    assert CurrentVenue.objects.get(pk=venue.pk).contact_phone == "0701-6221234"
