"""A refusal of the division API and of the district loaders reaches who chose English in
English, and changes nothing (the messages are Chinese by default; see the other tests)."""

from __future__ import annotations

import pytest
from django.utils import translation

from jiceng.core.errors import UserError
from jiceng.geo import services
from jiceng.geo.models import Division
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        (
            "/api/geo/divisions/36060200100x",
            400,
            'A division code is made of digits only: "36060200100x".',
        ),
        (
            "/api/geo/divisions/3606020010",
            400,
            "A division code has 6 digits (district), 9 (street), 12 (community) or 15 (grid); "
            '"3606020010" has 10.',
        ),
        ("/api/geo/divisions/360600", 400, '"360600" is not a district code.'),
        (
            "/api/geo/divisions/360602001002",
            404,
            "No division 360602001002, or it is outside your area.",
        ),
        ("/api/geo/locate?lon=east&lat=28.2", 400, "Longitude and latitude must be numbers."),
        ("/api/geo/locate?lon=117&lat=95", 400, "Longitude or latitude out of range"),
        ("/api/geo/locate?lon=116.0&lat=39.9", 400, "This place is in no grid of the district"),
    ],
)
def test_bad_division_requests_are_explained_in_english_to_who_chose_it(
    client, places, url, status, says
):
    client.force_login(user_with_role("community_secretary", division=places["community"]))
    client.cookies["django_language"] = "en"
    before = list(Division.objects.values())
    response = client.get(url)
    assert response.status_code == status
    assert says in response.json()["detail"]
    assert list(Division.objects.values()) == before


@pytest.mark.parametrize(
    ("load", "says"),
    [
        (
            lambda: services.load_real_district(code="360699"),
            'The 2023 statistical division codes have no district "360699"',
        ),
        (
            lambda: services.load_real_district(code="360602001"),
            '"360602001" is not a district code (it should have 6 digits).',
        ),
        (
            lambda: services.load_real_district(code="360602", grids_total=3),
            "The number of grids, 3, is less than the number of communities and villages",
        ),
        (
            lambda: services.build_synthetic_district(code="990101", name="测试区", streets=100),
            "The size is outside what the codes allow",
        ),
        (
            lambda: services.build_synthetic_district(code="990101", name="测试区", streets=0),
            "The size is outside what the codes allow",
        ),
    ],
    ids=["unknown-district", "street-code", "too-few-grids", "too-large", "no-streets"],
)
def test_a_district_that_cannot_be_loaded_is_refused_in_english(load, says):
    before = list(Division.objects.values())
    with translation.override("en"), pytest.raises(UserError) as refused:
        load()
    assert says in refused.value.message
    assert list(Division.objects.values()) == before


def test_a_district_that_exists_is_not_built_again(places):
    before = list(Division.objects.values())
    with translation.override("en"), pytest.raises(UserError) as refused:
        services.build_synthetic_district(code="360602", name="月湖区")
    assert refused.value.message == "Division 360602 already exists."
    assert list(Division.objects.values()) == before
