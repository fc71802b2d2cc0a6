"""The demo's snapshots: a year of past months, this month, this year and yesterday, computed by
the task worker shortly after the build (about 17 s on SQLite with the machine busy): the demo
serves its first page first, then the dashboard fills in. Where tasks run inline (the tests)
the back-fill runs when the build commits."""

from __future__ import annotations

from django.db import transaction
from huey.contrib.djhuey import HUEY

from jiceng.dashboard.tasks import backfill_snapshots

# Let the demo's web server start before the back-fill takes the (two) cores.
DELAY_SECONDS = 30


def build_snapshots_demo(months: int = 12) -> None:
    """Queue the back-fill of ``months`` past months and the current periods (after commit)."""
    if HUEY.immediate:
        transaction.on_commit(lambda: backfill_snapshots(months))
    else:
        transaction.on_commit(lambda: backfill_snapshots.schedule((months,), delay=DELAY_SECONDS))
