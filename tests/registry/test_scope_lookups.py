"""What a register page or the API names (a community code, an ID number, a building) is resolved
through what the actor may see: elsewhere reads like missing, and nothing changes. A grid worker
sees only what lies in their grids."""

from __future__ import annotations

import html
import re

import pytest

from jiceng.core.models import AuditEntry
from jiceng.registry.models import Building, Compound, Person
from tests.registry.conftest import make_building, make_dwelling, make_person, valid_id

pytestmark = pytest.mark.django_db


def _alerts(body: str) -> list[str]:
    return re.findall(r'<li class="msg[^"]*" role="alert">(.*?)</li>', html.unescape(body), re.S)


@pytest.fixture
def compound_across_grids(places):
    """One compound of our community with a building in grid 1 and one in grid 2."""
    mine = make_building(places["grid1"], name="1栋", compound="阳光小区", address="湖滨路1号")
    other = make_building(places["grid2"], name="9栋", compound="阳光小区", address="湖滨路9号")
    make_person(
        places["grid2"], name="王五", dwelling=make_dwelling(places["grid2"], building=other)
    )
    return {"compound": mine.compound, "mine": mine, "other": other}


def test_a_grid_worker_sees_only_the_buildings_of_their_grid_on_a_compounds_page(
    client, cast, compound_across_grids
):
    client.force_login(cast["grid_worker"])
    compound = compound_across_grids["compound"]
    body = client.get(f"/console/registry/compounds/{compound.pk}/").content.decode()
    assert "湖滨路1号" in body
    assert "湖滨路9号" not in body and "9栋" not in body
    listed = client.get("/console/registry/").content.decode()
    row = re.search(r"阳光小区.*?</tr>", listed, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1"]  # one building, not the community's two


def test_a_grid_worker_sees_only_their_grids_buildings_through_the_api(
    client, cast, compound_across_grids
):
    client.force_login(cast["grid_worker"])
    compound = compound_across_grids["compound"]
    rows = client.get(f"/api/registry/compounds/{compound.pk}/buildings").json()
    assert [r["address"] for r in rows] == ["湖滨路1号"]
    listed = client.get("/api/registry/compounds").json()["items"]
    assert [c["building_count"] for c in listed] == [1]
    other = compound_across_grids["other"]
    assert client.get(f"/api/registry/buildings/{other.pk}/dwellings").status_code == 404


def test_a_community_colleague_still_sees_every_building_of_the_compound(
    client, cast, compound_across_grids
):
    client.force_login(cast["colleague"])
    compound = compound_across_grids["compound"]
    rows = client.get(f"/api/registry/compounds/{compound.pk}/buildings").json()
    assert sorted(r["address"] for r in rows) == ["湖滨路1号", "湖滨路9号"]


def test_registering_a_compound_in_another_community_reads_like_a_missing_one(client, cast, places):
    client.force_login(cast["colleague"])
    before = (Compound.objects.count(), AuditEntry.objects.count())
    answers = []
    for code in (places["neighbour"].code, "360602001009"):
        response = client.post(
            "/console/registry/compounds/add/", {"community": code, "name": "新小区"}, follow=True
        )
        answers.append((response.status_code, _alerts(response.content.decode())))
    assert answers[0] == answers[1]
    assert (Compound.objects.count(), AuditEntry.objects.count()) == before


def test_moving_in_someone_who_lives_in_another_community_reads_like_an_unknown_id_number(
    client, cast, places, home
):
    theirs = make_person(places["grid_n"], name="李四")
    client.force_login(cast["grid_worker"])
    url = f"/console/registry/dwellings/{home['d1'].pk}/"
    before = (Person.objects.filter(dwelling=home["d1"]).count(), AuditEntry.objects.count())
    known = client.post(url, {"existing_id": theirs.id_number})
    unknown = client.post(url, {"existing_id": valid_id()})
    assert known.status_code == unknown.status_code
    assert _alerts(known.content.decode()) == _alerts(unknown.content.decode())
    theirs.refresh_from_db()
    assert theirs.dwelling.scope_code == places["grid_n"].code
    assert (Person.objects.filter(dwelling=home["d1"]).count(), AuditEntry.objects.count()) == (
        before
    )


def test_someone_who_moved_out_elsewhere_can_still_be_moved_in_by_id_number(
    client, cast, places, home
):
    from jiceng.registry import services

    secretary = cast["outsider"]
    theirs = make_person(places["grid_n"], name="李四")
    services.person_move_out(person=theirs, by=secretary, on=None)
    client.force_login(cast["grid_worker"])
    client.post(f"/console/registry/dwellings/{home['d1'].pk}/", {"existing_id": theirs.id_number})
    theirs.refresh_from_db()
    assert theirs.dwelling_id == home["d1"].pk


def test_buildings_are_not_counted_from_other_grids_for_the_worker(cast, compound_across_grids):
    from jiceng.registry import selectors

    rows = list(selectors.compounds(user=cast["grid_worker"]))
    assert [c.building_count for c in rows] == [1]
    assert Building.objects.count() == 2
