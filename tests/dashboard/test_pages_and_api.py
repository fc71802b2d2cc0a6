"""The dashboard page and the API show the stored numbers (the same as the hand counts), drill
down and back up, keep to the viewer's scope (another street is 404), stay within a query
budget, read in English, and refuse bad input with a clear message."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jiceng.core.models import AuditEntry
from jiceng.dashboard import snapshots
from tests.dashboard.conftest import MAY

pytestmark = pytest.mark.django_db

PERIOD = "kind=month&period=2026-05"


@pytest.fixture
def may(world):
    snapshots.compute_period(snapshots.MONTH, MAY)
    snapshots.compute_period(snapshots.MONTH, snapshots.shift("month", MAY, -1))
    return world


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def shown(html: str, key: str) -> str:
    found = re.search(rf'data-testid="value-{re.escape(key)}">([^<]*)<', html)
    assert found, key
    return found.group(1)


def test_the_district_dashboard_shows_the_hand_counted_values(cast, may):
    html = client_for(cast["district_staff"]).get(f"/console/dashboard/?{PERIOD}").content.decode()
    assert shown(html, "party.orgs") == "6"
    assert shown(html, "party.members") == "4"
    assert shown(html, "cases.reported") == "5"
    assert shown(html, "cases.response_rate") == "80.0%"  # 4 of 5
    assert shown(html, "community.volunteer_hours") == "4"
    assert shown(html, "venues.bookings") == "2"
    # its children are the streets, ranked, each linking to its own dashboard
    assert 'data-testid="drill-360602001"' in html
    assert 'href="/console/dashboard/indicators/#party.orgs"' in html


def test_street_equals_the_sum_of_its_communities_for_counts_and_rates(cast, may):
    p = cast["places"]
    street = snapshots.values("cases.reported", [p["street"].code], "month", MAY)
    kids = snapshots.children_values("cases.reported", p["street"].code, "month", MAY)
    assert street[p["street"].code].value == sum(v.value for v in kids.values()) == 5
    rate = snapshots.values("cases.satisfaction_rate", [p["street"].code], "month", MAY)
    parts = snapshots.children_values("cases.satisfaction_rate", p["street"].code, "month", MAY)
    total = rate[p["street"].code]
    assert total.numerator == sum(v.numerator for v in parts.values())
    assert total.denominator == sum(v.denominator for v in parts.values())
    # ours: 1 of 2 rated satisfied; the neighbour 1 of 1; the street 2 of 3, not (50 % + 100 %) / 2
    assert total.value == pytest.approx(2 / 3)


def test_drilling_down_from_the_district_reaches_a_grid_and_the_breadcrumbs_lead_back(cast, may):
    c = client_for(cast["district_staff"])
    p = cast["places"]
    for parent, child in [
        ("360602", p["street"].code),
        (p["street"].code, p["community"].code),
        (p["community"].code, p["grid1"].code),
    ]:
        html = c.get(f"/console/dashboard/{parent}/?{PERIOD}").content.decode()
        assert f'data-testid="drill-{child}"' in html
    grid = c.get(f"/console/dashboard/{p['grid1'].code}/?{PERIOD}").content.decode()
    crumbs = re.search(r'data-testid="breadcrumbs">(.*?)</ol>', grid, re.S).group(1)
    for code in ["360602", p["street"].code, p["community"].code]:
        assert f"/console/dashboard/{code}/" in crumbs
    assert shown(grid, "party.meetings_held") == "2"


def test_a_street_sees_its_own_places_and_not_another_street(cast, may):
    p = cast["places"]
    street = client_for(cast["street_staff"])
    own = street.get(f"/console/dashboard/?{PERIOD}")
    assert own.status_code == 200
    assert (
        "江边街道" in own.content.decode() and shown(own.content.decode(), "cases.reported") == "5"
    )
    assert street.get(f"/console/dashboard/{p['community'].code}/").status_code == 200
    assert street.get("/console/dashboard/360602/").status_code == 404  # above its scope
    other = client_for(cast["street2_staff"])
    assert other.get(f"/console/dashboard/{p['street'].code}/").status_code == 404
    assert other.get(f"/console/dashboard/{p['grid1'].code}/").status_code == 404
    assert other.get(f"/api/indicators/values?code={p['street'].code}").status_code == 404
    # a community's staff: its own community only; a resident: no dashboard at all
    secretary = client_for(cast["secretary"])
    assert secretary.get(f"/console/dashboard/{p['neighbour'].code}/").status_code == 404
    assert client_for(cast["resident"]).get("/console/dashboard/").status_code == 403
    assert Client().get("/console/dashboard/").status_code == 302


def test_the_api_shows_the_same_values_for_a_place_and_its_children(cast, may):
    p = cast["places"]
    c = client_for(cast["street_staff"])
    response = c.get(f"/api/indicators/values?{PERIOD}&key=cases.satisfaction_rate")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["place"]["code"] == p["street"].code
    [value] = body["place"]["values"]
    assert (value["numerator"], value["denominator"]) == (2, 3)
    children = {k["code"]: k["values"][0]["value"] for k in body["children"]}
    assert children == {p["community"].code: 0.5, p["neighbour"].code: 1.0}
    everything = c.get(f"/api/indicators/values?{PERIOD}").json()["place"]["values"]
    assert {v["key"]: v["value"] for v in everything}["party.members"] == 4
    definitions = c.get("/api/indicators/definitions").json()
    orgs = next(d for d in definitions if d["key"] == "party.orgs")
    assert orgs["domain"] == "organization" and orgs["kind"] == "count" and orgs["definition"]


def test_bad_periods_and_unknown_indicators_are_refused_with_a_message(cast, may):
    c = client_for(cast["district_staff"])
    response = c.get("/console/dashboard/?kind=month&period=2026-13")
    assert response.status_code == 400
    assert "统计周期的格式不对" in response.content.decode()
    assert c.get("/console/dashboard/?kind=week").status_code == 400
    assert c.get("/console/dashboard/?rank=nope").status_code == 400
    assert c.get("/api/indicators/values?key=nope").status_code in (400, 422)


def test_the_dashboard_page_stays_within_its_query_budget(cast, may, django_assert_max_num_queries):
    c = client_for(cast["district_staff"])
    c.get(f"/console/dashboard/?{PERIOD}")  # warm the session and the reference tables
    with django_assert_max_num_queries(16):
        assert c.get(f"/console/dashboard/?{PERIOD}&rank=cases.response_rate").status_code == 200


def test_the_dashboard_and_the_definitions_read_in_english(cast, may):
    c = client_for(cast["district_staff"])
    c.cookies["django_language"] = "en"
    html = c.get(f"/console/dashboard/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dashboard" in html and "Party organizations" in html
    assert "Organization" in html  # the domain's English name
    definitions = c.get("/console/dashboard/indicators/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Cases reported in the period" in definitions.content.decode()


def test_district_staff_can_recompute_now_and_it_is_audited(
    cast, world, django_capture_on_commit_callbacks
):
    c = client_for(cast["district_staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post("/console/dashboard/refresh/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="dashboard.refresh").count() == 1
    assert snapshots.latest_start("month") is not None  # the task ran (inline in tests)
    street = client_for(cast["street_staff"])
    assert street.post("/console/dashboard/refresh/").status_code == 403
    assert AuditEntry.objects.filter(action="dashboard.refresh").count() == 1


def test_the_community_public_page_shows_the_public_indicators_with_their_definitions(
    cast, may
):
    from jiceng.dashboard.models import Category, IndicatorFiling

    community = cast["places"]["community"].code
    html = Client().get(f"/cases/open/{community}/").content.decode()
    assert 'data-testid="public-indicators"' in html
    assert re.search(r'data-testid="public-party.members">2<', html)  # the hand count
    assert re.search(r'data-testid="public-venues.bookings">2<', html)
    assert "按党员所在区划统计" in html  # its definition
    assert 'data-testid="public-cases.rework_rate"' not in html  # not public
    # the district files the rework rate as public: it appears
    IndicatorFiling.objects.create(
        indicator="cases.rework_rate", category=Category.objects.get(key="rework"), public=True
    )
    html = Client().get(f"/cases/open/{community}/").content.decode()
    assert re.search(r'data-testid="public-cases.rework_rate">50.0%<', html)  # 1 of 2 verified
