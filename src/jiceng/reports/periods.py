"""A book's period: a month, a quarter or a year, named by its year and number, with its bounds
[start, end) and its label as a ledger's title prints it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import UserError
from jiceng.core.registry import MONTH, QUARTER, YEAR

KINDS = (MONTH, QUARTER, YEAR)
LAST = {MONTH: 12, QUARTER: 4, YEAR: 1}


@dataclass(frozen=True)
class Period:
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
        return of(kind, self.start)


def of(kind: str, day: date) -> Period:
    if kind == MONTH:
        return Period(MONTH, day.year, day.month)
    if kind == QUARTER:
        return Period(QUARTER, day.year, (day.month - 1) // 3 + 1)
    return Period(YEAR, day.year, 1)


def last_full(kind: str, today: date | None = None) -> Period:
    """The last period of ``kind`` that has ended (last month, last quarter, last year)."""
    return of(kind, today or timezone.localdate()).previous()


def parse(kind: str, year, number) -> Period:
    """A period from what a request carried; refused in the user's words when out of range."""
    try:
        kind = str(kind)
        year = int(year)
        number = int(number) if kind != YEAR else 1
    except (TypeError, ValueError):
        raise UserError(_("期间不正确。"), field="period") from None
    if kind not in KINDS or not 2000 <= year <= 2100 or not 1 <= number <= LAST[kind]:
        raise UserError(_("期间不正确。"), field="period")
    return Period(kind, year, number)
