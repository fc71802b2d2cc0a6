"""A list's page and its total in one statement (issue 17).

A page of a list shows its rows and how many there are in all. Django's ``Paginator`` (and
django-ninja's limit/offset pagination) asks twice: ``COUNT(*)``, then the page. Here the total
rides on the page's own rows (``COUNT(*) OVER ()``: every matching row is counted before the
``LIMIT``), so the database is asked once, and only a page past the end (no row to carry the
total) asks for the count. A queryset the window cannot count the same way (``DISTINCT``, a
union, one already sliced) is counted apart, as Django does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import (
    FlatValuesListIterable,
    NamedValuesListIterable,
    ValuesListIterable,
)

#: The name of the total on each row: an attribute of a model instance (or of a row object a
#: custom iterable makes, such as the case list's ``CaseRow``), a key of a ``values()`` dict.
TOTAL = "_list_total"


# Plain tuples have nowhere to carry the total but an extra column (a row iterable of the app's
# own, such as the case list's, takes it off).
_TUPLES = (ValuesListIterable, FlatValuesListIterable, NamedValuesListIterable)


def _one_statement(queryset: QuerySet) -> bool:
    query = queryset.query
    return not (
        query.distinct or query.combinator or query.is_sliced or queryset._iterable_class in _TUPLES
    )


def _total_of(row: Any) -> int:
    if isinstance(row, dict):
        return row[TOTAL]
    return getattr(row, TOTAL)


def with_total(queryset: QuerySet) -> QuerySet:
    """``queryset`` with the total on each row; a list read often can ask for it once, where it
    is set up (``rows_and_total`` then reads it as it is)."""
    return queryset.annotate(**{TOTAL: Window(Count("*"))})


def rows_and_total(queryset: QuerySet, offset: int, limit: int) -> tuple[list, int]:
    """The rows ``[offset, offset + limit)`` of ``queryset`` and how many rows it has in all."""
    if TOTAL not in queryset.query.annotations:
        if not _one_statement(queryset):
            return list(queryset[offset : offset + limit]), queryset.count()
        queryset = with_total(queryset)
    rows = list(queryset[offset : offset + limit])
    if rows:
        return rows, _total_of(rows[0])
    return rows, (queryset.count() if offset else 0)


class _Counted(Sequence):
    """What ``Paginator`` pages: the one page already read, and the list's length."""

    def __init__(self, rows: list, offset: int, total: int):
        self.rows, self.offset, self.total = rows, offset, total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if isinstance(index, slice) and index.start == self.offset:
            return self.rows
        raise IndexError(index)  # a paginator of one page reads that page only


def get_page(queryset: QuerySet, number: Any, per_page: int) -> Page:
    """``Paginator(queryset, per_page).get_page(number)`` in one statement: a page number that is
    not a number gives the first page, one past the end the last."""
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    rows, total = rows_and_total(queryset, offset, per_page)
    if not rows and total:  # past the end: the last page
        number = -(-total // per_page)
        offset = (number - 1) * per_page
        rows = list(queryset[offset : offset + per_page])
    elif not rows:
        number, offset = 1, 0
    return Paginator(_Counted(rows, offset, total), per_page).page(number)
