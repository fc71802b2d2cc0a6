"""geo's periodic housekeeping."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiceng.geo.imports import purge_files


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_place_imports() -> int:
    """Every night: remove boundary files kept past ``JICENG_IMPORT_KEEP_DAYS``."""
    return purge_files()
