"""The scope rule in one place: whether a code lies inside a scope, and resolving what a request
names (an id, a number, a code) through what the actor may see.

Every id, number or code taken from a URL, a form, a query string or a JSON body goes through
``visible_or_404`` with the queryset of what the actor may see (an app's ``visible_<things>(user)``)
before any other use. Outside that set is "not found", worded the same as a missing object, so
that the answer never tells an outsider whether a number exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from jiceng.core.errors import NotFound

M = TypeVar("M", bound=Model)

# The largest value a BIGINT column holds: a larger id cannot name a row, and PostgreSQL refuses
# to compare with it (a DataError that would abort the transaction).
_INT_MAX = 2**63 - 1


def covers(scopes: Iterable[str], code: str | None) -> bool:
    """Is ``code`` inside one of ``scopes`` (a scope covers itself and every code it prefixes)?"""
    if not code:
        return False
    return any(code.startswith(scope) for scope in scopes if scope)


def _out_of_range(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > _INT_MAX


def visible_or_404(queryset: QuerySet[M], /, message: str | None = None, **lookup: Any) -> M:
    """The one object of ``queryset`` (already limited to what the actor may see) that matches
    ``lookup``. Absent, outside the scope, malformed or out of range are all NotFound with one
    message, so that the answer tells nothing about objects the actor may not see."""
    if any(value is None or _out_of_range(value) for value in lookup.values()):
        raise NotFound(message or _("没有找到，或不在您可以查看的范围内。"))
    try:
        return queryset.get(**lookup)
    except (
        ObjectDoesNotExist,
        MultipleObjectsReturned,
        ValidationError,
        ValueError,
        TypeError,
        OverflowError,
    ):
        raise NotFound(message or _("没有找到，或不在您可以查看的范围内。")) from None
