"""`jiceng setup` of the largest district in the shipped division data (by number of
communities and villages) against a plain bulk insert (COPY on PostgreSQL) of the same rows,
timed in alternation in the same run.

    createdb -h 127.0.0.1 -U postgres jiceng_bench_setup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_bench_setup uv run jiceng migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_bench_setup uv run python bench/setup_district.py

Ours: ``onboarding.services.setup_district`` as the command runs it, from the compressed province
file to the rows written (division data read and checked, the district, its streets and its
communities and villages, the three administrators with production password hashing, the audit
entry). Reference: the same district, street and community rows (code, name, level, kind,
parent) written with one COPY per level (executemany on SQLite) from rows already in memory.
Each round runs in a transaction that is rolled back, so every round starts from an empty
district (the audit log is append-only). Budget (issue 20): the setup < 30 s.
"""

from __future__ import annotations

import csv
import lzma
import sys
import time
from collections import Counter
from pathlib import Path

from harness import Report, Timing, setup_django

ROUNDS = 5


class Rollback(Exception):
    pass


def largest_districts() -> tuple[tuple[str, int], tuple[str, int]]:
    """(code, count) of the district with the most village-level units, and of the one with
    the most residents' committees (codes 001-199), from the shipped files."""
    data = Path(__file__).resolve().parent.parent / "src/jiceng/geo/data/divisions-2023"
    units: Counter[str] = Counter()
    committees: Counter[str] = Counter()
    for path in sorted(data.glob("[0-9]*.csv.xz")):
        with lzma.open(path, "rt", encoding="utf-8") as f:
            for code, _name in csv.reader(f):
                if len(code) == 12:
                    units[code[:6]] += 1
                    if int(code[9:]) < 200:
                        committees[code[:6]] += 1
    return units.most_common(1)[0], committees.most_common(1)[0]


def main() -> int:
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from jiceng.geo.codes import short_name
    from jiceng.geo.divisions import community_kind, district_data, load_district, street_kind
    from jiceng.geo.models import Division
    from jiceng.onboarding.services import setup_district

    (code, units), (by_committees, committees) = largest_districts()
    data = district_data(code)
    print(
        f"largest district by communities and villages: {data.full_name} ({code}), {units}; "
        f"by residents' committees only: {by_committees} ({committees})"
    )
    if Division.objects.filter(code=code).exists():
        print(f"district {code} already exists in this database: use an empty one")
        return 2

    def ours() -> None:
        try:
            with transaction.atomic():
                setup_district(code=code, force=True)
                raise Rollback
        except Rollback:
            pass

    def rows_only() -> None:
        try:
            with transaction.atomic():
                load_district(district_data(code))
                raise Rollback
        except Rollback:
            pass

    now = timezone.now()
    rows = [(code, data.name, "district", "district", None)]
    rows += [(c, n, "street", street_kind(c), code) for c, n in data.streets]
    rows += [(c, short_name(n), "community", community_kind(c), c[:9]) for c, n in data.communities]

    def reference() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                ids: dict[str, int] = {}
                for length in (6, 9, 12):
                    level = [r for r in rows if len(r[0]) == length]
                    values = [
                        (c, n, lv, k, ids.get(p) if p else None, True, now, now)
                        for c, n, lv, k, p in level
                    ]
                    columns = (
                        "code, name, level, kind, parent_id, is_active, created_at, updated_at"
                    )
                    if connection.vendor == "postgresql":
                        with cursor.cursor.copy(
                            f"COPY geo_division ({columns}) FROM STDIN"
                        ) as copy:
                            for v in values:
                                copy.write_row(v)
                    else:
                        cursor.executemany(
                            f"INSERT INTO geo_division ({columns}) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                            values,
                        )
                    cursor.execute(
                        "SELECT code, id FROM geo_division WHERE code LIKE %s", [code + "%"]
                    )
                    ids.update(dict(cursor.fetchall()))
                raise Rollback
        except Rollback:
            pass

    a: list[float] = []
    b: list[float] = []
    c: list[float] = []
    ours()  # warm up (imports, the first read of the province file)
    reference()
    for _ in range(ROUNDS):
        for fn, out in ((ours, a), (reference, b), (rows_only, c)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    mine, plain = (
        Timing("jiceng setup (rows + 3 administrators)", a, len(rows)),
        Timing("COPY of the same division rows", b, len(rows)),
    )
    report = Report("setup_district")
    report.compare(mine, plain, budget="setup < 30 s", passed=max(a) < 30)
    loader = Timing("the division rows alone (read the province file + insert)", c, len(rows))
    report.compare(loader, plain, budget="(no budget: where the time goes)", passed=True)
    report.notes.update(
        {
            "district": f"{data.full_name} ({code})",
            "rows": len(rows),
            "streets": len(data.streets),
            "communities": len(data.communities) - data.villages,
            "villages": data.villages,
            "database": connection.vendor,
            "setup max s": round(max(a), 2),
            "rounds": ROUNDS,
        }
    )
    report.print()
    report.save()
    return 0 if max(a) < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
