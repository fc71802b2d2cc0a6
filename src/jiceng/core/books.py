"""What the record books (台账) of every app share: a book's period (a month, a quarter, a year)
and the datetimes a query filters by, a person's display name, the values a cell holds, and the
one Excel writer of a book as communities keep it on paper (``write_excel``: the title with the
place and the period, numbered rows under the columns, the signature block, printed on A4).

A book is declared with ``core.registry.register_record_book``; its ``rows(user, code, start,
end)`` streams cells. The ``reports`` app hands out every book (and prints them as PDF); a page
that hands out one book itself (the dues page) calls the same ``write_excel``, so a book has one
definition and one way it is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.excel import SafeWorkbook
from jiceng.core.models import CODE_MAX
from jiceng.core.personal import mask_id_number, mask_phone
from jiceng.core.registry import MONTH, QUARTER, YEAR

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


# --- periods --------------------------------------------------------------------------------------

LAST = {MONTH: 12, QUARTER: 4, YEAR: 1}


@dataclass(frozen=True)
class Period:
    """A book's period: a month, a quarter or a year, named by its year and number, with its
    bounds [start, end) and its label as a ledger's title prints it."""

    kind: str
    year: int
    number: int  # the month 1-12, the quarter 1-4, 1 for a year

    @property
    def start(self) -> date:
        if self.kind == MONTH:
            return date(self.year, self.number, 1)
        if self.kind == QUARTER:
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        if (
            self.kind == YEAR
            or (self.kind == MONTH and self.number == 12)
            or (self.kind == QUARTER and self.number == 4)
        ):
            return date(self.year + 1, 1, 1)
        if self.kind == MONTH:
            return date(self.year, self.number + 1, 1)
        return date(self.year, 3 * self.number + 1, 1)

    def label(self) -> str:
        if self.kind == MONTH:
            return _("%(year)d年%(month)d月") % {"year": self.year, "month": self.number}
        if self.kind == QUARTER:
            return _("%(year)d年第%(quarter)d季度") % {"year": self.year, "quarter": self.number}
        return _("%(year)d年") % {"year": self.year}

    @property
    def slug(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}"

    def provisional(self, today: date | None = None) -> bool:
        """The period has not ended: its book may still change."""
        return (today or timezone.localdate()) < self.end

    def previous(self) -> Period:
        if self.number > 1:
            return Period(self.kind, self.year, self.number - 1)
        return Period(self.kind, self.year - 1, LAST[self.kind])

    def containing(self, kind: str) -> Period:
        """The period of ``kind`` that holds this one's start (a quarter's year, a month's
        quarter)."""
        return period_of(kind, self.start)


def period_of(kind: str, day: date) -> Period:
    """The period of ``kind`` that holds ``day``."""
    if kind == MONTH:
        return Period(MONTH, day.year, day.month)
    if kind == QUARTER:
        return Period(QUARTER, day.year, (day.month - 1) // 3 + 1)
    return Period(YEAR, day.year, 1)


# --- the paper layout ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """What a book's title says: the book, the place, the period, provisional or not, and the
    lines of its signature block."""

    title: str
    place: str
    period: Period
    provisional: bool
    signatures: tuple[str, ...]

    @classmethod
    def of(cls, book: Any, place: str, period: Period, today: date | None = None) -> Heading:
        return cls(
            str(book.title),
            place,
            period,
            period.provisional(today),
            tuple(str(s) for s in book.signatures) or (_("记录人"), _("审核人")),
        )

    def subtitle(self) -> str:
        line = _("单位：%(place)s　　期间：%(period)s") % {
            "place": self.place,
            "period": self.period.label(),
        }
        if self.provisional:
            line += "　　" + provisional_mark()
        return line


def provisional_mark() -> str:
    return _("临时（期间未结束，数据可能变化）")


def signature_line(signatures: Sequence[str]) -> str:
    parts = [f"{s}：__________" for s in signatures]
    return "　　".join(parts + [_("____年____月____日")])


Progress = Callable[[int], None]


def write_excel(
    book: Any,
    heading: Heading,
    rows: Iterable[Sequence[Any]],
    target: str | Path | IO[bytes],
    progress: Progress | None = None,
) -> int:
    """Write one book as a workbook laid out as on paper: its title, the place and the period
    (临时 when the period has not ended, also in every printed page's header), the columns'
    labels under 序号 (repeated on every printed page), one numbered row per record, the
    signature block; A4 landscape, fitted to the page's width, page numbers in the footer. User
    text stays text (``core.excel.SafeWorkbook``); rows stream, one at a time. Returns the
    number of rows."""
    workbook = SafeWorkbook()
    sheet = workbook.sheet(heading.title)
    sheet.column(1, width=6)
    for i, column in enumerate(book.columns, start=2):
        sheet.column(i, width=max(4, column.width) * 1.1)
    sheet.print_setup(
        landscape=True,
        title_rows="3:3",
        header=provisional_mark() if heading.provisional else "",
        footer=_("第 &P 页，共 &N 页"),
    )
    sheet.append([heading.title])
    sheet.append([heading.subtitle()])
    sheet.append([_("序号"), *(str(c.label) for c in book.columns)])
    n = 0
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *row])
        if progress is not None and n % 5000 == 0:
            progress(n)
    sheet.append([])
    sheet.append([signature_line(heading.signatures)])
    workbook.save(target)
    return n


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
