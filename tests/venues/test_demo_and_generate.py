"""The demo district's venues and the benchmark generator: believable, and never two approved
bookings of one venue overlapping."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.utils import timezone

from jiceng.venues.models import Booking, Venue

pytestmark = pytest.mark.django_db


def assert_no_overlap(district: str) -> None:
    rows = list(
        Booking.objects.filter(scope_code__startswith=district, status="approved")
        .order_by("venue_id", "starts_at")
        .values_list("venue_id", "starts_at", "ends_at")
    )
    for (v1, _, e1), (v2, s2, _) in zip(rows, rows[1:], strict=False):
        assert v1 != v2 or e1 <= s2


def test_the_demo_has_yuehus_venues_and_stations_with_bookings_in_every_state():
    from jiceng.demo.builder import build_demo

    build_demo(residents=300)
    venues = Venue.objects.filter(scope_code__startswith="360602")
    kinds = dict(venues.values_list("kind").annotate(n=Count("id")))
    assert kinds["station"] == 136
    assert venues.exclude(kind="station").count() == 40
    assert venues.filter(owner_partner__isnull=False).count() >= 16
    assert all(v.windows.exists() for v in venues[:20])
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert statuses == {"approved", "pending", "declined", "cancelled"}
    assert Booking.objects.filter(booker__username="resident").count() >= 2
    assert_no_overlap("360602")


def test_the_generator_lists_venues_with_bookings_across_a_district():
    from jiceng.demo.generate import generate
    from jiceng.venues.generate import generate_venues

    generate(scale="tiny", code="990101", log=lambda *_: None)
    result = generate_venues(district="990101", venues=12, days=60, log=lambda *_: None)
    assert result["venues"] == 12
    assert Venue.objects.filter(kind="center").count() == 4  # one per community first
    assert 12 * 60 * 0.3 < result["bookings"] == Booking.objects.count()
    assert_no_overlap("990101")
    # the rows written straight into the table read back like any other
    b = Booking.objects.order_by("pk").first()
    assert b.starts_at < b.ends_at and b.starts_at.tzinfo is not None
    from jiceng.venues import selectors

    approved = Booking.objects.filter(status="approved").order_by("pk").first()
    days = selectors.week(
        venue=approved.venue, monday=selectors.monday_of(timezone.localdate(approved.starts_at))
    )
    taken = [s for d in days for s in d.segments if s.state == "taken"]
    assert any(s.booking.pk == approved.pk for s in taken)
