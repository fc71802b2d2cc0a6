"""The demo's snapshots: a year of months back-filled from the generated records, so that a
district user who logs in sees trends and rankings at once."""

from __future__ import annotations

import logging

from jiceng.dashboard import snapshots

log = logging.getLogger(__name__)


def build_snapshots_demo(months: int = 12) -> snapshots.RunReport:
    """Back-fill ``months`` past months, their years, this month, this year and yesterday."""
    report = snapshots.backfill(months)
    log.info("demo snapshots: %s rows in %.1f s", report.rows, report.seconds)
    return report
