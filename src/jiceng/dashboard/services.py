"""The dashboard's writes: a request to recompute the snapshots now."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from jiceng.core.audit import audit
from jiceng.dashboard.tasks import snapshots_now


def snapshots_requested(*, by: Any, request: Any = None) -> None:
    """Queue today's snapshots (after the audit entry is committed)."""
    with transaction.atomic():
        audit(actor=by, action="dashboard.refresh", request=request)
        transaction.on_commit(snapshots_now)
