"""The resident's pin map shows the register's compounds and buildings with their names (issue
19), from our own data: a resident finds where the problem is by the places they know."""

from __future__ import annotations

import re

import pytest
from shapely.geometry import shape

from jiceng.cases import pinmap
from jiceng.geo.models import Division
from jiceng.geo.services import load_real_district
from jiceng.registry.models import Building, Compound
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

HOME = "360602001001001"


@pytest.fixture
def register(starter_categories):
    load_real_district(code="360602")
    community = Division.objects.get(code=HOME[:12])
    grid = Division.objects.get(code=HOME)
    centre = shape(grid.boundary).representative_point()
    compound = Compound.objects.create(
        community=community, name="梅园小区", scope_code=community.code
    )
    for n in range(3):
        Building.objects.create(
            compound=compound,
            grid=grid,
            name=f"{n + 1}栋",
            lon=centre.x + n * 0.0002,
            lat=centre.y,
        )
    Building.objects.create(grid=grid, name="无坐标楼", compound=compound)  # not drawn
    return community


def test_the_report_map_draws_the_compounds_and_buildings_with_their_names(client, register):
    client.force_login(user_with_role("resident", division=Division.objects.get(code=HOME)))
    body = client.get("/cases/report/").content.decode()
    layer = re.search(r'<g class="register".*?</g>', body, re.S).group(0)
    assert 'pointer-events="none"' in layer  # a tap still lands on the grid under it
    assert layer.count('class="pin-compound"') == 1 and "梅园小区" in layer
    assert layer.count('class="pin-building"') == 3
    assert all(f">{n}栋<" in layer for n in (1, 2, 3)) and "无坐标楼" not in layer
    assert len(body.encode()) < 300_000


def test_a_compound_in_another_community_is_not_drawn(client, register):
    other = Division.objects.get(code="360602001002")
    elsewhere = Compound.objects.create(community=other, name="湖西花园", scope_code=other.code)
    grid = Division.objects.filter(code__startswith=other.code, level="grid").first()
    point = shape(grid.boundary).representative_point()
    Building.objects.create(compound=elsewhere, grid=grid, name="1栋", lon=point.x, lat=point.y)
    svg = pinmap.pin_map(
        list(pinmap.grids_of(register.code)), places=pinmap.register_places(register.code)
    )
    assert "梅园小区" in svg and "湖西花园" not in svg


def test_a_large_community_marks_its_buildings_without_names():
    places = [
        pinmap.RegisterPlace("大小区", [(f"{n}栋", 117.0 + n * 1e-5, 28.2) for n in range(200)])
    ]
    overlay = pinmap._register_overlay(
        places, pinmap.Projection(117.0, 28.3, 1000.0, 1100.0), lambda g: "M0,0 Z"
    )
    assert overlay.count('class="pin-building"') == 200
    assert "pin-building-name" not in overlay and "大小区" in overlay
