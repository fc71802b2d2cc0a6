"""A community's points ranking for a year (issue 5: p95 < 200 ms and at most 1.5 times the
hand-written SQL), and the same community for a period read from the ledger (issue 17: p95 <
400 ms and at most 1.5 times the SQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_pts_bench uv run python bench/points_ranking.py

Needs the data of ``points.generate`` (50,000 members, the ledger) and balances rebuilt
(``jiceng points_rebuild``). Ours is ``points.selectors.ranking`` (the ORM, names included);
the reference is hand-written SQL giving the same rows.
"""

from __future__ import annotations

import sys
from datetime import date

from harness import Report, measure_pair, setup_django

YEAR = 2025
SQL_YEAR = """
    SELECT b.member_id, m.name, SUM(b.points) AS total,
           RANK() OVER (ORDER BY SUM(b.points) DESC) AS rank
    FROM points_pointbalance b JOIN party_member m ON m.id = b.member_id
    WHERE b.year = %s AND b.scope_code >= %s AND b.scope_code <= %s
    GROUP BY b.member_id, m.name ORDER BY rank, b.member_id LIMIT 100
"""
# The same rows without the window: the totals sorted, the client ranks the 100 it reads (what
# ``selectors.ranking`` does). The stricter reference of the two.
SQL_YEAR_SORTED = """
    SELECT b.member_id, m.name, SUM(b.points) AS total
    FROM points_pointbalance b JOIN party_member m ON m.id = b.member_id
    WHERE b.year = %s AND b.scope_code >= %s AND b.scope_code <= %s
    GROUP BY b.member_id, m.name ORDER BY total DESC, b.member_id LIMIT 100
"""
SQL_PERIOD = """
    SELECT e.member_id, m.name, SUM(e.points) AS total,
           RANK() OVER (ORDER BY SUM(e.points) DESC) AS rank
    FROM points_pointentry e JOIN party_member m ON m.id = e.member_id
    WHERE e.occurred_at >= %s AND e.occurred_at < %s
      AND e.scope_code >= %s AND e.scope_code <= %s
    GROUP BY e.member_id, m.name ORDER BY rank, e.member_id LIMIT 100
"""


def main() -> int:
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from jiceng.points import selectors
    from jiceng.points.models import PointBalance, PointEntry

    community = (
        PointBalance.objects.filter(year=YEAR)
        .order_by("scope_code")
        .values_list("scope_code", flat=True)
        .first()
    )
    if community is None:
        print("needs points.generate data and `jiceng points_rebuild`")
        return 2
    community = community[:12]
    upper = community + "999"

    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE points_pointbalance")
        c.execute("VACUUM ANALYZE party_member")

    def ours_year():
        return selectors.ranking(scope_code=community, year=YEAR)

    def sql_year():
        with connection.cursor() as c:
            c.execute(SQL_YEAR, [YEAR, community, upper])
            return c.fetchall()

    def sql_year_sorted():
        with connection.cursor() as c:
            c.execute(SQL_YEAR_SORTED, [YEAR, community, upper])
            rows, ranked = c.fetchall(), []
            for i, (member_id, name, total) in enumerate(rows):
                tied = ranked and ranked[-1][2] == total
                ranked.append((member_id, name, total, ranked[-1][3] if tied else i + 1))
            return ranked

    start, end = date(YEAR, 3, 1), date(YEAR, 6, 1)

    def ours_period():
        return selectors.ranking(scope_code=community, start=start, end=end)

    def sql_period():
        s = timezone.make_aware(timezone.datetime(YEAR, 3, 1))
        e = timezone.make_aware(timezone.datetime(YEAR, 6, 1))
        with connection.cursor() as c:
            c.execute(SQL_PERIOD, [s, e, community, upper])
            return c.fetchall()

    a = [(r.member_id, r.points, r.rank) for r in ours_year()]
    b = [(r[0], int(r[2]), r[3]) for r in sql_year()]
    assert a == b, "ORM and SQL disagree (year)"
    assert b == [(r[0], int(r[2]), r[3]) for r in sql_year_sorted()], "the two SQL disagree"
    a = [(r.member_id, r.points, r.rank) for r in ours_period()]
    b = [(r[0], int(r[2]), r[3]) for r in sql_period()]
    assert a == b, "ORM and SQL disagree (period)"

    report = Report("points_ranking")
    report.notes["entries"] = PointEntry.objects.count()
    report.notes["community"] = community
    report.notes["members in community"] = (
        PointBalance.objects.filter(year=YEAR)
        .within(community)
        .values("member_id")
        .distinct()
        .count()
    )
    # The year's ranking reads the balances (one row a member): p95 < 200 ms (issue 5). A
    # period's ranking reads the ledger itself (up to 10 M entries in the district's year) and
    # is asked for now and then (a quarter's 评比): p95 < 400 ms (issue 17 asked for a budget).
    # Both at most 1.5 times the hand-written SQL giving the same rows.
    for label, ours, ref, limit in (
        ("year", ours_year, sql_year, 0.2),
        ("year, vs sorted SQL", ours_year, sql_year_sorted, 0.2),
        ("Mar-May (ledger)", ours_period, sql_period, 0.4),
    ):
        o, r = measure_pair(
            (f"ranking {label} (ORM)", ours),
            (f"ranking {label} (hand-written SQL)", ref),
            repeat=100,
        )
        ratio = o.median / r.median
        passed = o.p95 < limit and ratio <= 1.5
        report.compare(o, r, budget=f"p95 < {limit * 1000:.0f} ms and ≤ 1.5× SQL", passed=passed)
        report.notes[f"{label}: ours p95 / median ms"] = (
            f"{o.p95 * 1000:.1f} / {o.median * 1000:.1f}"
        )
        report.notes[f"{label}: SQL p95 / median ms"] = (
            f"{r.p95 * 1000:.1f} / {r.median * 1000:.1f}"
        )
        report.notes[f"{label}: time ratio ours/SQL"] = round(ratio, 2)
    report.print()
    report.save()
    return 0 if all(r["passed"] for r in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
