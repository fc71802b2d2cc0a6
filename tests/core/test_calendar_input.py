"""The calendar page's query (a month, the deadline calculator's start and hours) goes through a
form and core.inputs: a value past what the calendar can count is explained, kept in the form,
and never a server error."""

from __future__ import annotations

import html

import pytest

from jiceng.core.inputs import day_out_of_range_message
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(client, places):
    client.force_login(user_with_role("community_worker", division=places["community"]))
    return client


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_month_past_the_calendar_is_refused_with_the_range(worker, month):
    page = worker.get("/console/calendar/", {"month": month})
    assert page.status_code == 400
    assert day_out_of_range_message() in html.unescape(page.content.decode())


@pytest.mark.parametrize(
    ("start", "hours"),
    [
        ("2025-09-30T16:00", "inf"),
        ("2025-09-30T16:00", "1e308"),
        ("9999-12-31T16:00", "400"),
        ("0001-01-01T00:00", "4"),
    ],
    ids=["infinite", "huge", "year-9999", "year-1"],
)
def test_a_deadline_the_calendar_cannot_count_is_explained_and_kept(worker, start, hours):
    page = worker.get("/console/calendar/", {"start": start, "hours": hours})
    body = page.content.decode()
    assert page.status_code == 200
    assert "请填写正确的开始时间和工作小时数" in body
    assert f'value="{start}"' in body and f'value="{hours}"' in body
