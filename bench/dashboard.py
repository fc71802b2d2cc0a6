"""The dashboard on city-scale data (issue 12's budgets).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_ind uv run jiceng generate --scale city --cases 300000 --activities 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_ind uv run python bench/dashboard.py

Measured in the same run, each pair in alternation (``harness.measure_pair``):
- each indicator's computation for a month of the whole district (``Indicator.compute``, one
  ORM GROUP BY) against hand-written SQL returning the same groups (the indicators that have
  one below; the SQL's answer is checked equal first): ratio against the budget of 2x;
- one night's snapshots (``snapshots.run_night``: a day, its month and its year, every place,
  every indicator, stored) against the hand-written SQL of the same indicators for the same
  three periods plus COPY of as many rows: budget < 5 minutes;
- the district's dashboard page through Django's test client (session, middleware, template)
  against the hand-written SQL of the snapshot reads it makes, and against GET /livez through
  the same client (the floor), 200 samples each: p95 against the budget of 150 ms.
"""

from __future__ import annotations

import sys
import time

from harness import Report, measure_pair, setup_django

CODE = "990101"
UPPER = CODE + "9" * 9

# Hand-written SQL per indicator: %(s)s and %(e)s the period, %(lo)s and %(hi)s the district's
# code range; each returns (scope_code, numerator, denominator).
SQL = {
    "cases.reported": """
        SELECT scope_code, count(*), 0 FROM cases_casetally
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s AND reported_at >= %(s)s AND reported_at < %(e)s
        GROUP BY scope_code""",
    "cases.response_rate": """
        SELECT scope_code, count(*) FILTER (WHERE answered_on_time), count(*) FROM cases_casetally
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s AND reported_at >= %(s)s AND reported_at < %(e)s
        GROUP BY scope_code""",
    "cases.closure_rate": """
        SELECT scope_code, count(*) FILTER (WHERE status IN ('closed', 'evaluated')),
               count(*) FILTER (WHERE status NOT IN ('merged', 'rejected'))
        FROM cases_casetally
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s AND reported_at >= %(s)s AND reported_at < %(e)s
        GROUP BY scope_code""",
    "cases.on_time_closure_rate": """
        SELECT scope_code, count(*) FILTER (WHERE status IN ('closed', 'evaluated') AND NOT late),
               count(*) FILTER (WHERE status NOT IN ('merged', 'rejected'))
        FROM cases_casetally
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s AND reported_at >= %(s)s AND reported_at < %(e)s
        GROUP BY scope_code""",
    "cases.rework_rate": """
        SELECT scope_code, count(*) FILTER (WHERE reworked), count(*) FILTER (WHERE verified)
        FROM cases_casetally
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s AND reported_at >= %(s)s AND reported_at < %(e)s
        GROUP BY scope_code""",
    "cases.satisfaction_rate": """
        SELECT scope_code,
               count(*) FILTER (WHERE rating IN ('satisfied', 'basically_satisfied')),
               count(*) FILTER (WHERE rating <> '')
        FROM cases_casetally
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s AND reported_at >= %(s)s AND reported_at < %(e)s
        GROUP BY scope_code""",
    "cases.whistle_rate": """
        SELECT c.scope_code, count(*) FILTER (WHERE r.responded_at <= r.deadline_at), count(*)
        FROM cases_whistleresponse r JOIN cases_whistle w ON w.id = r.whistle_id
        JOIN cases_case c ON c.id = w.case_id
        WHERE c.scope_code BETWEEN %(lo)s AND %(hi)s
          AND r.deadline_at >= %(s)s AND r.deadline_at < %(e)s
        GROUP BY c.scope_code""",
    "community.activities": """
        SELECT scope_code, count(*), 0 FROM community_activity
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s AND status = 'published'
          AND starts_at >= %(s)s AND starts_at < %(e)s
        GROUP BY scope_code""",
    "community.volunteer_hours": """
        SELECT a.scope_code, sum(s.hours), 0 FROM community_signup s
        JOIN community_activity a ON a.id = s.activity_id
        WHERE a.scope_code BETWEEN %(lo)s AND %(hi)s
          AND s.checked_out_at >= %(s)s AND s.checked_out_at < %(e)s
        GROUP BY a.scope_code""",
    "points.earned": """
        SELECT scope_code, sum(points), 0 FROM points_pointentry
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s AND occurred_at >= %(s)s AND occurred_at < %(e)s
        GROUP BY scope_code""",
    "venues.bookings": """
        SELECT scope_code, count(*), 0 FROM venues_booking
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s AND status = 'approved'
          AND starts_at >= %(s)s AND starts_at < %(e)s
        GROUP BY scope_code""",
    "party.members": """
        SELECT scope_code, count(*), 0 FROM party_member
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s AND joined_at < %(e)s::date
          AND ((is_active AND left_at IS NULL) OR left_at >= %(e)s::date)
        GROUP BY scope_code""",
    "party.orgs": """
        SELECT scope_code, count(*), 0 FROM party_partyorg
        WHERE scope_code BETWEEN %(lo)s AND %(hi)s
          AND kind IN ('committee', 'working_committee', 'general_branch', 'branch')
          AND ((is_active AND dissolved_at IS NULL) OR dissolved_at >= %(e)s::date)
        GROUP BY scope_code""",
}


