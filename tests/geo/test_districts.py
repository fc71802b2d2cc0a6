from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import union_all
from shapely.geometry import shape

from jiceng.core.errors import UserError
from jiceng.geo.codes import parse_code
from jiceng.geo.lookup import GridIndex, grid_index, locate_or_error
from jiceng.geo.models import Division
from jiceng.geo.services import build_synthetic_district, load_real_district, short_name

pytestmark = pytest.mark.django_db


@pytest.fixture
def yuehu():
    return load_real_district(code="360602")


def test_yuehu_has_its_real_streets_and_communities_and_238_grids(yuehu):
    assert yuehu.name == "月湖区"
    streets = Division.objects.filter(level="street")
    assert streets.count() == 8
    assert streets.get(code="360602100").kind == "town"  # 童家镇: codes 100-199 are towns
    communities = Division.objects.filter(level="community")
    assert communities.count() == 94
    assert communities.filter(kind="village").count() == 14
    assert communities.get(code="360602001001").name == "公园社区"
    grids = Division.objects.filter(level="grid")
    assert grids.count() == 238
    for grid in grids:
        assert len(grid.code) == 15
        assert grid.parent.code == grid.code[:12]


def test_loading_the_district_again_changes_nothing(yuehu):
    before = Division.objects.count()
    assert load_real_district(code="360602").pk == yuehu.pk
    assert Division.objects.count() == before


def test_each_level_tiles_its_parent_exactly(yuehu):
    for parent in Division.objects.exclude(level="grid"):
        children = [shape(c.boundary) for c in parent.children.all()]
        outline = shape(parent.boundary)
        assert sum(c.area for c in children) == pytest.approx(outline.area, rel=1e-9)
        assert union_all(children).symmetric_difference(outline).area < outline.area * 1e-9


def test_grids_are_numbered_west_to_east_in_rows_from_north(yuehu):
    community = Division.objects.filter(level="community").annotate().order_by("code")
    biggest = max(community, key=lambda c: c.children.count())
    grids = list(biggest.children.order_by("code"))
    assert [g.code[-3:] for g in grids] == [f"{i:03d}" for i in range(1, len(grids) + 1)]
    assert grids[0].centroid_lat >= min(g.centroid_lat for g in grids)
    assert grids[0].name == f"{biggest.name}第1网格"


def test_unknown_or_malformed_district_codes_are_refused_and_write_nothing():
    with pytest.raises(UserError, match="统计用区划代码中没有区县“360699”"):
        load_real_district(code="360699")
    with pytest.raises(UserError, match="只能由数字组成"):
        load_real_district(code="36060a")
    with pytest.raises(UserError, match="不是区县级代码"):
        load_real_district(code="360602001")
    assert Division.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "请填写"),
        ("12345", "为 5 位"),
        ("3606020011", "为 10 位"),
        ("36x602", "数字"),
        ("000001", "不是区县级"),
    ],
)
def test_malformed_codes_get_a_clear_message(raw, message):
    with pytest.raises(UserError, match=message):
        parse_code(raw)


def test_short_names_strip_the_committee_suffix():
    assert short_name("公园社区居民委员会") == "公园社区"
    assert short_name("西门村村民委员会") == "西门村"
    assert short_name("东风巷居委会") == "东风巷社区"


def test_synthetic_district_has_the_requested_size():
    build_synthetic_district(
        code="990103", name="基准区", streets=2, communities_per_street=3, grids_per_community=4
    )
    assert Division.objects.filter(level="grid", code__startswith="990103").count() == 24
    with pytest.raises(UserError, match="已存在"):
        build_synthetic_district(code="990103", name="基准区", streets=1)


def test_every_grid_centroid_locates_to_its_own_grid(yuehu):
    grids = list(Division.objects.filter(level="grid"))
    index = grid_index()
    found = index.locate_many([g.centroid_lon for g in grids], [g.centroid_lat for g in grids])
    assert list(found) == [g.code for g in grids]
    assert index.locate(grids[5].centroid_lon, grids[5].centroid_lat) == grids[5].code


def test_a_point_on_a_shared_edge_belongs_to_exactly_one_grid():
    from shapely.geometry import box

    index = GridIndex(["360602001001002", "360602001001001"], [box(1, 0, 2, 1), box(0, 0, 1, 1)])
    assert list(index.locate_many([1.0, 0.5, 1.5, 5.0], [0.5, 0.5, 0.5, 5.0])) == [
        "360602001001001",
        "360602001001001",
        "360602001001002",
        "",
    ]


def test_points_outside_every_grid_or_malformed_are_refused(yuehu):
    with pytest.raises(UserError, match="不在本区任何网格内"):
        locate_or_error(116.0, 39.9)
    with pytest.raises(UserError, match="必须是数字"):
        locate_or_error("东经", "28.2")
    with pytest.raises(UserError, match="超出范围"):
        locate_or_error(200, 28.2)
    with pytest.raises(UserError, match="超出范围"):
        locate_or_error(float("nan"), 28.2)


def test_the_index_follows_new_grids(yuehu):
    assert len(grid_index()) == 238
    build_synthetic_district(
        code="990104", name="新区", streets=1, communities_per_street=1, grids_per_community=2
    )
    assert len(grid_index()) == 240


def test_locate_many_is_vectorised_over_many_points(yuehu):
    rng = np.random.default_rng(3)
    district = shape(yuehu.boundary)
    minx, miny, maxx, maxy = district.bounds
    lons, lats = rng.uniform(minx, maxx, 20000), rng.uniform(miny, maxy, 20000)
    codes = grid_index().locate_many(lons, lats)
    inside = shapely.contains_xy(district, lons, lats)
    assert ((codes != "") == inside).all()
