"""The warning centre's periodic run (imported by manifest_map.py, so the worker knows it)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiceng.dashboard.warnings import run_sources


@db_periodic_task(crontab(minute="*/15"), retries=2, retry_delay=120)
def run_warning_sources() -> dict[str, int]:
    """Every quarter hour: every app's warning sources into the warning centre."""
    return run_sources().as_dict()