def main() -> int:
    setup_django()
    from django.db import connection
    from django.test import Client

    from jiceng.accounts.models import User
    from jiceng.accounts.services import role_assign
    from jiceng.cases.models import CaseTally
    from jiceng.core.registry import indicator, indicators
    from jiceng.dashboard import snapshots
    from jiceng.dashboard.models import Snapshot
    from jiceng.geo.models import Division

    if connection.vendor != "postgresql" or not CaseTally.objects.within(CODE).exists():
        print("needs PostgreSQL with `jiceng generate --scale city --cases N` loaded")
        return 2
    with connection.cursor() as c:
        for table in ("cases_casetally", "community_signup", "points_pointentry"):
            c.execute(f"ANALYZE {table}")
    report = Report("dashboard")
    places = Division.objects.within(CODE).count()
    newest = CaseTally.objects.within(CODE).order_by("-reported_at").first().reported_at
    month = snapshots.period_start("month", newest.date())
    begin, end = snapshots.period_bounds("month", month)
    report.notes["places"] = places
    report.notes["cases (tallies)"] = CaseTally.objects.within(CODE).count()
    report.notes["month measured"] = str(month)

    # 1. each indicator against its hand-written SQL
    params = {"lo": CODE, "hi": UPPER, "s": begin, "e": end}

    def hand(sql):
        def run():
            with connection.cursor() as c:
                c.execute(sql, params)
                return {code: (float(n or 0), float(d or 0)) for code, n, d in c.fetchall()}

        return run

    ratios = {}
    for key, sql in SQL.items():
        ind = indicator(key)
        ours = lambda ind=ind: ind.compute(CODE, begin, end)  # noqa: E731
        got, want = ours(), hand(sql)()
        want = {k: v for k, v in want.items() if v[0] or v[1]}
        assert got == want, (key, sorted(got.items())[:3], sorted(want.items())[:3])
        a, b = measure_pair((f"{key} (ORM)", ours), (f"{key} (SQL)", hand(sql)), repeat=15)
        ratios[key] = a.median / b.median
        report.compare(a, b, budget="<= 2x the SQL's time", passed=a.median <= 2 * b.median)

    # 2. one night's snapshots against the same indicators' SQL for the three periods + COPY
    day = newest.date()
    t0 = time.perf_counter()
    night = snapshots.run_night(day)
    night_s = time.perf_counter() - t0
    rows = night.rows

    def reference_night():
        for kind in ("day", "month", "year"):
            s, e = snapshots.period_bounds(kind, snapshots.period_start(kind, day))
            with connection.cursor() as c:
                for sql in SQL.values():
                    c.execute(sql, {"lo": CODE, "hi": UPPER, "s": s, "e": e})
                    c.fetchall()
        with connection.cursor() as c:  # storing as many rows, in a scratch table
            c.execute("CREATE TEMP TABLE IF NOT EXISTS bench_snap (LIKE dashboard_snapshot)")
            c.execute("TRUNCATE bench_snap")
            with c.cursor.copy(
                "COPY bench_snap (scope_code, indicator, period_kind, period_start, numerator,"
                " denominator, computed_at, id) FROM STDIN"
            ) as copy:
                for n in range(rows):
                    copy.write_row((CODE, "x", "day", day, 1.0, 0.0, newest, n))

    a, b = measure_pair(
        ("one night's snapshots (run_night)", lambda: snapshots.run_night(day)),
        ("hand SQL of 13 indicators x 3 periods + COPY of the rows", reference_night),
        repeat=3,
        warmup=0,
    )
    report.compare(a, b, budget="< 300 s", passed=max(a.seconds) < 300)
    report.notes["one night (first run)"] = f"{night_s:.1f} s, {rows:,} snapshots"
    report.notes["indicators"] = len(indicators())
    slowest = sorted(night.by_indicator.items(), key=lambda kv: -kv[1])[:5]
    report.notes["slowest indicators in the night"] = ", ".join(
        f"{k} {v:.2f} s" for k, v in slowest
    )

    # 3. the district's dashboard page
    staff, created = User.objects.get_or_create(username="bench_district")
    if created:
        role_assign(
            user=staff, role="district_staff", division=Division.objects.get(code=CODE), by=None
        )
    staff = User.objects.get(pk=staff.pk)
    client = Client()
    client.force_login(staff)
    url = f"/console/dashboard/?kind=month&period={month:%Y-%m}&rank=cases.response_rate"
    assert client.get(url).status_code == 200
    kids = list(Division.objects.filter(parent__code=CODE).values_list("code", flat=True))
    before, last_year = snapshots.shift("month", month, -1), snapshots.shift("month", month, -12)
    first = snapshots.shift("month", month, -11)

    def page():
        assert client.get(url).status_code == 200

    def livez():
        assert client.get("/livez").status_code == 200

    def reads():
        with connection.cursor() as c:
            c.execute(
                "SELECT indicator, period_start, numerator, denominator FROM dashboard_snapshot"
                " WHERE scope_code = %s AND period_kind = 'month' AND period_start = ANY(%s)",
                [CODE, [month, before, last_year]],
            )
            c.fetchall()
            for start in (month, before):
                c.execute(
                    "SELECT scope_code, numerator, denominator FROM dashboard_snapshot"
                    " WHERE indicator = %s AND period_kind = 'month' AND period_start = %s"
                    " AND scope_code = ANY(%s)",
                    ["cases.response_rate", start, kids],
                )
                c.fetchall()
            c.execute(
                "SELECT period_start, numerator, denominator FROM dashboard_snapshot"
                " WHERE scope_code = %s AND indicator = %s AND period_kind = 'month'"
                " AND period_start BETWEEN %s AND %s",
                [CODE, "cases.response_rate", first, month],
            )
            c.fetchall()

    page_t, floor_t = measure_pair(
        ("district dashboard page", page), ("GET /livez", livez), repeat=200
    )
    _, sql_t = measure_pair(
        ("district dashboard page", page), ("its snapshot reads (SQL)", reads), repeat=100
    )
    report.compare(page_t, floor_t, budget="p95 < 150 ms", passed=page_t.p95 < 0.150)
    report.compare(page_t, sql_t, budget="p95 < 150 ms", passed=page_t.p95 < 0.150)
    report.notes["dashboard page p95"] = f"{page_t.p95 * 1000:.1f} ms"
    report.notes["/livez p95 (same client)"] = f"{floor_t.p95 * 1000:.1f} ms"
    report.notes["snapshot reads SQL p95"] = f"{sql_t.p95 * 1000:.1f} ms"
    report.notes["snapshots stored"] = Snapshot.objects.count()
    report.print()
    print(f"  saved {report.save()}")
    worst = max(ratios.values())
    return 0 if worst <= 2 and page_t.p95 < 0.150 else 1


if __name__ == "__main__":
    sys.exit(main())
