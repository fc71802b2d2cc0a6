"""The case loop's periodic work, run by the task worker."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiceng.cases.escalation import send_deadline_alerts


@db_periodic_task(crontab(minute="*/5"))
def case_deadline_alerts() -> int:
    """Warn each open case's owner at 80% of the stage's time and when it is past."""
    return send_deadline_alerts()
