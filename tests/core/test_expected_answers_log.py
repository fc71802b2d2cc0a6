"""A 403 or 404 is an answer the platform gives on purpose: one line in the log, no traceback."""

from __future__ import annotations

import logging

import pytest

from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_a_forbidden_page_logs_one_line_and_no_traceback(client, places, caplog):
    resident = user_with_role("resident", division=places["grid1"])
    client.force_login(resident)
    with caplog.at_level(logging.INFO):
        response = client.get("/console/calendar/")
    assert response.status_code == 403
    lines = [r for r in caplog.records if r.name == "django.request"]
    assert len(lines) == 1
    assert "/console/calendar/" in lines[0].getMessage()
    assert lines[0].exc_info is None
    assert "Traceback" not in caplog.text


def test_a_page_outside_the_scope_logs_no_traceback(client, places, caplog):
    worker = user_with_role("grid_worker", division=places["grid1"])
    client.force_login(worker)
    with caplog.at_level(logging.INFO):
        response = client.get("/cases/999999999/")
    assert response.status_code == 404
    assert "Traceback" not in caplog.text


def test_a_real_error_keeps_its_traceback(caplog):
    from jiceng.core.logs import ExpectedAnswers

    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        with caplog.at_level(logging.ERROR):
            logger.error("Internal Server Error: /x", exc_info=True)
    assert any(f.__class__ is ExpectedAnswers for f in logger.filters)
    assert "Traceback" in caplog.text
