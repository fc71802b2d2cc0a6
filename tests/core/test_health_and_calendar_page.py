from __future__ import annotations

import pytest

from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_health_check_answers_ok_with_the_database(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["database"] == "ok"
    if settings.REDIS_URL:
        assert response.json()["checks"]["redis"] == "ok"


def test_health_check_names_the_failing_database(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise ConnectionError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error")


def test_staff_compute_a_deadline_on_the_calendar_page(client, places):
    client.force_login(user_with_role("community_worker", division=places["community"]))
    page = client.get("/console/calendar/?month=2025-10&start=2025-09-30T16:00&hours=4")
    body = page.content.decode()
    assert page.status_code == 200
    assert "2025-10-09 11:00" in body
    assert 'data-date="2025-10-11" data-working="1"' in body  # make-up Saturday
    assert 'data-date="2025-10-03" data-working="0"' in body


def test_the_calendar_page_explains_a_bad_start(client, places):
    client.force_login(user_with_role("community_worker", division=places["community"]))
    body = client.get("/console/calendar/?start=yesterday&hours=4").content.decode()
    assert "请填写正确的开始时间和工作小时数" in body


def test_residents_may_not_open_the_calendar_page(client, places):
    client.force_login(user_with_role("resident", division=places["grid1"]))
    assert client.get("/console/calendar/").status_code == 403


def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/livez").json() == {"status": "ok"}


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_icon_not_a_404(client):
    """An image or PDF opened from a link names no icon, so Chromium asks for /favicon.ico;
    a 404 there is a console error on every such page."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
