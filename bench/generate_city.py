"""`jiceng generate --scale city` against the floor of writing the same rows (issue 17).

    uv run python bench/generate_city.py          # PostgreSQL at 127.0.0.1, trust auth

Makes two throwaway databases. In the first it runs the real command (`jiceng generate --scale
city`, in a subprocess, timed end to end, CPU counted for the command and for the server is not
separable, so wall time is what is compared). It then reads every table the command filled with
`COPY ... TO STDOUT` (not timed) and writes the same bytes into the second, migrated, database
with `COPY ... FROM STDIN`, tables in the same order, indexes in place (timed): the floor of
putting these rows into PostgreSQL. The two are run twice, alternating (generate, copy,
generate, copy), so that a busy machine weighs on both alike; the verdict is the ratio.

Budget: the generator at most 6 times the floor (it also makes names, ID numbers, encrypts
every ID and mobile number, places buildings in their grids and lays out the tiling).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from harness import OUT, Report, Timing

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("JICENG_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
ROUNDS = 2
BUDGET = 6.0


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", f"{SERVER}/postgres", "-qc", sql], check=True, capture_output=True, text=True
    )


def _jiceng(db: str, *args: str) -> float:
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{db}", "JICENG_VAR_DIR": f"/tmp/{db}-var"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "jiceng.cli", *args], check=True, env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start


def _fresh(db: str) -> None:
    _psql(f"DROP DATABASE IF EXISTS {db}")
    _psql(f"CREATE DATABASE {db}")
    _jiceng(db, "migrate", "-v0")


def _filled_tables(db: str) -> list[tuple[str, bytes]]:
    import psycopg

    with psycopg.connect(f"{SERVER}/{db}") as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 0 "
                "AND relname <> 'django_migrations' ORDER BY relid"
            )
        ]
        dumps = []
        for name in tables:
            buf = io.BytesIO()
            with conn.cursor().copy(f'COPY "{name}" TO STDOUT') as copy:
                for chunk in copy:
                    buf.write(chunk)
            dumps.append((name, buf.getvalue()))
    return dumps


def _copy_into(db: str, dumps: list[tuple[str, bytes]]) -> float:
    import psycopg

    with psycopg.connect(f"{SERVER}/{db}") as conn:
        # Rows the migrations put in (categories, rules) make way for the same rows.
        conn.execute("SET session_replication_role = replica")  # as a restore: no FK triggers
        for name, _ in dumps:
            conn.execute(f'TRUNCATE "{name}" CASCADE')
        conn.commit()
        start = time.perf_counter()
        for name, data in dumps:
            with conn.cursor().copy(f'COPY "{name}" FROM STDIN') as copy:
                copy.write(data)
        conn.commit()
        return time.perf_counter() - start


def main() -> int:
    generated, floor = [], []
    rows = 0
    for i in range(ROUNDS):
        _fresh("jiceng_bench_gen")
        generated.append(_jiceng("jiceng_bench_gen", "generate", "--scale", "city"))
        dumps = _filled_tables("jiceng_bench_gen")
        rows = sum(d.count(b"\n") for _, d in dumps)
        _fresh("jiceng_bench_copy")
        floor.append(_copy_into("jiceng_bench_copy", dumps))
        print(f"round {i + 1}: generate {generated[-1]:.1f} s, COPY of the same "
              f"{rows:,} rows {floor[-1]:.1f} s, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    for db in ("jiceng_bench_gen", "jiceng_bench_copy"):
        _psql(f"DROP DATABASE IF EXISTS {db}")
    ours = Timing("jiceng generate --scale city (end to end)", generated, rows)
    ref = Timing("COPY of the same rows into a migrated database", floor, rows)
    ratio = ours.median / ref.median
    report = Report("generate_city")
    report.compare(ours, ref, budget=f"at most {BUDGET}x the COPY floor", passed=ratio <= BUDGET)
    report.rows[-1]["ratio_time"] = round(ratio, 2)
    report.notes = {"rows": rows, "tables": len(dumps), "generate / COPY (median)": round(ratio, 2)}
    report.print()
    report.save()
    OUT.mkdir(exist_ok=True)
    print(json.dumps(report.rows[-1], ensure_ascii=False))
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
