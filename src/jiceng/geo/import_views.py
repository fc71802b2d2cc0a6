"""The pages of the GIS boundary import: upload and check, preview and confirm, the report."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiceng.core.excel import XLSX_TYPE
from jiceng.core.forms import submit
from jiceng.core.pages import page
from jiceng.core.uploads import keep_days
from jiceng.geo import imports
from jiceng.geo.forms import PlaceConfirmForm, PlaceImportForm
from jiceng.geo.svg import division_map


@page("place_import")
def place_import_start(request):
    district = imports.importer_district(request.user)
    form = (
        PlaceImportForm(request.POST, request.FILES)
        if request.method == "POST"
        else PlaceImportForm()
    )
    if request.method == "POST":
        job = submit(
            form,
            lambda data: imports.place_import_submit(
                by=request.user, upload=data["file"], system=data["system"]
            ),
        )
        if job is not None:
            return redirect("geo:place_import_job", pk=job.pk)
    jobs = imports.visible_imports(request.user)[:10]
    return render(
        request,
        "geo/place_import.html",
        {"form": form, "jobs": jobs, "district": district, "keep_days": keep_days()},
        status=400 if form.errors else 200,
    )


@page("place_import")
def place_import_job(request, pk: int):
    job = imports.import_for(request.user, pk)
    form = PlaceConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = submit(
            form,
            lambda data: imports.place_import_apply(
                job=job, by=request.user, valid_only=data["valid_only"]
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("已导入：新增 {c} 个，更新 {u} 个，无变化 {n} 个。").format(
                    c=done.created, u=done.updated, n=done.unchanged
                ),
            )
            return redirect("geo:place_import_job", pk=job.pk)
    places = imports.preview(job) if job.status == job.Status.CHECKED else []
    marked = {e["column"] for e in job.errors}
    return render(
        request,
        "geo/place_import_job.html",
        {
            "job": job,
            "form": form,
            "map": division_map(places, linked=False, marked=marked),
            "errors": job.errors[:200],
            "warnings": job.warnings[:200],
        },
        status=400 if form.errors else 200,
    )


@page("place_import")
def place_import_report(request, pk: int):
    job = imports.import_for(request.user, pk)
    response = HttpResponse(imports.report_bytes(job), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="places-{job.pk}-report.xlsx"'
    return response
