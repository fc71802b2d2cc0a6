from __future__ import annotations

import pytest

from jiceng.cases.models import Case
from tests.cases.conftest import make_case

pytestmark = pytest.mark.django_db


def test_the_api_reports_lists_and_moves_a_case(
    client, cast, category, django_assert_max_num_queries
):
    client.force_login(cast["resident"])
    created = client.post(
        "/api/cases/",
        {"category": "0101", "description": "井盖缺失"},
        content_type="application/json",
    )
    assert created.status_code == 201
    number = created.json()["number"]
    assert created.json()["events"][0]["to_status"] == "reported"
    client.force_login(cast["secretary"])
    for _ in range(10):
        make_case(cast, category)
    # Nine at most: one of them reads the category names, once a minute per process (a memo).
    with django_assert_max_num_queries(9):
        listed = client.get("/api/cases/?status=reported&limit=5").json()
    assert listed["count"] == 11 and len(listed["items"]) == 5
    moved = client.post(
        f"/api/cases/{number}/actions/file", {"version": 0}, content_type="application/json"
    )
    assert moved.json()["status"] == "filed"
    stale = client.post(
        f"/api/cases/{number}/actions/reject",
        {"version": 0, "note": "重复"},
        content_type="application/json",
    )
    assert stale.status_code == 409 and "刚被他人处理过" in stale.json()["detail"]


def test_the_api_refuses_bad_input_and_hides_other_places(client, cast, category):
    client.force_login(cast["resident"])
    bad = client.post(
        "/api/cases/", {"category": "9999", "description": "x"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "未知的问题类别" in bad.json()["detail"]
    assert not Case.objects.exists()
    theirs = make_case(
        cast,
        category,
        scope_code=cast["places"]["grid_n"].code,
        reporter=cast["neighbour_resident"],
    )
    assert client.get(f"/api/cases/{theirs.number}").status_code == 404
    assert client.get("/api/cases/?status=bogus").status_code == 400
    client.logout()
    assert client.get("/api/cases/").status_code == 401


def test_only_residents_and_grid_staff_report_through_the_api(client, cast, category):
    client.force_login(cast["street"])
    refused = client.post(
        "/api/cases/", {"category": "0101", "description": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert not Case.objects.exists()


def test_a_new_case_is_answered_with_its_history_without_reading_it_again(client, cast, category):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast["resident"])
    with CaptureQueriesContext(connection) as queries:
        created = client.post(
            "/api/cases/",
            {"category": "0101", "description": "井盖缺失"},
            content_type="application/json",
        )
    assert created.status_code == 201
    assert [e["action"] for e in created.json()["events"]] == ["report"]
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert not any("cases_caseevent" in sql for sql in reads)
    case = Case.objects.get()
    assert case.events.filter(action="report").count() == 1
