"""Metrics computed from the event log, for a place or a handler, on pages and in public."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jiceng.cases import metrics, services
from tests.cases.conftest import site_photo

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
    a = services.case_verify(
        case=a, by=cast["grid_worker"], ok=False, note="不平", photos=[site_photo()]
    )
    a = services.case_report_back(case=a, by=cast["handler"], note="调平")
    a = services.case_verify(case=a, by=cast["grid_worker"], ok=True, photos=[site_photo()])
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
    # RULES.md's handling figures: one dispatch, never returned; one case went to handling and
    # was reported back in time.
    assert (f.dispatched, f.dispatched_right, f.to_handle, f.handled, f.handled_on_time) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert f.dispatch_accuracy == f.handling_rate == f.on_time_handling_rate == 100.0
    assert f.mean_handling_hours is not None


def test_a_returned_dispatch_and_a_late_report_lower_the_handling_figures(cast, category):
    from datetime import timedelta

    from jiceng.cases.models import Case

    r, s = cast["resident"], cast["secretary"]
    case = services.case_report(by=r, category=category, description="井盖缺失")
    case = services.case_triage(case=services.case_file(case=case, by=s), by=s, triage="major")
    case = services.case_dispatch(case=case, by=cast["street"], to_unit=cast["department"])
    case = services.case_return(case=case, by=cast["handler"], note="不归我们")
    case = services.case_dispatch(case=case, by=cast["street"], to_unit=cast["other_unit"])
    case = services.case_accept(case=case, by=cast["other_handler"])
    Case.objects.filter(pk=case.pk).update(deadline_at=timezone.now() - timedelta(hours=1))
    case.refresh_from_db()
    services.case_report_back(case=case, by=cast["other_handler"], note="修好了")
    today = timezone.localdate()
    f = metrics.compute(start=today, end=today)
    assert (f.dispatched, f.dispatched_right, f.to_handle, f.handled, f.handled_on_time) == (
        1,
        0,
        1,
        1,
        0,
    )
    assert f.dispatch_accuracy == 0.0 and f.on_time_handling_rate == 0.0
    assert f == metrics.compute_from_log(start=today, end=today)


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


def tally_rows():
    from jiceng.cases.models import CaseTally

    return sorted(
        tuple(round(v, 6) if isinstance(v, float) else v for v in row)
        for row in CaseTally.objects.values_list()
    )


def test_the_tallies_say_what_the_event_log_says(loop, cast):
    """The figures from the tallies kept with every event equal those read straight from the
    log, for a place, a handler and every grouping; and rebuilding every tally from the log
    changes nothing."""
    from jiceng.cases import tally

    today = timezone.localdate()
    community = cast["places"]["community"].code
    for kwargs in ({"scope": community}, {"handler_id": cast["department"].pk}, {}):
        kept = metrics.compute(start=today, end=today, **kwargs)
        logged = metrics.compute_from_log(start=today, end=today, **kwargs)
        assert kept == logged, kwargs
    assert kept.reported == 5 and kept.median_hours
    kept_rows = tally_rows()
    assert tally.rebuild() == 5
    assert tally_rows() == kept_rows


def test_a_tally_follows_rework_and_review(cast, category):
    from jiceng.cases.models import CaseTally

    r, s = cast["resident"], cast["secretary"]
    case = services.case_report(by=r, category=category, description="井盖缺失")
    assert CaseTally.objects.get(pk=case.pk).status == "reported"
    case = services.case_triage(case=services.case_file(case=case, by=s), by=s, triage="minor")
    case = services.case_start(case=case, by=s)
    case = services.case_report_back(case=case, by=s, note="协调修好")
    case = services.case_verify(
        case=case, by=cast["grid_worker"], ok=False, note="未修好", photos=[site_photo()]
    )
    t = CaseTally.objects.get(pk=case.pk)
    assert (t.status, t.verified, t.reworked, t.answered_on_time) == (
        "in_progress",
        True,
        True,
        True,
    )
    assert t.hours_in_progress is not None and t.hours_handled is not None
    before = t.hours_in_progress
    case = services.case_report_back(case=case, by=s, note="再修")
    assert CaseTally.objects.get(pk=case.pk).hours_in_progress > before  # both visits
    case = services.case_verify(case=case, by=cast["grid_worker"], ok=True, photos=[site_photo()])
    case = services.case_rate(case=case, by=r, rating="dissatisfied")
    t = CaseTally.objects.get(pk=case.pk)
    assert (t.status, t.rating) == ("evaluated", "dissatisfied")


def test_generated_cases_get_their_tallies_from_the_log(cast):
    from jiceng.cases.generate import generate_cases

    generate_cases(district="360602", count=60, seed=3, log=lambda *_: None, prefix="T")
    today = timezone.localdate()
    year_ago = today - timezone.timedelta(days=366)
    kept = metrics.compute(start=year_ago, end=today, scope="360602")
    assert kept.reported == 60
    assert kept == metrics.compute_from_log(start=year_ago, end=today, scope="360602")


def test_a_departments_metrics_page_counts_the_cases_its_unit_handled(client, loop, cast):
    import re

    def reported(user) -> str:
        client.force_login(user)
        page = client.get("/cases/metrics/")
        assert page.status_code == 200
        figures = page.content.decode().split('data-testid="figures"', 1)[1]
        return re.search(r'<div class="value">(\d+)</div>', figures).group(1)

    assert reported(cast["handler"]) == "1"  # the one case dispatched to 城市管理局
    assert reported(cast["other_handler"]) == "0"
