"""What an app's indicator ``compute(within, start, end)`` returns, built from one GROUP BY.

``by_scope(rows, numerator, denominator)`` groups a queryset by a scope column (the records' own
``scope_code`` unless told otherwise) and returns ``{scope_code: (numerator, denominator)}``, the
shape ``core.registry.Indicator.compute`` promises; the dashboard adds each code into the places
above it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Value


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
