"""The demo district, built once per test session and put back for every test that asks for it.

Building the demo takes 30–45 s; 23 browser tests each start from a freshly built demo, on SQLite
and again on PostgreSQL. The first of them builds it and keeps a copy of the whole database; the
next ones get that copy back in well under a second. The copy is exact (every table, every row,
the sequences), so a test sees what `build_demo` would have made: the build is deterministic for
a seed and a day, and the session runs within one day.

Call it first thing in a test (before the test writes anything of its own: the database is
replaced). Inside a test's transaction or outside it (a live server's test):
- SQLite (the tests' in-memory database): SQLite's own online backup, both ways, outside a
  transaction; inside one, every table's rows deleted and inserted again (the foreign keys are
  checked at commit, and the test rolls back).
- PostgreSQL: every table's rows through COPY, put back after TRUNCATE with triggers held off
  (`session_replication_role = replica`, which the tests' superuser may set), then every
  sequence set past the largest id.
The demo's uploaded files (photos, vouchers) are kept with the copy and put back in the test's
MEDIA_ROOT.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

_SNAPSHOTS: dict[tuple, tuple[object, list, float]] = {}
# The demo's data is dated from the moment of its build (a login locked "now", today's audit
# entries, deadlines in hours): a copy older than this is built again, well before the lockout's
# 15-minute cool-off lets the next login clear the demo's locked login.
MAX_AGE = 600.0


def demo_logins(residents: int) -> list:
    """`build_demo(residents=...)`'s logins, with its database: built the first time, restored after."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from jiceng.core.memo import forget_all
    from jiceng.demo.builder import build_demo

    key = (connection.vendor, connection.settings_dict["NAME"], residents)
    if key in _SNAPSHOTS and time.monotonic() - _SNAPSHOTS[key][2] < MAX_AGE:
        (snapshot, media), logins, _ = _SNAPSHOTS[key]
        _restore(connection, snapshot)
        ContentType.objects.clear_cache()
        forget_all()
        shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        return logins
    built = time.monotonic()
    logins = build_demo(residents=residents)
    media = Path(tempfile.mkdtemp(prefix="demo-media-"))
    if Path(settings.MEDIA_ROOT).is_dir():
        shutil.copytree(settings.MEDIA_ROOT, media, dirs_exist_ok=True)
    _SNAPSHOTS[key] = ((_take(connection), media), logins, built)
    return logins


def register_functions(connection) -> None:
    from django.db.backends.sqlite3._functions import register

    register(connection)


def _tables(connection) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor, include_views=False))


def _take(connection):
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        register_functions(copy)  # the schema's checks call Django's functions (REGEXP)
        if not connection.in_atomic_block:
            connection.connection.backup(copy)
            return copy
        # Inside the test's transaction: the rows as that transaction sees them, read through a
        # second connection to the shared in-memory database that may read what is not committed
        # (and turns no column into a Python value, as Django's connection does).
        reader = sqlite3.connect(connection.settings_dict["NAME"], uri=True)
        reader.execute("PRAGMA read_uncommitted = 1")
        schema = reader.execute(
            "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type = 'table' DESC"
        ).fetchall()
        for kind, sql in schema:
            if kind == "table" and "sqlite_sequence" not in sql:
                copy.execute(sql)
        for table in _tables(connection):
            rows = reader.execute(f'SELECT * FROM "{table}"').fetchall()
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                copy.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
        # indexes, unique constraints and triggers too: the copy may replace a whole database
        for kind, sql in schema:
            if kind != "table":
                copy.execute(sql)
        reader.close()
        copy.commit()
        return copy
    rows = {}
    with connection.cursor() as cursor:
        for table in _tables(connection):
            buffer = io.BytesIO()
            with cursor.cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                for data in copy:
                    buffer.write(data)
            rows[table] = buffer.getvalue()
    return rows


def _restore(connection, snapshot) -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        if not connection.in_atomic_block:
            snapshot.backup(connection.connection)
            return
        with connection.cursor() as cursor:
            for table in _tables(connection):
                cursor.execute(f'DELETE FROM "{table}"')
            for table in _tables(connection):
                rows = snapshot.execute(f'SELECT * FROM "{table}"').fetchall()
                if rows:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    cursor.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
        return
    from django.apps import apps
    from django.core.management.color import no_style

    tables = _tables(connection)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
            for table in tables:
                data = snapshot.get(table)
                if not data:
                    continue
                with cursor.cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                    copy.write(data)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        for sql in connection.ops.sequence_reset_sql(
            no_style(), apps.get_models(include_auto_created=True)
        ):
            cursor.execute(sql)
