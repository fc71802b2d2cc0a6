"""The inbox's pages and the API's lists read a page and its total in one statement
(``core.paging``): what a secretary sees on each page, and what the API counts, is unchanged."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.cases.models import Case
from jiceng.core import paging
from jiceng.geo.models import Division
from tests.cases.conftest import make_case

pytestmark = pytest.mark.django_db


def _numbers(html: str) -> list[str]:
    return re.findall(r"T\d{6}", html)


def test_the_inbox_pages_show_every_case_once_and_the_page_count(client, cast, category):
    cases = [make_case(cast, category) for _ in range(55)]
    make_case(cast, category, scope_code=cast["places"]["grid_n"].code)  # not hers
    client.force_login(cast["secretary"])
    first = client.get("/cases/inbox/").content.decode()
    second = client.get("/cases/inbox/?page=2").content.decode()
    assert "1 / 2" in first and "2 / 2" in second
    seen = set(_numbers(first)) | set(_numbers(second))
    assert seen == {c.number for c in cases}
    assert len(set(_numbers(second))) == 5
    # past the end: the last page; not a number: the first
    assert set(_numbers(client.get("/cases/inbox/?page=9").content.decode())) == set(
        _numbers(second)
    )
    assert set(_numbers(client.get("/cases/inbox/?page=x").content.decode())) == set(
        _numbers(first)
    )


def test_an_empty_inbox_and_an_empty_page_past_its_end(client, cast):
    client.force_login(cast["secretary"])
    for url in ("/cases/inbox/", "/cases/inbox/?page=3"):
        response = client.get(url)
        assert response.status_code == 200
        assert not _numbers(response.content.decode())


def test_the_api_counts_every_case_it_may_show_and_pages_through_them(client, cast, category):
    mine = {make_case(cast, category).number for _ in range(12)}
    make_case(cast, category, scope_code=cast["places"]["grid_n"].code)
    client.force_login(cast["secretary"])
    got = set()
    for offset in (0, 5, 10):
        listed = client.get(f"/api/cases/?limit=5&offset={offset}").json()
        assert listed["count"] == 12
        got |= {item["number"] for item in listed["items"]}
    assert got == mine
    past = client.get("/api/cases/?limit=5&offset=40").json()
    assert past == {"items": [], "count": 12}


def test_a_page_and_its_total_are_one_statement(cast, category):
    for _ in range(7):
        make_case(cast, category)
    cases = Case.objects.order_by("pk")
    with CaptureQueriesContext(connection) as queries:
        rows, total = paging.rows_and_total(cases, 5, 5)
    assert (len(rows), total, len(queries)) == (2, 7, 1)
    # a page past the end asks for the count apart; DISTINCT is counted as Django counts it
    assert paging.rows_and_total(cases, 50, 5) == ([], 7)
    codes = Division.objects.values("level").distinct().order_by("level")
    rows, total = paging.rows_and_total(codes, 0, 2)
    assert total == codes.count() and len(rows) == min(2, total)
