"""`jiceng demo --district CODE`: any district of the shipped division data sees itself."""

from __future__ import annotations

import io

import pytest
import shapely.geometry
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.accounts.models import User
from jiceng.demo.builder import build_demo
from jiceng.geo.divisions import district_data
from jiceng.geo.models import Division
from jiceng.geo.services import demo_grids_total
from jiceng.partners.models import Partner
from jiceng.party.models import PartyOrg

pytestmark = pytest.mark.django_db


def test_the_demo_of_fugu_has_its_real_streets_and_communities_and_generated_grids():
    logins = build_demo(residents=40, district_code="610822")
    data = district_data("610822")
    places = Division.objects.filter(code__startswith="610822")
    assert places.get(level="district").name == "府谷县"
    assert places.filter(level="street").count() == len(data.streets) == 14
    assert places.filter(level="community").count() == len(data.communities) == 189
    assert places.filter(level="grid").count() == demo_grids_total(data)
    assert not Division.objects.exclude(code__startswith="610822").exists()
    # each grid lies in its community, each community in its street (generated boundaries)
    for grid in places.filter(level="grid").select_related("parent")[:50]:
        inside = shapely.geometry.shape(grid.parent.boundary).buffer(1e-9)
        assert inside.contains(shapely.geometry.shape(grid.boundary))
    assert Partner.objects.filter(kind="department", name="府谷县城市管理局").exists()
    assert PartyOrg.objects.filter(name="中共府谷县委员会").exists()
    for login in logins:
        user = User.objects.get(username=login.username)
        assert all(
            a.scope_code.startswith("610822") for a in user.active_assignments if a.division_id
        )


def test_the_demo_command_names_the_district_and_refuses_to_mix_two(capsys):
    out = io.StringIO()
    call_command("demo", no_serve=True, district="320213", residents=20, stdout=out)
    assert "江苏省无锡市梁溪区（320213）" in out.getvalue()
    with pytest.raises(CommandError, match="已建立为 梁溪区.*--reset"):
        call_command("demo", no_serve=True, district="360602", stdout=io.StringIO())
    with pytest.raises(CommandError, match="没有区县“999999”"):
        call_command("demo", no_serve=True, district="999999", stdout=io.StringIO())
