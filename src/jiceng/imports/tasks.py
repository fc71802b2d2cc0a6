"""The going-live imports' tasks: thin wrappers that load by id and call the job."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jiceng.imports.excel import purge_files, run_job
from jiceng.imports.models import UnitImport


@db_task()
def run_unit_import(job_id: int) -> int:
    """Import one uploaded workbook (no retries: importing the file again changes nothing that
    was imported)."""
    job = UnitImport.objects.select_related("by", "district").get(pk=job_id)
    if job.status != UnitImport.Status.QUEUED:
        return job.pk
    run_job(job)
    return job.pk


@db_periodic_task(crontab(hour="3", minute="45"))
def purge_unit_imports() -> int:
    """Every night: remove workbooks kept past ``JICENG_IMPORT_KEEP_DAYS``."""
    return purge_files()
