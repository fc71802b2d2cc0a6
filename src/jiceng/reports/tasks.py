"""The reports app's background work: generating files (retried when a run fails), and on the
first working day of each month the monthly reports of every community, street and district,
sent to the people who receive them."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jiceng.reports import services


@db_task(retries=2, retry_delay=60)
def generate(generation_id: int) -> int:
    return services.run_generation(generation_id).pk


@db_periodic_task(crontab(hour="6", minute="30"), retries=2, retry_delay=600)
def monthly_reports() -> int:
    """Every morning: on the first working day of a month, make and send last month's reports."""
    # The monthly report and the task need each other: send_monthly_reports queues generate.
    from jiceng.reports.monthly import send_monthly_reports

    return send_monthly_reports()


@db_task(retries=2, retry_delay=300)
def send_when_done(generation_id: int) -> int:
    """Make one monthly report and tell its receivers."""
    from jiceng.reports.monthly import send  # the monthly module queues this task

    generation = services.run_generation(generation_id)
    return send(generation)
