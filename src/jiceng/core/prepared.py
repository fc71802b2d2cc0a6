"""A statement PostgreSQL parses and plans once a connection (``PREPARE`` … ``EXECUTE``), for the
few hot writes whose parsing and planning cost as much as their work: the sign-up that 200 phones
send at once is one statement of three inserts and an update, 0.6–0.7 ms of the server's CPU each
time, 0.25–0.3 ms prepared (issue 17, bench/README.md). Django binds parameters on the client and
turns psycopg's own preparing off (``prepare_threshold`` is None), hence this.

The statement is prepared on a connection the first time it runs there; a connection that lost it
(a new connection, a pool that ran ``DISCARD ALL``) prepares it again and runs it once more, and
one that has it already (its name carries a hash of its text) runs it.
``PREPARE`` outlives a rolled-back transaction, so a refused write leaves it prepared."""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Sequence
from typing import Any

from django.db import ProgrammingError, transaction

# "varchar(16)" → "varchar", "numeric(6, 2)" → "numeric"
_MODIFIERS = re.compile(r"\([^)]*\)")
# PostgreSQL's "prepared statement does not exist" and "… already exists"
UNKNOWN_STATEMENT = "26000"
ALREADY_PREPARED = "42P05"


class PreparedStatement:
    """``sql`` with one ``%s`` per parameter, ``types`` the SQL type of each (the parameters of a
    prepared statement have fixed types; the casts also let ``INSERT … SELECT $n`` type a NULL).
    A type's length or precision is dropped: an explicit cast to ``varchar(16)`` would cut a
    longer value short, where the column itself refuses it as a plain INSERT does."""

    def __init__(self, name: str, sql: str, types: Sequence[str]):
        parts = sql.split("%s")
        if len(parts) - 1 != len(types):
            raise ValueError(f"{name}: {len(parts) - 1} placeholders, {len(types)} types")
        numbered = [parts[0]]
        for number, (kind, part) in enumerate(zip(types, parts[1:], strict=True), start=1):
            numbered.append(f"${number}::{_MODIFIERS.sub('', kind)}{part}")
        text = "".join(numbered).replace("%%", "%")
        # the name says which text: a connection that has it prepared has this very statement
        self.name = f"{name}_{hashlib.blake2s(text.encode(), digest_size=4).hexdigest()}"
        self.prepare_sql = f"PREPARE {self.name} AS {text}"
        self.execute_sql = f"EXECUTE {self.name}(" + ", ".join(["%s"] * len(types)) + ")"
        self._prepared_on: weakref.WeakSet = weakref.WeakSet()

    def fetchone(self, on, params: Sequence[Any]) -> tuple | None:
        """Run it on the connection ``on`` (a Django connection) and return its first row. Inside
        a transaction it runs in a savepoint, so that a refusal (a unique constraint) leaves the
        caller's transaction usable."""
        try:
            return self._run(on, params)
        except ProgrammingError as error:
            state = getattr(error.__cause__, "sqlstate", None)
            if state == UNKNOWN_STATEMENT:
                self._prepared_on.discard(on.connection)
            elif state == ALREADY_PREPARED:
                self._prepared_on.add(on.connection)
            else:
                raise
            return self._run(on, params)

    def _run(self, on, params: Sequence[Any]) -> tuple | None:
        if on.in_atomic_block:
            with transaction.atomic(using=on.alias):
                return self._execute(on, params)
        return self._execute(on, params)

    def _execute(self, on, params: Sequence[Any]) -> tuple | None:
        with on.cursor() as cursor:
            raw = on.connection
            if raw not in self._prepared_on:
                cursor.execute(self.prepare_sql)
                self._prepared_on.add(raw)
            cursor.execute(self.execute_sql, list(params))
            return cursor.fetchone()
