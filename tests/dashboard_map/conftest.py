"""The cast of the warning centre, the map and the big screen: the district's, the street's and
our community's staff, the neighbour community's secretary, a resident; square boundaries for
the places; a fake warning source the tests switch on and off."""

from __future__ import annotations

import pytest

from jiceng.core.registry import (
    SEVERE,
    WARNING,
    Alert,
    WarningSource,
    register_warning_source,
    unregister_warning_source,
)
from tests.factories import user_with_role

# The fake source's conditions now: key -> (scope_code, severity). Tests change it.
CONDITIONS: dict[str, tuple[str, str]] = {}


def _collect(today):
    return [
        Alert(
            key=key,
            scope_code=scope,
            title=f"测试预警 {key}",
            since=today,
            url="/console/",
            severity=severity,
        )
        for key, (scope, severity) in CONDITIONS.items()
    ]


@pytest.fixture
def source():
    """Only the fake source runs in these tests (run_sources(kinds=["test.fake"]))."""
    CONDITIONS.clear()
    register_warning_source(
        WarningSource(
            "test.fake",
            "测试预警",
            _collect,
            frozenset({"community_secretary", "community_worker", "street_staff"}),
        )
    )
    yield CONDITIONS
    unregister_warning_source("test.fake")
    CONDITIONS.clear()


def square(x: float, y: float, size: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]],
    }


@pytest.fixture
def cast(places):
    shapes = {
        "district": (117.0, 28.2, 0.2),
        "street": (117.0, 28.2, 0.2),
        "community": (117.0, 28.2, 0.1),
        "neighbour": (117.1, 28.2, 0.1),
        "grid1": (117.0, 28.2, 0.05),
        "grid2": (117.05, 28.2, 0.05),
        "grid_n": (117.1, 28.2, 0.1),
    }
    for name, (x, y, size) in shapes.items():
        d = places[name]
        d.boundary = square(x, y, size)
        d.centroid_lon, d.centroid_lat = x + size / 2, y + size / 2
        d.save()
    return {
        **places,
        "district_staff": user_with_role("district_staff", division=places["district"]),
        "street_staff": user_with_role("street_staff", division=places["street"]),
        "secretary": user_with_role("community_secretary", division=places["community"]),
        "colleague": user_with_role("community_worker", division=places["community"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "resident": user_with_role("resident", division=places["community"]),
    }


__all__ = ["SEVERE", "WARNING"]
