"""The monthly report: its numbers are the dashboard's (a test reads both), the children
ranked, warnings counted, made in the queue and kept, and sent on the first working day of the
next month to the people who receive it."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from jiceng.core.models import Notification
from jiceng.dashboard import selectors as dash
from jiceng.dashboard.models import Snapshot, Warning
from jiceng.reports import monthly, services
from jiceng.reports.models import Generation
from jiceng.reports.periods import Period

OCT = date(2026, 10, 1)


def _snap(code, key, start, n, d=0):
    Snapshot.objects.create(
        scope_code=code,
        indicator=key,
        period_kind="month",
        period_start=start,
        numerator=n,
        denominator=d,
        computed_at=timezone.now(),
    )


@pytest.fixture
def figures(cast):
    p = cast["places"]
    street, ours, theirs = p["street"].code, p["community"].code, p["neighbour"].code
    _snap(street, "cases.closure_rate", OCT, 45, 50)
    _snap(street, "cases.closure_rate", date(2026, 9, 1), 30, 40)
    _snap(street, "cases.closure_rate", date(2025, 10, 1), 10, 20)
    _snap(street, "community.activities", OCT, 12)
    _snap(ours, "cases.closure_rate", OCT, 20, 20)
    _snap(theirs, "cases.closure_rate", OCT, 25, 30)
    tz = timezone.get_current_timezone()
    at = datetime.combine(date(2026, 10, 5), time(9), tz)
    Warning.objects.create(
        scope_code=ours, kind="t", key="k1", title="积压", since=at, last_seen_at=at
    )
    Warning.objects.create(
        scope_code=theirs,
        kind="t",
        key="k2",
        title="逾期",
        since=at,
        last_seen_at=at,
        state=Warning.State.CLEARED,
        resolved_at=datetime.combine(date(2026, 10, 20), time(9), tz),
    )
    return p


def _excel(place, period):
    out = io.BytesIO()
    monthly.write_monthly(place, period, "xlsx", out)
    return list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))


def test_report_and_dashboard_never_disagree(figures):
    street = figures["street"]
    rows = _excel(street, Period("month", 2026, 10))
    in_report = {r[1]: r[2:5] for r in rows if r and len(r) > 4 and r[1]}
    checked = 0
    for domain in dash.figures(street, "month", OCT):
        for group in domain["categories"]:
            for fig in group["figures"]:
                now, prev, last_year = in_report[str(fig.indicator.name)]
                assert now == fig.shown
                assert prev == (fig.previous["text"] if fig.previous else "—")
                assert last_year == (fig.last_year["text"] if fig.last_year else "—")
                checked += 1
    assert checked > 10
    assert in_report["办结率"][0] == "90.0%"


def test_children_ranked_done_and_warnings(figures):
    rows = _excel(figures["street"], Period("month", 2026, 10))
    flat = [r for r in rows if r]
    done = {r[0]: r[1] for r in flat if r[0] in ("办结案件", "开展活动场次")}
    assert done == {"办结案件": "45", "开展活动场次": "12"}
    start = next(i for i, r in enumerate(flat) if r[0] == "下级排名：办结率")
    assert flat[start + 2][:3] == ("1", "公园社区", "100.0%")
    assert flat[start + 3][:3] == ("2", "湖西社区", "83.3%")
    warnings = {
        r[0]: r[1] for r in flat if r[0] in ("本月新发预警", "本月消除或办结", "月末仍未消除")
    }
    assert warnings == {"本月新发预警": "2", "本月消除或办结": "1", "月末仍未消除": "1"}


def test_pdf_reads_back(figures):
    out = io.BytesIO()
    monthly.write_monthly(figures["street"], Period("month", 2026, 10), "pdf", out)
    text = "".join(
        "".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(out.getvalue())).pages
    )
    assert "江边街道工作月报" in text and "办结率" in text and "90.0%" in text


def test_first_working_day(db):
    assert monthly.first_working_day(2026, 11) == date(2026, 11, 2)  # 1 November is a Sunday
    assert monthly.first_working_day(2026, 10) == date(2026, 10, 8)  # after the National Day week


def test_sent_on_the_first_working_day(figures, cast, django_capture_on_commit_callbacks):
    assert monthly.send_monthly_reports(date(2026, 11, 3)) == 0  # not the first working day
    with django_capture_on_commit_callbacks(execute=True):
        queued = monthly.send_monthly_reports(date(2026, 11, 2))
    assert queued == 4  # the district, the street, two communities
    made = Generation.objects.get(scope_code=figures["street"].code)
    assert made.status == Generation.Status.DONE and set(made.files) == {"pdf", "xlsx"}
    assert made.sent_at is not None and not made.provisional
    assert Notification.objects.filter(user=cast["street"]).count() == 1
    assert Notification.objects.filter(user=cast["secretary"]).count() == 1
    assert Notification.objects.filter(user=cast["outsider"]).count() == 1  # their community's
    # run again the same day: nothing twice
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly.send_monthly_reports(date(2026, 11, 2)) == 0


def test_street_takes_its_monthly_report(client, figures, cast, django_capture_on_commit_callbacks):
    client.force_login(cast["street"])
    url = "/console/reports/monthly/?year=2026&number=10"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    made = Generation.objects.get()
    assert response.status_code == 302 and made.kind == "monthly"
    assert made.scope_code == figures["street"].code
    page = client.get(url)
    assert b'data-testid="monthly-pdf"' in page.content
    client.force_login(cast["secretary"])  # the community cannot open the street's report
    assert client.get(f"/console/reports/files/{made.pk}/").status_code == 404
    path = services.media_path(made.files["pdf"])
    assert path.exists() and path.stat().st_size > 1000
