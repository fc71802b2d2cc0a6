"""What the record books (台账) of every app share: the period as the datetimes a query filters
by, a person's display name, the values a cell holds, and the one plain writer of a book's rows
as an Excel sheet (a header of its columns' labels, one row per record).

A book is declared with ``core.registry.register_record_book``; its ``rows(user, code, start,
end)`` streams cells. The ``reports`` app writes the full book (title, numbered rows, signature
block, PDF); a page that hands out one book itself (the dues page) writes it here, through the
same columns and rows, so a book has one definition and one way its cells are written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from jiceng.core.excel import SafeWorkbook
from jiceng.core.models import CODE_MAX
from jiceng.core.personal import mask_id_number, mask_phone

# How many records a book reads from the database at a time (``.iterator(chunk_size=)``):
# a street's month at city scale streams in pieces of this size, never whole.
CHUNK = 2000


def moment(value: date | datetime) -> datetime:
    """A period's bound as an aware datetime: a date is its local midnight."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.combine(value, time.min))


def day(value: date | datetime) -> date:
    """A period's bound as a date (for date fields such as a dues month)."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def span(start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    """The period [start, end) as two aware datetimes."""
    return moment(start), moment(end)


def person(full_name: str | None, username: str | None = "") -> str:
    """How a book names an account: the person's name, else the account name."""
    return (full_name or username or "").strip()


def label(choices: Any, value: str | None) -> str:
    """A choice's display text (lazy translations resolved in the writer's language)."""
    if not value:
        return ""
    return str(dict(choices).get(value, value))


def local(value: datetime | None) -> datetime | None:
    """A stored time as the local wall-clock time of the page (None stays None)."""
    if value is None:
        return None
    return timezone.localtime(value) if timezone.is_aware(value) else value


def names(values: Iterable[str] | None) -> str:
    """People's names in one cell (、 between them, as on paper)."""
    return "、".join(v for v in (values or ()) if v)


def as_cells(row: Sequence[Any]) -> list[Any]:
    """A row's cells as the writer takes them (plain values only)."""
    out = []
    for value in row:
        if value is None or isinstance(value, str | int | Decimal | date | datetime):
            out.append(value)
        else:
            out.append(str(value))
    return out


def header(book: Any) -> list[str]:
    return [str(c.label) for c in book.columns]


def workbook(book: Any, rows: Iterable[Sequence[Any]], *, sheet_title: str) -> bytes:
    """A book's rows as one sheet: its columns' labels, then one row per record (user text as
    text, never a formula: ``core.excel.SafeWorkbook``)."""
    out = SafeWorkbook()
    sheet = out.sheet(sheet_title)
    for index, column in enumerate(book.columns, start=1):
        sheet.column(index, width=column.width)
    sheet.append(header(book))
    for row in rows:
        sheet.append(as_cells(row))
    return out.to_bytes()


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def masked(value: str | None) -> str:
    """Free text as a book prints it: an ID number or a mobile number someone typed into it
    (a description, a feedback) comes out masked, never whole."""
    if not value:
        return ""
    out = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0).upper()), value)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), out)


def within_q(field: str, code: str) -> Q:
    """Rows whose division code at ``field`` (a path such as ``case__scope_code``) lies inside
    ``code``: the same range ``ScopedQuerySet.within`` filters by, through a relation."""
    if code.isdigit() and len(code) <= CODE_MAX:
        return Q(**{f"{field}__gte": code, f"{field}__lte": code + "9" * (CODE_MAX - len(code))})
    return Q(**{f"{field}__startswith": code})


def chunked(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """Items in lists of ``size``: a book that needs the records of a piece of its rows (a
    meeting's attendance) reads them once per piece, never once per row."""
    piece: list[Any] = []
    for item in items:
        piece.append(item)
        if len(piece) >= size:
            yield piece
            piece = []
    if piece:
        yield piece
