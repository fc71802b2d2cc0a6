"""Where a problem is: the phone's position, a pin on our own map, or a chosen grid."""

from __future__ import annotations

import re

import pytest
from shapely.geometry import shape

from jiceng.cases import pinmap
from jiceng.cases.models import Case
from jiceng.geo.models import Division
from jiceng.geo.services import load_real_district
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

HOME = "360602001001001"  # the resident's registered grid


@pytest.fixture
def district(starter_categories):
    load_real_district(code="360602")
    return Division.objects.get(code=HOME[:12])


@pytest.fixture
def resident(district, client):
    user = user_with_role("resident", division=Division.objects.get(code=HOME))
    client.force_login(user)
    return user


def svg_projection(svg: str) -> pinmap.Projection:
    values = dict(re.findall(r'data-(lon0|lat0|kx|ky)="([^"]+)"', svg))
    return pinmap.Projection(**{k: float(v) for k, v in values.items()})


def test_a_tap_on_a_grid_of_the_map_lands_in_that_grid(district):
    """What the page's script does with a tap, done here with the numbers the SVG carries."""
    grids = list(pinmap.grids_of(district.code))
    svg = pinmap.pin_map(grids)
    proj = svg_projection(svg)
    for grid in grids:
        inside = shape(grid.boundary).representative_point()
        x, y = proj.xy(inside.x, inside.y)
        lon, lat = proj.lonlat(round(x, 1), round(y, 1))  # a tap is only as precise as a pixel
        from jiceng.geo.lookup import grid_index

        assert grid_index().locate(lon, lat) == grid.code
    assert svg.count('class="pin-grid"') == len(grids) > 1
    assert 'visibility="hidden"' in svg  # no pin until one is placed


def test_the_report_page_draws_the_residents_community_to_pin_on(client, resident, district):
    body = client.get("/cases/report/").content.decode()
    grids = list(pinmap.grids_of(district.code))
    assert 'data-testid="pin-map"' in body
    for grid in grids:
        assert f'data-code="{grid.code}"' in body  # on the map
        assert f'<option value="{grid.code}">{grid.name}</option>' in body  # and to choose
    # Without scripts the map cannot place anything: it stays hidden and the choice remains.
    assert re.search(r'id="pin-box" class="pin-box" hidden', body)


def test_a_pin_in_another_grid_files_the_case_there(client, resident, district):
    other = Division.objects.get(code=HOME[:12] + "002")
    point = shape(other.boundary).representative_point()
    response = client.post(
        "/cases/report/",
        {"category": "0101", "description": "井盖缺失", "lon": point.x, "lat": point.y},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.scope_code == other.code
    assert (case.lon, case.lat) == pytest.approx((point.x, point.y))
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="case-map"' in page and 'visibility="visible"' in page


def test_a_chosen_grid_files_the_case_there_without_a_point(client, resident, district):
    chosen = HOME[:12] + "003"
    client.post("/cases/report/", {"category": "0101", "description": "井盖缺失", "grid": chosen})
    case = Case.objects.get()
    assert case.scope_code == chosen and case.lon is None


def test_the_pin_wins_over_the_chosen_grid(client, resident, district):
    other = Division.objects.get(code=HOME[:12] + "002")
    point = shape(other.boundary).representative_point()
    client.post(
        "/cases/report/",
        {
            "category": "0101",
            "description": "井盖缺失",
            "lon": point.x,
            "lat": point.y,
            "grid": HOME,
        },
    )
    assert Case.objects.get().scope_code == other.code


@pytest.mark.parametrize(
    ("place", "message"),
    [
        ({"lon": "116.397", "lat": "39.909"}, "不在本区任何网格内"),  # Beijing
        ({"lon": "abc", "lat": "28"}, "必须是数字"),
        ({"lon": "117.05", "lat": ""}, "必须是数字"),
        ({"grid": "360602999999999"}, "所选网格不存在"),
    ],
)
def test_a_place_outside_the_district_is_refused_and_the_form_kept(
    client, resident, district, place, message
):
    data = {"category": "0101", "description": "北门井盖缺失", **place}
    body = client.post("/cases/report/", data).content.decode()
    assert message in body
    assert "北门井盖缺失" in body  # nothing the resident wrote is lost
    assert not Case.objects.exists()


def test_a_form_sent_back_keeps_the_pin_where_it_was_put(client, resident, district):
    point = shape(Division.objects.get(code=HOME).boundary).representative_point()
    body = client.post(
        "/cases/report/", {"description": "井盖缺失", "lon": point.x, "lat": point.y}
    ).content.decode()
    assert "请选择问题类别" in body and not Case.objects.exists()
    assert 'class="pin" visibility="visible"' in body
    assert f'value="{point.x}"' in body


def test_without_drawn_grids_the_grid_choice_remains(client, cast, category):
    """Grids without boundaries (the test district): no map, the choice still works."""
    client.force_login(cast["resident"])
    body = client.get("/cases/report/").content.decode()
    assert 'data-testid="pin-map"' not in body and 'name="grid"' in body
    chosen = cast["places"]["grid2"].code
    client.post("/cases/report/", {"category": "0101", "description": "井盖缺失", "grid": chosen})
    assert Case.objects.get().scope_code == chosen


def test_the_api_takes_a_grid_too(client, resident, district):
    chosen = HOME[:12] + "002"
    response = client.post(
        "/api/cases/",
        {"category": "0101", "description": "井盖缺失", "grid": chosen},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["scope_code"] == chosen
    bad = client.post(
        "/api/cases/",
        {"category": "0101", "description": "井盖缺失", "grid": "1"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "所选网格不存在" in bad.json()["detail"]
    assert Case.objects.count() == 1
