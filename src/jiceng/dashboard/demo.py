"""The demo's snapshots: this month, this year and yesterday at once, and a year of past months
back-filled by the task worker right after the build (about 15 s on SQLite on a quiet machine,
so that `jiceng demo` serves its first page without waiting for it)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jiceng.dashboard import snapshots
from jiceng.dashboard.tasks import backfill_snapshots


def build_snapshots_demo(months: int = 12) -> snapshots.RunReport:
    """Compute today's periods now; queue the back-fill of ``months`` past months."""
    report = snapshots.run_night(timezone.localdate())
    transaction.on_commit(lambda: backfill_snapshots(months))
    return report
