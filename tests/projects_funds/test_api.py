"""The funds' API: the cast, balances as strings to the fen, approval refused to the author."""

from __future__ import annotations

import pytest

from tests.projects_funds.conftest import spend

pytestmark = pytest.mark.django_db


def test_lines_for_the_cast(client, cast, django_assert_max_num_queries):
    s = spend(cast, "99.90")
    client.force_login(cast["street"])
    client.post(f"/api/projects/funds/spending/{s.pk}/approve", {}, content_type="application/json")
    client.force_login(cast["secretary"])
    with django_assert_max_num_queries(12):
        (line,) = client.get("/api/projects/funds/lines").json()
    assert line["balance"] == {
        "amount": "200000.00",
        "allocated": "50000.00",
        "committed": "99.90",
        "spent": "99.90",
        "balance": "199900.10",
    }
    client.force_login(cast["outsider"])
    assert client.get("/api/projects/funds/lines").json() == []
    assert client.get(f"/api/projects/funds/lines/{cast['line'].pk}").status_code == 404
    client.logout()
    assert client.get("/api/projects/funds/lines").status_code == 401


def test_a_line_with_its_allocations(client, cast):
    spend(cast, "10.00")
    client.force_login(cast["worker"])
    body = client.get(f"/api/projects/funds/lines/{cast['line'].pk}").json()
    assert body["allocations"][0]["committed"] == "10.00"
    assert body["allocations"][0]["spent"] == "0.00"


def test_the_author_cannot_approve_through_the_api(client, cast):
    s = spend(cast, by="street")
    client.force_login(cast["street"])
    r = client.post(
        f"/api/projects/funds/spending/{s.pk}/approve", {}, content_type="application/json"
    )
    assert r.status_code == 403
    client.force_login(cast["outsider"])
    r = client.post(
        f"/api/projects/funds/spending/{s.pk}/approve", {}, content_type="application/json"
    )
    assert r.status_code == 404
    client.force_login(cast["district"])
    r = client.post(
        f"/api/projects/funds/spending/{s.pk}/reject", {"note": ""}, content_type="application/json"
    )
    assert r.status_code in (400, 422)
    s.refresh_from_db()
    assert s.status == "pending"
    r = client.post(
        f"/api/projects/funds/spending/{s.pk}/approve", {}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    listed = client.get("/api/projects/funds/spending?status=approved").json()
    assert [x["id"] for x in listed["items"]] == [s.pk]
