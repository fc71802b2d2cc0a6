"""Periodic work of community services, run by the task worker."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiceng.community.orders import flag_late_orders as flag


@db_periodic_task(crontab(minute="*/10"), retries=2, retry_delay=60)
def flag_late_orders() -> int:
    """Every ten minutes: tell the community about orders nobody accepted in time."""
    return flag()
