"""The dashboard's tasks: each night's snapshots, and a run asked for by district staff."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jiceng.dashboard import snapshots


@db_periodic_task(crontab(hour="1", minute="30"), retries=2, retry_delay=300)
def nightly_snapshots() -> int:
    """Yesterday, its month and its year, for every place and indicator."""
    return snapshots.run_night().rows


@db_task(retries=1, retry_delay=60)
def snapshots_now() -> int:
    """The button on the dashboard: today's month and year so far, and yesterday."""
    today = timezone.localdate()
    report = snapshots.run_night(today)
    return report.rows
