"""The going-live import pages: template, upload, the job with its progress, the report."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.core.errors import NotFound
from jiceng.core.excel import XLSX_TYPE
from jiceng.core.forms import submit
from jiceng.core.pages import page
from jiceng.core.uploads import keep_days
from jiceng.imports import excel
from jiceng.imports.forms import UnitImportForm


@page("unit_import")
def template_download(request):
    response = HttpResponse(
        excel.template_bytes(excel.sheets_for(request.user)), content_type=XLSX_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="golive-template.xlsx"'
    return response


@page("unit_import")
def import_start(request):
    district = excel.importer_district(request.user)
    form = UnitImportForm(request.POST, request.FILES) if request.method == "POST" else None
    if form is not None:
        job = submit(
            form,
            lambda data: excel.import_submit(
                upload=data["file"], by=request.user, mode=data["mode"]
            ),
        )
        if job is not None:
            return redirect("imports:job", pk=job.pk)
    return render(
        request,
        "imports/start.html",
        {
            "form": form or UnitImportForm(),
            "district": district,
            "sheets": excel.sheets_for(request.user),
            "staff_elsewhere": not request.user.has_role("security_admin"),
            "jobs": excel.visible_jobs(request.user)[:10],
            "keep_days": keep_days(),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _job_for(request, pk: int):
    job = excel.visible_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise NotFound(_("没有找到这次导入。"))
    return job


@page("unit_import")
def import_job(request, pk: int):
    job = _job_for(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(job.progress())
    return render(
        request,
        "import_job.html",
        {
            "job": job,
            "errors": job.errors[:200],
            "status_url": reverse("imports:job", args=[job.pk]),
            "again_url": reverse("imports:start"),
            "report_url": reverse("imports:report", args=[job.pk]),
        },
    )


@page("unit_import")
def import_report(request, pk: int):
    job = _job_for(request, pk)
    response = HttpResponse(excel.error_report_bytes(job), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="golive-{job.pk}-errors.xlsx"'
    return response
