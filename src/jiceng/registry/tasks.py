"""The register's background tasks: thin wrappers that load by id and call the service."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from jiceng.registry.excel import run_import_job
from jiceng.registry.models import ImportJob


@db_task()
def run_import(job_id: int) -> int:
    """Import one uploaded workbook (no retries: a failed job says so and the file can be
    imported again, which changes nothing already imported)."""
    job = ImportJob.objects.select_related("by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job.pk
    run_import_job(job)
    return job.pk
