"""Metrics computed from the event log, for a place or a handler, on pages and in public."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jiceng.cases import metrics, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def loop(cast, category):
    """Five reports with known fates."""
    r, s = cast["resident"], cast["secretary"]
    report = lambda text: services.case_report(by=r, category=category, description=text)  # noqa: E731
    a = report("井盖缺失")
    a = services.case_file(case=a, by=s)
    a = services.case_triage(case=a, by=s, triage="major")
    a = services.case_dispatch(case=a, by=cast["street"], to_unit=cast["department"])
    a = services.case_accept(case=a, by=cast["handler"])
    a = services.case_report_back(case=a, by=cast["handler"], note="补装")
    a = services.case_verify(case=a, by=cast["grid_worker"], ok=False, note="不平")
    a = services.case_report_back(case=a, by=cast["handler"], note="调平")
    a = services.case_verify(case=a, by=cast["grid_worker"], ok=True)
    services.case_rate(case=a, by=r, rating="satisfied")
    services.case_reject(case=report("不属于本区"), by=s, note="不在辖区")
    report("刚刚上报")
    services.case_merge(case=report("同一个井盖"), into=a, by=s, note="重复")
    e = services.case_triage(
        case=services.case_file(case=report("邻居吵架"), by=s), by=s, triage="private"
    )
    e = services.case_guide(case=e, by=s, note="已引导调解")
    services.case_rate(case=e, by=r, rating="dissatisfied")
    return a


def test_the_rates_follow_their_definitions(loop, cast):
    today = timezone.localdate()
    f = metrics.compute(start=today, end=today, scope=cast["places"]["community"].code)
    assert (
        f.reported,
        f.responded,
        f.due,
        f.closed,
        f.verified,
        f.reworked,
        f.rated,
        f.satisfied,
    ) == (5, 4, 3, 2, 1, 1, 2, 1)
    assert f.response_rate == 80.0
    assert f.closure_rate == 66.7
    assert f.on_time_closure_rate == 66.7
    assert f.rework_rate == 100.0
    assert f.satisfaction_rate == 50.0
    assert set(f.median_hours) >= {"reported", "filed", "dispatched", "in_progress", "handled"}


def test_other_places_periods_and_handlers_count_apart(loop, cast):
    today = timezone.localdate()
    assert (
        metrics.compute(start=today, end=today, scope=cast["places"]["neighbour"].code).reported
        == 0
    )
    yesterday = today - timezone.timedelta(days=1)
    assert metrics.compute(start=yesterday, end=yesterday).reported == 0
    by_handler = metrics.compute(start=today, end=today, handler_id=cast["department"].pk)
    assert (by_handler.reported, by_handler.closed) == (1, 1)
    grids = metrics.compute_grouped(start=today, end=today, scope="360602", by="grid")
    assert [(g.key, g.reported) for g in grids] == [(cast["places"]["grid1"].code, 5)]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [("2025-13-01", "2025-12-01", "日期格式"), ("2025-02-01", "2025-01-01", "不能早于")],
)
def test_bad_periods_are_explained(start, end, message):
    with pytest.raises(Exception, match=message):
        metrics.compute(start=start, end=end)


def test_staff_read_their_scope_and_not_others(client, loop, cast, django_assert_max_num_queries):
    client.force_login(cast["street"])
    with django_assert_max_num_queries(12):
        body = client.get("/cases/metrics/?by=community").content.decode()
    assert 'data-testid="figures"' in body and cast["places"]["community"].name in body
    client.force_login(cast["secretary"])
    assert client.get("/cases/metrics/?scope=360602001002").status_code == 404
    assert "日期格式" in client.get("/cases/metrics/?start=yesterday").content.decode()


def test_residents_read_their_communitys_figures_without_logging_in(client, loop, cast):
    body = client.get(f"/cases/open/{cast['places']['community'].code}/").content.decode()
    assert "80.0%" in body and "50.0%" in body
    assert cast["resident"].full_name not in body and "井盖" not in body
    assert client.get("/cases/open/360602001009/").status_code == 404
