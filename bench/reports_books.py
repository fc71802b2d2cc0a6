"""Record books and the monthly report at city scale (issue 16's budgets).

    JICENG_VAR_DIR=$(mktemp -d) uv run python bench/reports_books.py [--cases 1000000]

Each figure is timed in alternation with a reference doing the same rows the plainest way in the
same run (``harness.measure_pair``), and its peak memory is measured in a child process of its
own (``ru_maxrss``: the whole process, Python and Django included):

- one community's month of all its books: twelve books shaped like the registered ones
  (case ledger, 三会一课, dues, points, volunteer hours, the three lists, activities,
  satisfaction, deliberation, change log; 12 columns, 150–600 rows each) written as Excel and
  PDF through ``reports.writers``, the way the zip is made, against ``csv.writer`` of the same
  rows: budget < 10 s;
- a street's month: the case ledger of a street-month at ``--cases`` rows (1,000,000), streamed
  to Excel, plus the other books of 10 communities, against ``csv.writer`` of the same rows:
  budget < 60 s and < 400 MB peak;
- the district's monthly report (PDF and Excel) on a district of 10 streets and 100
  communities with every registered indicator's snapshots for three months, against reading
  the same snapshot rows with one SELECT: budget < 2 minutes and < 500 MB.

The rows are generated in the process (a generator, as a book's ``rows`` is), so the figures
are the writers' and not a database's; a book's own query is measured by its app's benchmark.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from harness import Report, Timing, measure_pair, setup_django

HERE = Path(__file__).resolve().parent
NAMES = ["张㐂", "李𠀋", "王喆", "赵堃", "刘洋", "陈静", "杨帆", "黄磊", "周敏", "吴婷"]


def ledger_rows(n: int):
    """A case ledger's rows: number, reported, place, category, summary, reporter, handler,
    stages, times, result, rating, closed."""
    start = datetime(2026, 10, 1, 8)
    for i in range(n):
        yield (
            f"2026100{i:07d}",
            start + timedelta(seconds=i * 2),
            f"第{i % 40 + 1}网格",
            "环境卫生",
            f"小区{i % 300}号楼门前垃圾堆放，已多日无人清理，请尽快处理。",
            NAMES[i % 10],
            NAMES[(i + 3) % 10],
            "受理→派单→处置→核查→办结",
            round((i % 72) / 3, 1),
            "已清理完毕，居民确认",
            "满意",
            date(2026, 10, 1 + i % 28),
        )


def book(key: str, rows_per: int):
    setup_django()
    from jiceng.core.registry import MONTH, BookColumn, RecordBook

    columns = tuple(
        BookColumn(k, label, w)
        for k, label, w in [
            ("no", "编号", 12),
            ("at", "时间", 14),
            ("place", "地点", 8),
            ("cat", "类别", 8),
            ("what", "内容", 30),
            ("who", "反映人", 6),
            ("handler", "经办人", 6),
            ("stages", "环节", 16),
            ("hours", "用时", 5),
            ("result", "结果", 16),
            ("rating", "评价", 5),
            ("closed", "办结日期", 10),
        ]
    )
    return RecordBook(
        key=key,
        title=f"测试台账{key}",
        levels=frozenset({"community"}),
        columns=columns,
        rows=lambda user, code, start, end: ledger_rows(rows_per),
        roles=frozenset(),
        period=MONTH,
        printed=True,
        signatures=("记录人", "审核人"),
    )


BOOK_ROWS = [600, 150, 300, 400, 250, 200, 300, 150, 300, 200, 150, 200]


def community_books(target: Path) -> int:
    """Every book of a community-month, Excel and PDF, each a file as the zip writes them."""
    from jiceng.core.books import Heading, Period, write_excel
    from jiceng.reports import writers

    total = 0
    period = Period("month", 2026, 10)
    for i, n in enumerate(BOOK_ROWS):
        b = book(f"b{i}", n)
        heading = Heading.of(b, "公园社区", period)
        total += write_excel(b, heading, ledger_rows(n), target / f"{i}.xlsx")
        writers.write_pdf(b, heading, ledger_rows(n), target / f"{i}.pdf")
    return total


def community_csv(target: Path) -> int:
    total = 0
    for i, n in enumerate(BOOK_ROWS):
        with open(target / f"{i}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            for row in ledger_rows(n):
                w.writerow(row)
                total += 1
    return total


def street_books(target: Path, cases: int) -> int:
    """The street-month: its case ledger at ``cases`` rows (Excel), and ten communities' other
    books (Excel and PDF)."""
    from jiceng.core.books import Heading, Period, write_excel
    from jiceng.reports import writers

    period = Period("month", 2026, 10)
    b = book("cases", cases)
    total = write_excel(
        b, Heading.of(b, "江边街道", period), ledger_rows(cases), target / "cases.xlsx"
    )
    for c in range(10):
        for i, n in enumerate(BOOK_ROWS[1:]):
            b = book(f"c{c}b{i}", n)
            heading = Heading.of(b, f"社区{c}", period)
            total += write_excel(b, heading, ledger_rows(n), target / f"{c}-{i}.xlsx")
            writers.write_pdf(b, heading, ledger_rows(n), target / f"{c}-{i}.pdf")
    return total


def street_csv(target: Path, cases: int) -> int:
    total = 0
    with open(target / "cases.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for row in ledger_rows(cases):
            w.writerow(row)
            total += 1
    for c in range(10):
        for i, n in enumerate(BOOK_ROWS[1:]):
            with open(target / f"{c}-{i}.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                for row in ledger_rows(n):
                    w.writerow(row)
                    total += 1
    return total


def district_setup() -> tuple:
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from jiceng.core.registry import indicators
    from jiceng.dashboard.models import Snapshot
    from jiceng.geo.models import Division

    district = Division.objects.filter(code="990101").first()
    if district is None:
        district = Division.objects.create(
            code="990101", name="测试区", level="district", kind="district"
        )
        for s in range(1, 11):
            street = Division.objects.create(
                code=f"990101{s:03d}",
                name=f"第{s}街道",
                level="street",
                kind="street",
                parent=district,
            )
            for c in range(1, 11):
                Division.objects.create(
                    code=f"{street.code}{c:03d}",
                    name=f"第{s}街道第{c}社区",
                    level="community",
                    kind="community",
                    parent=street,
                )
        codes = list(Division.objects.values_list("code", flat=True))
        now = timezone.now()
        rows = [
            Snapshot(
                scope_code=code,
                indicator=ind.key,
                period_kind="month",
                period_start=start,
                numerator=(hash((code, ind.key)) % 90) + 10,
                denominator=100,
                computed_at=now,
            )
            for code in codes
            for ind in indicators()
            for start in (date(2026, 10, 1), date(2026, 9, 1), date(2025, 10, 1))
        ]
        Snapshot.objects.bulk_create(rows, batch_size=2000)
    return district


def district_report(target: Path) -> int:
    from jiceng.geo.models import Division
    from jiceng.reports.monthly import write_monthly
    from jiceng.reports.periods import Period

    district = Division.objects.get(code="990101")
    write_monthly(district, Period("month", 2026, 10), "pdf", target / "m.pdf")
    write_monthly(district, Period("month", 2026, 10), "xlsx", target / "m.xlsx")
    return 1


def district_select(target: Path) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT scope_code, indicator, period_start, numerator, denominator "
            "FROM dashboard_snapshot WHERE scope_code BETWEEN %s AND %s AND period_kind = 'month'",
            ["990101", "990101999999999"],
        )
        return len(cur.fetchall())


def child(which: str, cases: int) -> None:
    """Run one figure once in this process and print its seconds and peak memory (MB)."""
    setup_django()
    if which.startswith("district"):
        district_setup()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp)
        start = time.perf_counter()
        if which == "community":
            community_books(target)
        elif which == "community_csv":
            community_csv(target)
        elif which == "street":
            street_books(target, cases)
        elif which == "street_csv":
            street_csv(target, cases)
        elif which == "district":
            district_report(target)
        elif which == "district_select":
            district_select(target)
        seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "cpu_s": cpu}))


def run_child(which: str, cases: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", which, "--cases", str(cases)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--child", default="")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", default="community,street,district")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.cases)
        return
    report = Report("reports_books")
    budgets = {"community": (10, None), "street": (60, 400), "district": (120, 500)}
    for which in args.only.split(","):
        ref = {"community": "community_csv", "street": "street_csv", "district": "district_select"}[
            which
        ]
        results: dict[str, list[dict]] = {which: [], ref: []}

        def ours(which=which, results=results):
            results[which].append(run_child(which, args.cases))

        def reference(ref=ref, results=results):
            results[ref].append(run_child(ref, args.cases))

        a, b = measure_pair((which, ours), (ref, reference), repeat=args.repeat, warmup=0)
        # the child's own seconds (no interpreter start) are what the budgets speak of
        mine = Timing(which, [r["seconds"] for r in results[which]])
        theirs = Timing(ref, [r["seconds"] for r in results[ref]])
        peak = max(r["peak_mb"] for r in results[which])
        seconds_budget, mb_budget = budgets[which]
        passed = mine.median < seconds_budget and (mb_budget is None or peak < mb_budget)
        report.compare(
            mine,
            theirs,
            budget=f"< {seconds_budget} s" + (f", < {mb_budget} MB" if mb_budget else ""),
            passed=passed,
        )
        report.notes[f"{which}: peak memory"] = (
            f"{peak:.0f} MB (reference {max(r['peak_mb'] for r in results[ref]):.0f} MB)"
        )
        report.notes[f"{which}: median"] = f"{mine.median:.1f} s against {theirs.median:.1f} s"
        report.notes[f"{which}: CPU seconds of the child (whole process)"] = (
            f"{max(r['cpu_s'] for r in results[which]):.1f} s "
            f"(reference {max(r['cpu_s'] for r in results[ref]):.1f} s)"
        )
    report.notes["cases in the street's ledger"] = args.cases
    report.print()
    report.save()


if __name__ == "__main__":
    main()
