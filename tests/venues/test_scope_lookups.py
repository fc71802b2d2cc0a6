"""What the booking pages and API name (a venue, a unit to book for, a booking to cancel) is
resolved through what the person may use: elsewhere reads exactly like missing, and nothing
changes."""

from __future__ import annotations

import pytest

from jiceng.core.models import AuditEntry
from jiceng.venues import services
from jiceng.venues.models import Booking
from tests.factories import division, partner, user_with_role
from tests.venues.conftest import EVERY_DAY, at, book, next_weekday

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(Booking.objects.values_list("pk", "status").order_by("pk")),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def far_venue(places):
    """An open venue in another street of the district."""
    other_street = division("360602002", "乙街道", places["district"])
    far = division("360602002001", "乙社区", other_street)
    staff = user_with_role("community_secretary", division=far)
    return services.venue_create(
        by=staff,
        division=far,
        name="乙社区活动室",
        kind="activity_room",
        address="乙路 1 号",
        capacity=20,
        windows=EVERY_DAY,
        closed_on_holidays=False,
    )


def _payload(day, **extra):
    return {
        "starts_at": at(day, "10:00").isoformat(),
        "ends_at": at(day, "11:00").isoformat(),
        "title": "排练",
        "attendees": 5,
        **extra,
    }


def test_a_venue_of_another_street_reads_like_a_missing_venue(client, cast, far_venue):
    client.force_login(cast["alice"])
    before = _state()
    day = next_weekday(1)
    answers = []
    for pk in (far_venue.pk, 10**9):
        week = client.get(f"/api/venues/venues/{pk}/week")
        made = client.post(
            f"/api/venues/venues/{pk}/bookings", _payload(day), content_type="application/json"
        )
        answers.append((week.status_code, week.json(), made.status_code, made.json()))
    assert answers[0] == answers[1] and answers[0][0] == 404
    assert _state() == before


def test_booking_for_a_unit_elsewhere_reads_like_booking_for_a_missing_unit(client, cast, places):
    elsewhere = partner("邻区公司", "company", division("360603", "邻区"))
    client.force_login(cast["unit_staff"])
    before = _state()
    day = next_weekday(2)
    answers = []
    for unit in (elsewhere.pk, 10**9):
        response = client.post(
            f"/api/venues/venues/{cast['venue'].pk}/bookings",
            _payload(day, organization_id=unit),
            content_type="application/json",
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1] and answers[0][0] == 403
    assert _state() == before
    mine = client.post(
        f"/api/venues/venues/{cast['venue'].pk}/bookings",
        _payload(day, organization_id=cast["unit"].pk),
        content_type="application/json",
    )
    assert mine.status_code == 201


def test_cancelling_someone_elses_booking_elsewhere_reads_like_a_missing_booking(client, cast):
    booking = book(cast["venue"], cast["bob"], next_weekday(3), "10:00", "11:00")
    client.force_login(cast["neighbour"])
    before = _state()
    answers = []
    for pk in (booking.pk, 10**9):
        response = client.post(
            f"/api/venues/bookings/{pk}/cancel", {"reason": "x"}, content_type="application/json"
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1] and answers[0][0] == 404
    assert _state() == before


def test_listing_a_venue_in_a_place_or_for_a_unit_elsewhere_is_refused_alike(client, cast, places):
    from jiceng.venues.models import Venue

    elsewhere = partner("邻区公司", "company", division("360603", "邻区"))
    client.force_login(cast["secretary"])
    before = (Venue.objects.count(), AuditEntry.objects.count())
    form = {"name": "新活动室", "address": "公园路 2 号", "capacity": "20", "kind": "activity_room"}
    said = []
    for place in (places["neighbour"].pk, 10**9, "abc", "99999999999999999999"):
        response = client.post("/console/venues/new/", {**form, "division": place})
        said.append(
            (response.status_code, "请选择场地所在的社区或网格" in response.content.decode())
        )
    assert said == [(400, True)] * 4
    owned = {**form, "division": places["community"].pk, "owner_partner": elsewhere.pk}
    assert client.post("/console/venues/new/", owned).status_code == 404
    assert (Venue.objects.count(), AuditEntry.objects.count()) == before
