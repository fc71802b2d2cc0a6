"""Periodic work of the party app, run by the task worker."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiceng.party.warnings import send_warnings


@db_periodic_task(crontab(hour="8", minute="0"), retries=3, retry_delay=300)
def send_party_warnings() -> dict[str, int]:
    """Each morning: warnings of meetings falling behind and dues unpaid for three months."""
    return send_warnings()
