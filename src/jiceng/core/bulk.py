"""Loading many rows at once: the part of an import that does not depend on what is imported.

An import reads rows with their line numbers, checks each one (a bad line is named in the report
with its column and reason, and changes nothing), and writes the good ones chunk by chunk, each
chunk in one transaction, through the owning app's bulk services. ``load`` runs that loop;
``bulk_insert`` writes new rows with COPY on PostgreSQL (``bulk_create`` elsewhere); ``ids_in``
finds the rows a chunk names by one indexed column. The register import uses them, and so will
the imports of places, people and units (issue 20).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Generic, TypeVar

from django.db import connection, transaction
from django.db.models import JSONField, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import UserError
from jiceng.core.fields import EncryptedCharField
from jiceng.core.models import AuditEntry

CHUNK = 5000  # rows a transaction writes: big enough for COPY to pay, small enough to show progress

G = TypeVar("G")  # a checked row, as the app's check returns it


@dataclass
class LineError:
    """Why one line of the file was refused: its number, the column's header and the reason in
    the user's words (and the name on that line, so that the report reads without the file)."""

    row: int
    column: str
    reason: str
    name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason, "name": self.name}


def refuse_formulas(cells: dict[str, Any], bad: Callable[[str, str], None]) -> None:
    """A cell that holds a formula is refused (``bad(key, reason)``): an import takes values,
    never something a spreadsheet would compute (the register's and the going-live imports)."""
    for key, value in cells.items():
        if isinstance(value, str) and value.startswith("="):
            bad(key, _("单元格含公式，请改为直接填写值。"))


def refuse_empty(
    cells: dict[str, Any], columns: Iterable[Any], bad: Callable[[str, str], None], text
) -> None:
    """A required column (``column.required``) whose cell reads empty through ``text``."""
    for column in columns:
        if column.required and not text(cells[column.key]):
            bad(column.key, _("必填项为空。"))


@dataclass
class Tally:
    """What a chunk (or the whole load) did: rows created, updated, found unchanged, refused."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})


@dataclass
class Loaded(Generic[G]):
    """The outcome of ``load``: the lines read, the tally, and the reason the file stopped part
    way (a bad cell, too many rows), if it did; what was written before that stays."""

    processed: int
    tally: Tally
    stopped: UserError | None = None


def load(
    rows: Iterable[tuple[int, Any]],
    *,
    check: Callable[[int, Any], tuple[G | None, list[LineError]]],
    apply: Callable[[list[G]], Tally],
    chunk: int = CHUNK,
    progress: Callable[[int, Tally], None] | None = None,
) -> Loaded[G]:
    """Check every (line number, raw row) and write the good ones through ``apply``, ``chunk``
    at a time, each chunk in its own transaction; ``progress(lines read, tally so far)`` after
    each chunk and at the end. A ``UserError`` raised by the reader ends the load with what was
    written kept (``Loaded.stopped``); any other exception propagates."""
    tally = Tally()
    good: list[G] = []
    processed = 0

    def flush() -> None:
        nonlocal good
        if good:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # A crash could lose the last chunks before they reach the disk, never half
                    # of one; loading the file again completes it. Not waiting for each chunk's
                    # flush to disk makes a large load several times faster.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                tally.add(apply(good))
            good = []
        if progress is not None:
            progress(processed, tally)

    reader: Iterator[tuple[int, Any]] = iter(rows)
    while True:
        try:
            item = next(reader, None)
        except UserError as exc:
            flush()
            return Loaded(processed, tally, stopped=exc)
        if item is None:
            break
        line, raw = item
        checked, errors = check(line, raw)
        processed += 1
        if checked is not None:
            good.append(checked)
        tally.errors.extend(errors)
        if len(good) >= chunk:
            flush()
    flush()
    return Loaded(processed, tally)


def _copy_value(model_field, now) -> Callable[[Model], Any]:
    """How to read one field of a new object for COPY: most fields are their attribute as it is;
    encrypted and JSON fields go through the field's own preparation, timestamps are now."""
    if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
        return lambda obj: now
    if isinstance(model_field, EncryptedCharField | JSONField):
        return lambda obj: model_field.get_db_prep_save(model_field.pre_save(obj, True), connection)
    attname = model_field.attname
    return lambda obj: getattr(obj, attname)


