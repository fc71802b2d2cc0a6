"""Factories for the register: a building in a grid, dwellings, people."""

from __future__ import annotations

import itertools

from jiceng.core.personal import id_check_char
from jiceng.registry.models import Building, Compound, Dwelling, Person, Residence

_seq = itertools.count(1)


def valid_id(birth: str = "19800101", seq: int | None = None, area: str = "360602") -> str:
    """A valid ID number (GB 11643) with this birth date."""
    n = next(_seq) if seq is None else seq
    first17 = f"{area}{birth}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def make_building(
    grid, name: str = "1栋", compound: str = "阳光小区", address: str = ""
) -> Building:
    community = grid.parent
    comp, _ = Compound.objects.get_or_create(
        community=community, name=compound, defaults={"scope_code": community.code}
    )
    return Building.objects.create(
        compound=comp, grid=grid, name=name, address=address or f"湖滨路{next(_seq)}号"
    )


def make_dwelling(grid, number: str = "101", entrance: str = "1单元", building=None) -> Dwelling:
    building = building or make_building(grid, name=f"{next(_seq)}栋")
    return Dwelling.objects.create(
        building=building, entrance=entrance, number=number, scope_code=building.scope_code
    )


def make_person(grid, *, name: str = "张三", dwelling=None, **fields) -> Person:
    dwelling = dwelling or make_dwelling(grid)
    fields.setdefault("id_number", valid_id())
    fields.setdefault("phone", "13800138000")
    person = Person.objects.create(
        name=name, dwelling=dwelling, scope_code=dwelling.scope_code, **fields
    )
    Residence.objects.create(
        person=person, dwelling=dwelling, moved_in="2020-01-01", scope_code=dwelling.scope_code
    )
    return person


import pytest  # noqa: E402

from tests.factories import user_with_role  # noqa: E402


@pytest.fixture
def cast(places):
    """The register's cast around grid1 of our community."""
    return {
        "places": places,
        "grid_worker": user_with_role("grid_worker", division=places["grid1"]),
        "colleague": user_with_role("community_worker", division=places["community"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "street": user_with_role("street_staff", division=places["street"]),
        "resident": user_with_role("resident", division=places["grid1"]),
    }


@pytest.fixture
def home(places):
    """A compound with a building in grid1 and two dwellings."""
    building = make_building(places["grid1"], name="3栋", compound="阳光小区", address="湖滨路12号")
    d1 = make_dwelling(places["grid1"], number="101", entrance="1单元", building=building)
    d2 = make_dwelling(places["grid1"], number="102", entrance="1单元", building=building)
    return {"building": building, "d1": d1, "d2": d2}
