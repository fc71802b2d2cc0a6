"""Rebuilding every points balance from the ledger (issue 5: under 60 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_pts_bench uv run python bench/points_rebuild.py

Runs ``rebuild_balances`` three ways: from empty balances (every row written), as a check that
finds them equal (nothing written), and after corrupting one balance (found and fixed).
"""

from __future__ import annotations

import sys
import time

from harness import Report, setup_django


def main() -> int:
    setup_django()
    from django.db import connection

    from jiceng.points.models import PointBalance, PointEntry
    from jiceng.points.services import rebuild_balances

    report = Report("points_rebuild")
    report.notes["entries"] = PointEntry.objects.count()
    with connection.cursor() as c:
        c.execute("TRUNCATE points_pointbalance")
    t = time.perf_counter()
    first = rebuild_balances()
    report.notes["from empty: seconds"] = round(time.perf_counter() - t, 1)
    report.notes["balances"] = first["balances"]
    t = time.perf_counter()
    check = rebuild_balances(fix=False)
    report.notes["check only: seconds"] = round(time.perf_counter() - t, 1)
    report.notes["check only: differing"] = check["differing"]
    row = PointBalance.objects.order_by("pk").first()
    PointBalance.objects.filter(pk=row.pk).update(points=row.points + 1)
    t = time.perf_counter()
    fixed = rebuild_balances()
    report.notes["after corrupting one: seconds"] = round(time.perf_counter() - t, 1)
    report.notes["after corrupting one: differing found"] = fixed["differing"]
    passed = report.notes["from empty: seconds"] < 60 and check["differing"] == 0
    report.notes["budget"] = "< 60 s"
    report.notes["passed"] = passed
    report.print()
    report.save()
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
