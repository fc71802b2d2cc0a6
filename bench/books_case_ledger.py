"""The case ledger (案件台账, a record book: `cases.books.ledger_rows`) at 1,000,000 cases
(issue 16's budget: a street's month streams, in bounded memory).

    createdb -h 127.0.0.1 -U postgres jiceng_books_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_books_bench
    uv run jiceng migrate
    uv run jiceng generate --scale city --cases 1000000
    uv run python bench/books_case_ledger.py

Measured in the same run, in alternation (`harness.measure_pair`):
- ours: every row of a street's busiest month of the ledger, through the book's `rows` (the
  ORM query with the stage times from correlated subqueries on the events, streamed in chunks,
  each row's cells made: labels, local times, masked free text);
- reference: hand-written SQL returning the same columns and rows (LEFT JOIN LATERAL on the
  events for each stage), fetched through a server-side cursor in chunks of the same size, the
  cells left as the driver gives them.
Then, once each: the street's month written as an xlsx (`core.books.workbook`), and the Python
heap's peak (tracemalloc) while streaming the street's month and the whole district's month
(ten times the rows): a bounded stream peaks at about the same.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from datetime import date

from harness import Report, measure_pair, setup_django

CODE = "990101"
REPEAT = 7

SQL = """
SELECT c.number, c.created_at, k.name, c.source, c.scope_code, c.address, c.description,
       f.at, d.at, p.name, h.full_name, h.at, h.note, c.closed_at, c.status, c.rating,
       c.rating_comment
FROM cases_case c
JOIN cases_casecategory k ON k.id = c.category_id
LEFT JOIN partners_partner p ON p.id = c.handler_id
LEFT JOIN LATERAL (SELECT e.at FROM cases_caseevent e WHERE e.case_id = c.id
                   AND e.to_status = 'filed' ORDER BY e.at, e.id LIMIT 1) f ON true
LEFT JOIN LATERAL (SELECT e.at FROM cases_caseevent e WHERE e.case_id = c.id
                   AND e.to_status = 'dispatched' ORDER BY e.at, e.id LIMIT 1) d ON true
LEFT JOIN LATERAL (SELECT e.at, e.note, u.full_name FROM cases_caseevent e
                   LEFT JOIN accounts_user u ON u.id = e.actor_id
                   WHERE e.case_id = c.id AND e.to_status = 'handled'
                   ORDER BY e.at DESC, e.id DESC LIMIT 1) h ON true
WHERE c.scope_code >= %s AND c.scope_code <= %s AND c.created_at >= %s AND c.created_at < %s
ORDER BY c.created_at, c.id
"""


def main() -> int:
    setup_django()
    from django.db import connection, transaction
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from jiceng.cases.books import ledger_rows
    from jiceng.cases.models import Case
    from jiceng.core.books import CHUNK, span, workbook
    from jiceng.core.registry import record_book
    from jiceng.party.dues import add_months

    if connection.vendor != "postgresql" or Case.objects.count() < 900_000:
        print("needs PostgreSQL with `jiceng generate --scale city --cases 1000000` loaded")
        return 2
    total = Case.objects.count()
    street = f"{CODE}001"
    busiest = (
        Case.objects.within(street)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    start = busiest["month"].date() if hasattr(busiest["month"], "date") else busiest["month"]
    start = date(start.year, start.month, 1)
    end = add_months(start, 1)
    since, until = span(start, end)
    upper = street + "9" * (15 - len(street))

    def ours() -> int:
        return sum(1 for _ in ledger_rows(None, street, start, end))

    def reference() -> int:
        n = 0
        with transaction.atomic(), connection.connection.cursor(name="ref_ledger") as cursor:
            cursor.itersize = CHUNK
            cursor.execute(SQL, [street, upper, since, until])
            for _row in cursor:
                n += 1
        return n

    rows = ours()
    assert rows == reference() == busiest["n"], (rows, busiest["n"])
    mine, ref = measure_pair(
        ("ledger rows (book)", ours), ("hand-written SQL", reference), repeat=REPEAT, warmup=1
    )
    mine.items = ref.items = rows
    report = Report("books_case_ledger")
    ratio = mine.median / ref.median
    report.compare(mine, ref, budget="≤ 2× the SQL's time", passed=ratio <= 2)

    book = record_book("cases.ledger")
    began = time.perf_counter()
    data = workbook(book, ledger_rows(None, street, start, end), sheet_title="案件台账")
    written = time.perf_counter() - began

    def peak(code: str) -> tuple[int, float]:
        tracemalloc.start()
        n = sum(1 for _ in ledger_rows(None, code, start, end))
        _now, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return n, top / 1024 / 1024

    street_rows, street_peak = peak(street)
    district_rows, district_peak = peak(CODE)
    import resource

    report.notes.update(
        {
            "cases in the database": f"{total:,}",
            "street, month": f"{street}, {start:%Y-%m}: {rows:,} cases",
            "the street's month as xlsx": f"{written:.2f} s, {len(data) / 1024 / 1024:.1f} MB",
            "Python heap peak while streaming (tracemalloc)": (
                f"street {street_rows:,} rows: {street_peak:.1f} MB; "
                f"district {district_rows:,} rows: {district_peak:.1f} MB"
            ),
            "process max RSS": f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
        }
    )
    report.print()
    print(f"  written to {report.save()}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    sys.exit(main())
