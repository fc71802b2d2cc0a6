"""What an app's indicator ``compute(within, start, end)`` returns, built from one GROUP BY.

``by_scope(rows, numerator, denominator)`` groups a queryset by a scope column (the records' own
``scope_code`` unless told otherwise) and returns ``{scope_code: (numerator, denominator)}``, the
shape ``core.registry.Indicator.compute`` promises; the dashboard adds each code into the places
above it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Value
from django.urls import reverse

from jiceng.core.registry import nav_allowed


def by_scope(
    rows: QuerySet, numerator: Any, denominator: Any = None, *, scope: str = "scope_code"
) -> dict[str, tuple[float, float]]:
    """One GROUP BY ``scope`` of ``rows``: the two aggregates per code (a count's denominator
    is 0). Codes with nothing counted in either are left out."""
    grouped = (
        rows.order_by()
        .values(scope)
        .annotate(n=numerator, d=denominator if denominator is not None else Value(0))
        .values_list(scope, "n", "d")
    )
    return {code: (float(n or 0), float(d or 0)) for code, n, d in grouped if code and (n or d)}


def records_link(url_name: str, nav_key: str):
    """An indicator's ``records`` callable: the app's list page ``url_name`` for a user whose
    roles may open the page ``nav_key`` (the same table as the page guard), else None (no link
    to a page that would refuse them)."""

    def link(user: Any, code: str, start: Any, end: Any) -> str | None:
        roles = getattr(user, "roles", None) or set()
        return reverse(url_name) if nav_allowed(roles, nav_key) else None

    return link
