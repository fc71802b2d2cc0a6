"""The register through the JSON API: scoped, masked, the columns of the role."""

from __future__ import annotations

import pytest

from jiceng.core.models import AuditEntry
from jiceng.registry.models import CareTag, Person
from tests.registry.conftest import make_person, valid_id

pytestmark = pytest.mark.django_db


def test_search_lists_people_masked_with_the_columns_of_the_role(
    client, cast, home, places, django_assert_max_num_queries
):
    for i in range(12):
        p = make_person(places["grid1"], name=f"王{i:02d}", dwelling=home["d1"])
    CareTag.objects.create(person=p, tag="low_income", scope_code=p.scope_code)
    make_person(places["grid_n"], name="王邻居")
    client.force_login(cast["colleague"])
    with django_assert_max_num_queries(9):
        listed = client.get("/api/registry/people?q=王&limit=5").json()
    assert listed["count"] == 12 and len(listed["items"]) == 5
    item = listed["items"][0]
    assert item["phone_masked"] == "138****8000" and "phone" not in item
    assert item["care_tags"] == []
    assert client.get(f"/api/registry/people?q={p.id_number}").json()["items"][0]["care_tags"] == [
        "low_income"
    ]
    client.force_login(cast["street"])
    item = client.get("/api/registry/people?q=王&limit=50").json()["items"][0]
    assert "phone_masked" not in item and "id_number_masked" not in item and "care_tags" not in item
    client.logout()
    assert client.get("/api/registry/people").status_code == 401


def test_create_update_reveal_and_move_out_through_the_api(client, cast, home, places):
    client.force_login(cast["grid_worker"])
    number = valid_id("19580808")
    created = client.post(
        "/api/registry/people",
        {"name": "孙八", "id_number": number, "phone": "13700001234", "dwelling": home["d1"].pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["id_number_masked"] == number[:6] + "********" + number[-4:]
    pk = body["id"]
    bad = client.post(
        "/api/registry/people",
        {"name": "孙九", "id_number": "110105194912310021", "dwelling": home["d1"].pk},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "校验位" in bad.json()["detail"]
    assert Person.objects.count() == 1
    updated = client.put(
        f"/api/registry/people/{pk}",
        {"name": "孙八", "phone": "13700004321", "version": 1},
        content_type="application/json",
    )
    assert updated.json()["phone_masked"] == "137****4321"
    shown = client.post(
        f"/api/registry/people/{pk}/reveal",
        {"field": "id_number", "reason": "办理高龄津贴"},
        content_type="application/json",
    )
    assert shown.json() == {"field": "id_number", "value": number}
    assert AuditEntry.objects.filter(action="registry.reveal").count() == 1
    out = client.post(f"/api/registry/people/{pk}/move-out", {}, content_type="application/json")
    assert out.json()["status"] == "moved_out" and out.json()["residences"][0]["moved_out"]
    client.force_login(cast["outsider"])
    assert client.get(f"/api/registry/people/{pk}").status_code == 404
    client.force_login(cast["street"])
    refused = client.post(
        f"/api/registry/people/{pk}/reveal",
        {"field": "phone", "reason": "检查"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert AuditEntry.objects.filter(action="registry.reveal").count() == 1


def test_address_lookup_through_the_api(client, cast, home, places):
    client.force_login(cast["resident"])
    found = client.get("/api/registry/locate", {"address": "湖滨路12号2单元"}).json()
    assert found["grid_code"] == places["grid1"].code and found["building"] == "阳光小区3栋"
    assert client.get("/api/registry/locate", {"address": "火星路1号"}).status_code == 404


def test_the_tree_and_the_export_through_the_api(client, cast, home, places):
    person = make_person(places["grid1"], name="李雷", dwelling=home["d1"])
    client.force_login(cast["grid_worker"])
    compounds = client.get("/api/registry/compounds").json()["items"]
    assert [c["name"] for c in compounds] == ["阳光小区"]
    buildings = client.get(f"/api/registry/compounds/{compounds[0]['id']}/buildings").json()
    assert buildings[0]["grid_code"] == places["grid1"].code and buildings[0]["people_count"] == 1
    dwellings = client.get(f"/api/registry/buildings/{buildings[0]['id']}/dwellings").json()
    assert dwellings[0]["people"] == [{"id": person.pk, "name": "李雷", "relation": ""}]
    export = client.get("/api/registry/export.xlsx")
    from jiceng.registry.excel import read_export

    rows = read_export(b"".join(export.streaming_content))
    assert rows[1][0] == "李雷" and "138****8000" in rows[1]
    client.force_login(cast["outsider"])
    assert client.get(f"/api/registry/buildings/{buildings[0]['id']}/dwellings").status_code == 404
    assert client.get("/api/registry/compounds").json()["count"] == 0
