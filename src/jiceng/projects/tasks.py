"""The worker's project jobs: the monthly report reminder and the 实事 that move on from 票决
when their poll has closed."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiceng.projects.services import advance_after_polls, remind_due_reports


@db_periodic_task(crontab(hour="9", minute="5"), retries=2, retry_delay=60)
def report_reminders() -> int:
    """Each morning of the month's last days: remind owners whose report is still due."""
    return remind_due_reports()


@db_periodic_task(crontab(minute="*/15"), retries=2, retry_delay=60)
def practical_after_polls() -> int:
    """Every quarter of an hour: a 实事 whose 票决 poll has closed moves on to 实施."""
    return advance_after_polls()
