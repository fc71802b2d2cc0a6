"""The demo district, built once per test session and put back for every test that asks for it.

Building the demo takes 30–45 s; 23 browser tests each start from a freshly built demo, on SQLite
and again on PostgreSQL. The first of them builds it and keeps a copy of the whole database; the
next ones get that copy back in well under a second. The copy is exact (every table, every row,
the sequences), so a test sees what `build_demo` would have made: the build is deterministic for
a seed and a day, and the session runs within one day.

Only for transactional tests (the live server's): the copy is put back outside any transaction.
- SQLite (the tests' in-memory database): SQLite's own online backup, both ways.
- PostgreSQL: every table's rows through COPY, put back after TRUNCATE with triggers held off
  (`session_replication_role = replica`, which the tests' superuser may set), then every
  sequence set past the largest id.
"""

from __future__ import annotations

import io
import sqlite3

_SNAPSHOTS: dict[tuple, tuple[object, list]] = {}


def demo_logins(residents: int) -> list:
    """`build_demo(residents=...)`'s logins, with its database: built the first time, restored after."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from jiceng.demo.builder import build_demo

    key = (connection.vendor, connection.settings_dict["NAME"], residents)
    if key in _SNAPSHOTS:
        snapshot, logins = _SNAPSHOTS[key]
        _restore(connection, snapshot)
        ContentType.objects.clear_cache()
        return logins
    logins = build_demo(residents=residents)
    _SNAPSHOTS[key] = (_take(connection), logins)
    return logins


def _tables(connection) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor, include_views=False))


def _take(connection):
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
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
        snapshot.backup(connection.connection)
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
