"""The coordinate conversions against the reference points the coordtransform library
publishes (wandergis/coordtransform, test/app.js: 116.404, 39.915 in each direction)."""

import numpy as np
import pytest
from shapely.geometry import Point

from jiceng.geo import coords


def close(got, expected, tol=1e-9):
    return abs(float(got[0]) - expected[0]) <= tol and abs(float(got[1]) - expected[1]) <= tol


def test_forward_formulas_match_the_published_reference_points():
    assert close(coords.wgs84_to_gcj02(116.404, 39.915), (116.41024449916938, 39.91640428150164))
    # Baidu's own inverse (the library's bd09togcj02) is a few centimetres off; ours is exact
    assert close(
        coords.bd09_to_gcj02(116.404, 39.915), (116.39762729119315, 39.90865673957631), 1e-6
    )
    assert close(coords.gcj02_to_bd09(*coords.bd09_to_gcj02(116.404, 39.915)), (116.404, 39.915))
    assert close(coords.gcj02_to_bd09(116.404, 39.915), (116.41036949371029, 39.92133699351021))


def test_the_iterative_inverse_is_exact_where_the_one_step_inverse_is_off_by_centimetres():
    lon, lat = coords.gcj02_to_wgs84(116.404, 39.915)
    back = coords.wgs84_to_gcj02(lon, lat)
    assert close(back, (116.404, 39.915), 1e-8)
    # the library's one-step inverse gives 116.39775550083061, 39.91359571849836: ~3 cm off
    assert abs(float(lon) - 116.39775550083061) > 1e-7


def test_gcj02_is_offset_by_hundreds_of_metres_and_a_gps_point_lands_back_in_its_grid():
    # Yuehu (Yingtan): a point and its GCJ-02 image are 100-700 m apart
    lon, lat = 117.05, 28.235
    glon, glat = coords.wgs84_to_gcj02(lon, lat)
    metres = np.hypot((glon - lon) * 111_000 * np.cos(np.radians(lat)), (glat - lat) * 111_000)
    assert 100 < metres < 700
    square = Point(lon, lat).buffer(0.0005)  # a grid 50 m across
    assert not square.contains(Point(float(glon), float(glat)))
    wlon, wlat = coords.to_wgs84(coords.System.GCJ02, glon, glat)
    assert square.contains(Point(float(wlon), float(wlat)))


@pytest.mark.parametrize("system", [coords.System.GCJ02, coords.System.BD09, coords.System.WGS84])
def test_round_trip_through_each_system_is_below_a_millimetre(system):
    rng = np.random.default_rng(3)
    lon = rng.uniform(100, 125, 500)
    lat = rng.uniform(20, 45, 500)
    x, y = coords.from_wgs84(system, lon, lat)
    back_lon, back_lat = coords.to_wgs84(system, x, y)
    assert np.max(np.abs(back_lon - lon)) < 1e-8
    assert np.max(np.abs(back_lat - lat)) < 1e-8


def test_points_outside_china_are_not_offset():
    assert close(coords.wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85), 0)
