"""The scope rule in one place: whether a code lies inside a scope, the places a code lies in
(its district, street, community and grid), and resolving what a request names (an id, a
number, a code) through what the actor may see.

Division codes are digits: 6 for a district, +3 for a street, +3 for a community, +3 for a grid
(``LEVELS``). A place's code is a prefix of the codes of every place inside it, so the code's
head names each larger place; read it through ``code_at`` and ``at_most``, never by slicing.

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


# The length of a division code at each level (geo.codes checks codes against the same table).
LEVELS: dict[str, int] = {"district": 6, "street": 9, "community": 12, "grid": 15}


def level_of(code: str | None) -> str | None:
    """The level a code's length names ("district" ... "grid"); None for any other length."""
    for level, length in LEVELS.items():
        if code and len(code) == length:
            return level
    return None


def code_at(code: str | None, level: str) -> str:
    """The code of the place at ``level`` that holds ``code`` (a grid's community, a community's
    street); '' when there is none: no code, or a code of a larger place (a district has no
    street)."""
    length = LEVELS[level]
    if not code or len(code) < length:
        return ""
    return code[:length]


def district_of(code: str | None) -> str:
    return code_at(code, "district")


def street_of(code: str | None) -> str:
    return code_at(code, "street")


def community_of(code: str | None) -> str:
    return code_at(code, "community")


def grid_of(code: str | None) -> str:
    return code_at(code, "grid")


def enclosing(code: str | None) -> list[str]:
    """The codes of the places that hold ``code``, the district first (a grid's district, street
    and community; a district's none)."""
    return [code[:n] for n in LEVELS.values() if code and n < len(code)]


def at_most(code: str | None, level: str) -> str:
    """``code`` widened to ``level`` when it names a smaller place (a grid widened to "community"
    is its community); a code of that level or a larger place stays as it is. For "the area of
    this scope, no finer than a street", where a district scope stays the district."""
    return (code or "")[: LEVELS[level]]


def covers(scopes: Iterable[str], code: str | None) -> bool:
    """Is ``code`` inside one of ``scopes`` (a scope covers itself and every code it prefixes)?"""
    if not code:
        return False
    return any(code.startswith(scope) for scope in scopes if scope)


def user_covers(user: Any, roles: Iterable[str], code: str | None) -> bool:
    """Does ``user`` (signed in) hold one of ``roles`` in a scope that covers ``code``?"""
    if not getattr(user, "is_authenticated", False):
        return False
    return covers(user.scopes_for(*roles), code)


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
