from __future__ import annotations

import json

import pytest

from jiceng.geo.models import Division
from jiceng.geo.services import load_real_district
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def yuehu():
    return load_real_district(code="360602")


@pytest.fixture
def cast(yuehu):
    ours = Division.objects.get(code="360602001001")
    neighbour = Division.objects.get(code="360602001002")
    return {
        "owner": user_with_role("community_secretary", division=ours),
        "colleague": user_with_role("grid_worker", division=ours.children.first()),
        "outsider": user_with_role("community_secretary", division=neighbour),
        "resident": user_with_role("resident", division=ours.children.first()),
    }


def test_community_staff_see_their_community_page_with_its_grids_on_a_map(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast["owner"])
    with django_assert_max_num_queries(12):
        response = client.get("/console/geo/360602001001/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "公园社区第1网格" in body
    assert body.count("<path") == Division.objects.filter(parent__code="360602001001").count()


def test_the_neighbouring_community_is_not_found_for_an_outsider(client, cast):
    client.force_login(cast["outsider"])
    assert client.get("/console/geo/360602001001/").status_code == 404
    assert client.get("/api/geo/divisions/360602001001").status_code == 404
    assert client.get("/api/geo/divisions/360602001001/grids.geojson").status_code == 404


def test_a_grid_worker_sees_only_their_grid(client, cast):
    client.force_login(cast["colleague"])
    assert client.get("/console/geo/360602001001/").status_code == 404
    grid = cast["colleague"].scope_codes[0]
    assert client.get(f"/console/geo/{grid}/").status_code == 200


def test_a_resident_may_not_use_the_division_pages(client, cast):
    client.force_login(cast["resident"])
    assert client.get("/console/geo/").status_code == 403


def test_a_malformed_code_gets_a_clear_message(client, cast):
    client.force_login(cast["owner"])
    response = client.get("/api/geo/divisions/36060200100x")
    assert response.status_code == 400
    assert "数字" in response.json()["detail"]


def test_anonymous_callers_are_asked_to_log_in(client, yuehu):
    assert client.get("/api/geo/locate?lon=117.05&lat=28.23").status_code == 401
    assert client.get("/console/geo/").status_code == 302


def test_grids_export_as_a_geojson_feature_collection(client, cast):
    client.force_login(cast["owner"])
    response = client.get("/api/geo/divisions/360602001001/grids.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    codes = {f["properties"]["code"] for f in body["features"]}
    assert codes == set(
        Division.objects.filter(parent__code="360602001001").values_list("code", flat=True)
    )
    assert all(f["geometry"]["type"] == "Polygon" for f in body["features"])


def test_locate_answers_the_grid_and_its_community(client, cast):
    grid = Division.objects.get(code="360602001002001")
    client.force_login(cast["owner"])
    response = client.get(f"/api/geo/locate?lon={grid.centroid_lon}&lat={grid.centroid_lat}")
    assert response.status_code == 200
    assert response.json()["grid_code"] == grid.code
    assert response.json()["community_name"] == grid.parent.name
    outside = client.get("/api/geo/locate?lon=116.0&lat=39.9")
    assert outside.status_code == 400
    assert "不在本区任何网格内" in outside.json()["detail"]


def test_the_console_home_shows_the_scope_figures(client, cast):
    client.force_login(cast["owner"])
    body = client.get("/console/").content.decode()
    grids = Division.objects.filter(parent__code="360602001001").count()
    assert f'<div class="value">{grids}</div><div class="label">网格</div>' in body
