"""Requests (nothing typed twice): the street asks its communities for a book, one answers with
the platform's book in one click, the other by hand; the request shows who has answered; the
burden indicator counts both ways; to-dos and the API."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from jiceng.core.registry import todos_for
from jiceng.reports.manifest import answered_from_records
from jiceng.reports.models import BookRequest, Generation, RequestAnswer

LIST = "/console/reports/requests/"


def _ask(client, cast, **extra):
    client.force_login(cast["street"])
    data = {
        "title": "十月测试台账",
        "book_key": "tests.fake",
        "kind": "month",
        "year": 2026,
        "number": 10,
    } | extra
    return client.post(LIST + f"?place={cast['places']['street'].code}", data)


def test_street_asks_and_communities_answer(client, cast, django_capture_on_commit_callbacks):
    response = _ask(client, cast)
    asked = BookRequest.objects.get()
    assert response.status_code == 302
    assert asked.answers.count() == 2
    # the secretary owes an answer: on the to-do list and the requests page
    client.force_login(cast["secretary"])
    assert b'data-testid="owed"' in client.get(LIST).content
    mine = asked.answers.get(scope_code=cast["places"]["community"].code)
    theirs = asked.answers.get(scope_code=cast["places"]["neighbour"].code)
    url = f"/console/reports/requests/{asked.pk}/"
    # the secretary cannot answer for the neighbour
    assert client.post(url, {"answer": theirs.pk, "action": "hand", "value": "3"}).status_code in (
        403,
        404,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"answer": mine.pk, "action": "records"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.from_records and mine.status == "answered"
    assert mine.generation.status == Generation.Status.DONE
    # the neighbour fills by hand
    client.force_login(cast["outsider"])
    assert client.post(url, {"answer": theirs.pk, "action": "hand", "value": ""}).status_code == 400
    assert (
        client.post(url, {"answer": theirs.pk, "action": "hand", "value": "共4条"}).status_code
        == 302
    )
    # the street sees who answered and how
    client.force_login(cast["street"])
    html = client.get(url).content.decode()
    assert 'data-testid="answered">2 / 2' in html
    assert "平台记录生成" in html and "手工填报" in html
    # the burden: one of two from records
    now = timezone.now()
    start = datetime(now.year, now.month, 1, tzinfo=now.tzinfo)
    counted = answered_from_records(
        cast["places"]["street"].code, start, now + timezone.timedelta(days=1)
    )
    assert counted == {
        cast["places"]["community"].code: (1, 1),
        cast["places"]["neighbour"].code: (0, 1),
    }


def test_only_street_and_district_ask(client, cast):
    client.force_login(cast["secretary"])
    response = client.post(
        LIST, {"title": "x", "book_key": "tests.fake", "kind": "month", "year": 2026, "number": 10}
    )
    assert response.status_code == 403
    assert not BookRequest.objects.exists()


def test_book_or_figure_not_both(client, cast):
    response = _ask(client, cast, figure="低保户数")
    assert response.status_code == 400
    assert "二选一" in response.content.decode()
    assert not BookRequest.objects.exists()


def test_outsider_cannot_open_a_request_of_another_street(client, cast, places):
    _ask(client, cast)
    asked = BookRequest.objects.get()
    from tests.factories import division, user_with_role

    other = division("360602002", "别的街道", places["district"])
    stranger = user_with_role("street_staff", division=other)
    client.force_login(stranger)
    assert client.get(f"/console/reports/requests/{asked.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["secretary", "street"])
def test_api_lists_books_and_generates(client, cast, who, django_capture_on_commit_callbacks):
    client.force_login(cast[who])
    books = client.get("/api/reports/books?period_kind=month").json()
    assert "tests.fake" in [b["key"] for b in books]
    code = cast["places"]["community"].code
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(
            "/api/reports/generations",
            {"place": code, "kind": "book", "book": "tests.fake", "year": 2026, "number": 10},
            content_type="application/json",
        )
    assert made.status_code == 201
    pk = made.json()["id"]
    status = client.get(f"/api/reports/generations/{pk}").json()
    assert status["status"] == "done" and status["formats"] == ["pdf", "xlsx"]
    assert client.get(f"/api/reports/generations/{pk}/file/pdf").status_code == 200


def test_api_outside_the_scope(client, cast):
    client.force_login(cast["outsider"])
    code = cast["places"]["community"].code
    assert client.get(f"/api/reports/books?place={code}").status_code == 404
    response = client.post(
        "/api/reports/generations",
        {"place": code, "kind": "books_zip", "year": 2026, "number": 10},
        content_type="application/json",
    )
    assert response.status_code == 404
    client.logout()
    assert client.get("/api/reports/books").status_code in (401, 403)


def test_todos_count_what_the_list_shows(client, cast):
    _ask(client, cast)
    lines = {str(t.label): t for t in todos_for(cast["secretary"])}
    assert lines["待报送的报送要求"].count == 1
    assert RequestAnswer.objects.filter(status="waiting").count() == 2
