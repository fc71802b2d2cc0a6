"""What each app contributes to the shared surfaces, declared in its ``manifest.py``.

The console home and, later, the dashboards read figures from here; they never reach into
another app's models (Decidim registers each component's stats the same way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


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


# Point sources. ``points`` sits above the apps whose actions earn points (DESIGN.md: a lower
# app never imports a higher one), so those apps cannot call ``points.services`` by name. Each
# declares its sources in its manifest.py (``register_point_sources``) and each service that
# earns points calls ``points_earned(...)`` explicitly, in its own transaction, right after its
# write. The points app plugs its booking function in when Django starts. No signal: the call is
# visible in the service, and with no receiver connected nothing scores.


class PointReceiver(Protocol):
    def earned(
        self, *, source: str, source_key: str, member: Any, occurred_at: datetime, by: Any
    ) -> int: ...

    def revoked(self, *, source_key: str, by: Any, reason: str) -> int: ...


_point_sources: dict[str, Any] = {}
_point_receivers: list[PointReceiver] = []


def register_point_sources(sources: dict[str, Any]) -> None:
    """Declare what earns points: ``{"app.thing": label}``; rules name these sources."""
    _point_sources.update(sources)


def point_sources() -> dict[str, Any]:
    return dict(_point_sources)


def connect_points(receiver: PointReceiver) -> None:
    """Called once by the points app at start-up."""
    if receiver not in _point_receivers:
        _point_receivers.append(receiver)


def points_earned(
    *, source: str, source_key: str, member: Any, occurred_at: datetime, by: Any
) -> int:
    """Report that ``member`` (a party Member) did ``source`` (unique ``source_key``, so that a
    replay never scores twice); returns the points booked."""
    if source not in _point_sources:
        raise ValueError(f"undeclared point source {source!r}")
    return sum(
        r.earned(
            source=source, source_key=source_key, member=member, occurred_at=occurred_at, by=by
        )
        for r in _point_receivers
    )


def points_revoked(*, source_key: str, by: Any, reason: str) -> int:
    """Report that what ``source_key`` names no longer counts; the ledger reverses it."""
    return sum(r.revoked(source_key=source_key, by=by, reason=reason) for r in _point_receivers)


# Uploaded files. Photos of residents' problems, wishes and meetings are personal data: core's
# file view serves one only to a viewer who may see the record it belongs to, and only the app
# that owns the record can tell. Each app declares, in its manifest.py, the folder its uploads
# are stored under and a check ``may_see(user, name) -> bool`` built on its own ``visible_``
# querysets; the view asks ``upload_visible``. A file under no declared folder is served to no
# one.

UploadCheck = Callable[[Any, str], bool]

_upload_checks: dict[str, UploadCheck] = {}


def register_uploads(prefix: str, may_see: UploadCheck) -> None:
    """Declare who may see the files stored under ``prefix`` (a folder of the media storage,
    ``"cases/"``): ``may_see(user, name)`` is True when a record the user may see holds the file
    ``name``, False otherwise (no such record included)."""
    if not prefix.endswith("/") or prefix.startswith("/"):
        raise ValueError(f"an upload folder is relative and ends with '/': {prefix!r}")
    _upload_checks[prefix] = may_see


def upload_visible(user: Any, name: str) -> bool:
    """May ``user`` see the stored file ``name``? Asks the app that declared its folder."""
    prefix = max((p for p in _upload_checks if name.startswith(p)), key=len, default=None)
    return prefix is not None and bool(_upload_checks[prefix](user, name))


def upload_folders() -> list[str]:
    return sorted(_upload_checks)
