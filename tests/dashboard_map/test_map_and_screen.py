"""The map, its GeoJSON and the big screen show the snapshots' numbers (the same number
everywhere), colour them with classes fixed across levels, drill down inside the viewer's scope
only (404 outside), and stay within their query budgets; the screen's refresh is small and
fast."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.urls import reverse

from jiceng.core.registry import COUNT, RATE, Indicator, register_indicator, unregister_indicator
from jiceng.dashboard import map as themap
from jiceng.dashboard import snapshots
from jiceng.dashboard.models import DemoSite

pytestmark = pytest.mark.django_db

MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)


def _rate(within, start, end):
    # grid 1: 9 of 10; grid 2: 1 of 10; the neighbour's grid: 3 of 4 (June: nothing due yet)
    if start.date() >= JUNE:
        return {"360602001001001": (0, 0), "360602001001002": (0, 0)}
    return {"360602001001001": (9, 10), "360602001001002": (1, 10), "360602001002001": (3, 4)}


def _count(within, start, end):
    if start.date() >= JUNE:
        return {"360602001001001": (0, 0), "360602001001002": (0, 0)}
    return {"360602001001001": (7, 0), "360602001001002": (2, 0), "360602001002001": (5, 0)}


@pytest.fixture
def stored(cast):
    register_indicator(
        Indicator("test.rate", "测试比率", "定义", "%", "governance", "cases", _rate, kind=RATE)
    )
    register_indicator(
        Indicator("test.count", "测试计数", "定义", "件", "governance", "cases", _count, kind=COUNT)
    )
    snapshots.compute_period(snapshots.MONTH, MAY, keys=["test.rate", "test.count"])
    yield cast
    unregister_indicator("test.rate")
    unregister_indicator("test.count")


def geojson(client, **params):
    r = client.get("/api/indicators/map/geojson", params)
    assert r.status_code == 200, r.content
    return r.json()


def test_the_geojson_carries_the_snapshots_values(client, stored):
    client.force_login(stored["district_staff"])
    for key in ("test.rate", "test.count"):
        body = geojson(client, place="360602001", indicator=key, start="2026-05-09")
        by_code = {f["id"]: f["properties"] for f in body["features"]}
        expected = snapshots.children_values(key, "360602001", snapshots.MONTH, MAY)
        assert set(by_code) == set(expected) == {"360602001001", "360602001002"}
        for code, v in expected.items():
            assert by_code[code]["value"] == pytest.approx(v.value)
            assert by_code[code]["numerator"] == v.numerator
            assert by_code[code]["denominator"] == v.denominator
    body = geojson(client, place="360602001", indicator="test.rate", start="2026-05-01")
    ours = next(f for f in body["features"] if f["id"] == "360602001001")["properties"]
    assert ours["value"] == pytest.approx(0.5)  # 10 of 20: never the average of 90% and 10%
    assert body["features"][0]["geometry"]["type"] == "Polygon"


def test_a_colour_means_the_same_at_every_level(client, stored):
    client.force_login(stored["district_staff"])
    streets = geojson(client, place="360602", indicator="test.rate", start="2026-05-01")
    grids = geojson(client, place="360602001001", indicator="test.rate", start="2026-05-01")
    assert streets["properties"]["legend"] == grids["properties"]["legend"]
    colours = {f["id"]: f["properties"]["colour"] for f in streets["features"] + grids["features"]}
    # 57% (the street: 13 of 24) and 90% / 10% (the grids) fall in the fixed bands
    assert colours["360602001"] == themap.PALETTE[2]
    assert colours["360602001001001"] == themap.PALETTE[4]
    assert colours["360602001001002"] == themap.PALETTE[0]
    counts = themap.classes_for(themap.indicator("test.count"), snapshots.MONTH, MAY)
    # the breaks come from every place of every level: the grids' 2 and 7, the district's 14
    assert counts.colour(14) == themap.PALETTE[4] and counts.colour(0) == themap.PALETTE[0]


def test_the_map_drills_down_inside_the_scope_and_is_not_found_outside(client, stored):
    client.force_login(stored["street_staff"])
    r = client.get(reverse("dashboard_map:home"), {"indicator": "test.rate", "start": "2026-05-01"})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="map-svg"' in html
    drill = reverse("dashboard_map:place", args=["360602001001"])
    assert f'href="{drill}?' in html
    r = client.get(drill, {"indicator": "test.rate", "start": "2026-05-01"})
    assert r.status_code == 200
    assert [a["code"] for a in r.context["data"].areas] == ["360602001001001", "360602001001002"]
    assert r.context["trail"][0]["code"] == "360602001"
    client.force_login(stored["outsider"])
    assert client.get(drill).status_code == 404
    assert client.get(reverse("dashboard_map:place", args=["360602001"])).status_code == 404
    r = client.get("/api/indicators/map/geojson", {"place": "360602001001"})
    assert r.status_code == 404
    r = client.get(reverse("dashboard_map:home"), {"indicator": "no.such"})
    assert r.status_code == 400 and "没有这个指标" in r.content.decode()
    client.force_login(stored["resident"])
    assert client.get(drill).status_code == 403


def test_the_map_shows_the_sites_and_venues_of_the_place(client, stored):
    DemoSite.objects.create(
        name="公园社区红色物业",
        domain="governance",
        level="community",
        division=stored["community"],
    )
    DemoSite.objects.create(
        name="湖西社区", domain="services", level="community", division=stored["neighbour"]
    )
    client.force_login(stored["secretary"])
    html = client.get(reverse("dashboard_map:home")).content.decode()
    assert "公园社区红色物业" in html and "湖西社区</title>" not in html
    assert 'data-layer="site:governance"' in html


def test_the_map_page_keeps_to_its_query_budget(client, stored, django_assert_max_num_queries):
    for i in range(20):
        DemoSite.objects.create(
            name=f"示范点{i}", domain="services", level="community", division=stored["community"]
        )
    client.force_login(stored["district_staff"])
    with django_assert_max_num_queries(16):
        r = client.get(
            reverse("dashboard_map:place", args=["360602001"]), {"indicator": "test.count"}
        )
    assert r.status_code == 200


def test_the_big_screen_is_for_staff_of_the_place_or_above(client, stored):
    url = reverse("screen:place", args=["360602001001"])
    for who in ("district_staff", "street_staff", "secretary"):
        client.force_login(stored[who])
        r = client.get(url)
        assert r.status_code == 200 and 'data-testid="screen"' in r.content.decode(), who
    client.force_login(stored["outsider"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("screen:data", args=["360602001001"])).status_code == 404
    client.force_login(stored["secretary"])
    assert client.get(reverse("screen:place", args=["360602001"])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_screen_refresh_is_small_and_fast(
    client, stored, source, django_assert_max_num_queries
):
    from jiceng.dashboard.warnings import run_sources

    source.update({"a": ("360602001001001", "severe"), "b": ("360602001002001", "warning")})
    run_sources(kinds=["test.fake"])
    client.force_login(stored["street_staff"])
    url = reverse("screen:data", args=["360602001"])
    client.get(url)
    # session, user, roles, place; the counts together; the latest warnings; warnings by
    # community and their names; the month; the indicators
    with django_assert_max_num_queries(10):
        r = client.get(url)
    body = r.json()
    assert body["warnings"]["live"] == 2 and body["warnings"]["severe"] == 1
    figures = {f["key"]: f["value"] for f in body["figures"]}
    assert figures["cases.open"] == 0 and "cases.overdue" in figures
    timings = []
    for _ in range(10):
        t = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - t)
    assert sorted(timings)[8] < 0.05 * 3  # generous on a shared machine; see the report
    assert len(r.content) < 4000


def test_the_map_and_the_screen_speak_english(client, stored):
    client.force_login(stored["street_staff"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("dashboard_map:home"), {"indicator": "test.rate"}).content.decode()
    assert "One map" in html and "Layers" in html and "and above" in html
    html = client.get(reverse("screen:place", args=["360602001"])).content.decode()
    assert "Key indicators" in html and "big screen" in html


def test_in_the_first_hours_of_a_month_the_map_shows_the_month_just_ended(client, stored):
    """A rate has no value in a month that has just begun (nothing due yet): the map, its
    GeoJSON and the big screen open on the month just ended, not on a blank map; a count opens on
    the new month (zero is a value), and a month asked for is shown as asked."""
    snapshots.compute_period(snapshots.MONTH, JUNE, keys=["test.rate", "test.count"])
    client.force_login(stored["district_staff"])
    shown = {
        key: geojson(client, place="360602001", indicator=key)["properties"]
        for key in ("test.rate", "test.count")
    }
    assert shown["test.rate"]["period_start"] == "2026-05-01"
    assert shown["test.count"]["period_start"] == "2026-06-01"
    asked = geojson(client, place="360602001", indicator="test.rate", start="2026-06-01")
    assert asked["properties"]["period_start"] == "2026-06-01"
    page = client.get(reverse("screen:place", args=["360602001"]), {"indicator": "test.rate"})
    assert page.status_code == 200
    coloured = [
        a for a in page.context["svg"].split('fill="')[1:] if not a.startswith(themap.NO_DATA)
    ]
    assert len(coloured) >= 2  # both communities of the street, coloured from May
    assert 'data-testid="screen-map-month">2026-05<' in page.content.decode()