def bulk_insert(model: type[Model], objs: list[Model]) -> None:
    """Insert new rows fast: COPY on PostgreSQL (ids reserved from the table's sequence first;
    encrypted fields, their hashes and JSON prepared by the fields themselves), bulk_create
    elsewhere. The objects get their ids."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs)
        return
    table = model._meta.db_table
    fields = list(model._meta.concrete_fields)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        # Encrypted fields first: their pre_save sets the hash fields read after them.
        ordered = sorted(fields, key=lambda f: 0 if hasattr(f, "hash_field") else 1)
        getters = [_copy_value(f, now) for f in ordered]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in ordered)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([get(obj) for get in getters])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert new rows given as dicts of attribute names (``person_id``, not ``person``) to
    values, without a model object per row (a bulk of 100,000 spends more on building objects
    than on writing them): what a row leaves out gets the field's default, timestamps are now,
    encrypted fields are encrypted with their hash set (unless the row gives the hash), JSON
    prepared by the field. COPY on PostgreSQL, ``bulk_create`` elsewhere. The new ids, in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        made = model._default_manager.bulk_create([model(**row) for row in rows])
        return [obj.pk for obj in made]
    table = model._meta.db_table
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    hashed = {f.hash_field: f for f in fields if isinstance(f, EncryptedCharField) and f.hash_field}
    # Per row, the plain columns are picked from {defaults, the row, the timestamps} in C
    # (a dict merge and an itemgetter); only the columns a field prepares run Python per row.
    defaults = {f.attname: f.get_default() for f in fields}
    stamps = {
        f.attname: now
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    pick = itemgetter(*[f.attname for f in fields])
    prepared = [
        (i, get)
        for i, f in enumerate(fields)
        if f.attname not in stamps and (get := _prepared_value(f, hashed.get(f.attname)))
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in [model._meta.pk, *fields])
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                picked = pick({**defaults, **row, **stamps})
                values = [pk, *picked] if len(fields) > 1 else [pk, picked]
                for i, get in prepared:
                    values[i + 1] = get(row)
                copy.write_row(values)
    return ids


def _prepared_value(model_field, hash_of=None) -> Callable[[dict[str, Any]], Any] | None:
    """How ``insert_rows`` reads a field that is not its row's value as it is (None for one
    that is): an encrypted field encrypted, JSON prepared, a lookup hash computed from the
    encrypted field it keeps (``hash_of``) unless the row gives it."""
    attname = model_field.attname
    default = model_field.get_default()
    if hash_of is not None:
        source = hash_of.attname
        return lambda row: row[attname] if attname in row else hash_of.hash_of(row.get(source))
    if isinstance(model_field, EncryptedCharField | JSONField):

        def prepared(row: dict[str, Any]) -> Any:
            value = row.get(attname, default)
            return model_field.get_db_prep_save(value, connection)

        return prepared
    return None


def ids_in(model: type[Model], column: str, values: list[Any]) -> list[int]:
    """The ids of the rows whose ``column`` is one of ``values``: one ``= ANY(array)`` on
    PostgreSQL (one parameter, whatever the chunk's size), ``IN`` elsewhere."""
    return [pk for (pk,) in rows_in(model, column, values, "id")]


def rows_in(model: type[Model], column: str, values: list[Any], *fields: str) -> list[tuple]:
    """``fields`` (attribute names) of the rows whose ``column`` is one of ``values``, as
    tuples: ``ids_in`` for more than the id. On PostgreSQL one ``= ANY(array)`` (a ``__in`` of
    5,000 values costs Django more to compile than the database to answer)."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        name = quote(model._meta.get_field(column).column)
        columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE {name} = ANY(%s)",  # noqa: S608
                [values],
            )
            return cursor.fetchall()
    return list(model._default_manager.filter(**{f"{column}__in": values}).values_list(*fields))


def audit_many(entries: list[AuditEntry] | list[dict[str, Any]]) -> None:
    """Append many audit entries made by ``core.audit.entry`` at once (a bulk service: one per
    record it changed), in the caller's transaction; COPY on PostgreSQL. Here rather than in
    core.audit, which the encrypted fields reach through core.personal. The entries are
    ``core.audit.entry``'s objects or, cheaper in bulk, ``core.audit.entry_values``' dicts."""
    if entries and isinstance(entries[0], dict):
        insert_rows(AuditEntry, entries)  # type: ignore[arg-type]
    else:
        bulk_insert(AuditEntry, entries)  # type: ignore[arg-type]
