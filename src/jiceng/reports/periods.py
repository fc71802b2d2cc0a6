"""A book's period as the pages take it: the last one that has ended, and one read from a
request. The period itself (``Period``: bounds, label, provisional) is ``core.books``' (the
dues page heads its book with it too)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.books import LAST, Period
from jiceng.core.books import period_of as of
from jiceng.core.errors import UserError
from jiceng.core.registry import MONTH, QUARTER, YEAR

KINDS = (MONTH, QUARTER, YEAR)
__all__ = ["KINDS", "LAST", "Period", "last_full", "of", "parse"]


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
