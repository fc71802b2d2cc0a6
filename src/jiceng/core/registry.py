"""What each app contributes to the shared surfaces, declared in its ``manifest.py``.

The console home and, later, the dashboards read figures from here; they never reach into
another app's models (Decidim registers each component's stats the same way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    compute: Callable[[Any], int | float]  # compute(scope_code) -> value
    roles: frozenset[str] | None = None  # None: every staff role


_figures: dict[str, Figure] = {}


def register_figure(
    key: str, label: str, compute: Callable[[Any], int | float], roles: set[str] | None = None
) -> None:
    _figures[key] = Figure(key, label, compute, frozenset(roles) if roles else None)


def figures_for(roles: set[str]) -> list[Figure]:
    return [f for f in _figures.values() if f.roles is None or f.roles & roles]
