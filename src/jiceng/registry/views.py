"""The register's pages: thin, calling selectors and services."""

from __future__ import annotations

import os

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.forms import submit
from jiceng.core.scope import visible_or_404
from jiceng.geo.models import Division
from jiceng.registry import excel, forms, permissions, places, selectors, services
from jiceng.registry.models import CareTag, ImportJob, Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _editable_communities(user):
    """Communities where the user may register compounds (community staff)."""
    scopes = [c for c in permissions.edit_scopes(user) if len(c) <= 12]
    return Division.objects.within(*scopes).filter(level="community").order_by("code")


@page("registry")
def register_home(request):
    user = request.user
    filters = selectors.PeopleFilters.from_params(request.GET)
    searching = bool(filters.query or filters.tag or filters.due or "status" in request.GET)
    context = {
        "filters": filters,
        "searching": searching,
        "statuses": Person.Status.choices,
        "tags": CareTag.Tag.choices if permissions.user_sees_any_care(user) else [],
        "can_import": bool(user.scopes_for(*permissions.IMPORT_ROLES)),
        "columns": permissions.columns_for(user),
    }
    if searching:
        page_obj = Paginator(selectors.people(user=user, filters=filters), 50).get_page(
            request.GET.get("page")
        )
        context["page_obj"] = page_obj
        context["people"] = selectors.with_care_tags(user, list(page_obj))
    else:
        page_obj = Paginator(selectors.compounds(user=user), 50).get_page(request.GET.get("page"))
        context["page_obj"] = page_obj
        context["compounds"] = list(page_obj)
        context["communities"] = list(_editable_communities(user))
    return render(request, "registry/home.html", context)


@page("registry")
@require_POST
def compound_add(request):
    code = request.POST.get("community", "")
    try:
        if not code:
            raise UserError(_("请选择社区。"), field="community")
        # A community elsewhere reads like one that does not exist.
        community = visible_or_404(_editable_communities(request.user), code=code)
        compound = places.compound_create(
            community=community,
            name=request.POST.get("name", ""),
            address=request.POST.get("address", ""),
            by=request.user,
        )
    except UserError as exc:
        messages.error(request, exc.message)
        return redirect("registry:home")
    messages.success(request, _("已登记小区。"))
    return redirect("registry:compound", pk=compound.pk)


@page("registry")
def compound_detail(request, pk: int):
    compound = selectors.compound_for(user=request.user, pk=pk)
    grids = Division.objects.within(*permissions.edit_scopes(request.user)).filter(
        level="grid", code__startswith=compound.scope_code
    )
    form = forms.BuildingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        building = submit(
            form,
            lambda data: places.building_create(
                compound=compound,
                name=data["name"],
                grid=grids.filter(code=data["grid"]).first() if data["grid"] else None,
                address=data["address"],
                lon=data["lon"],
                lat=data["lat"],
                floors=data["floors"],
                by=request.user,
            ),
        )
        if building:
            messages.success(request, _("已登记楼栋。"))
            return redirect("registry:building", pk=building.pk)
        if not grids.exists():
            # No grid here is theirs to register in, so the page has no form to draw again.
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return redirect("registry:compound", pk=pk)
    buildings = selectors.buildings_of(user=request.user, compound=compound)
    return render(
        request,
        "registry/compound.html",
        {"compound": compound, "buildings": buildings, "grids": list(grids), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@page("registry")
def building_detail(request, pk: int):
    building = selectors.building_for(user=request.user, pk=pk)
    form = forms.DwellingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and submit(
        form,
        lambda data: places.dwelling_create(
            building=building,
            number=data["number"],
            entrance=data["entrance"],
            floor=data["floor"],
            by=request.user,
        ),
    ):
        messages.success(request, _("已登记房屋。"))
        return redirect("registry:building", pk=pk)
    return render(
        request,
        "registry/building.html",
        {
            "building": building,
            "entrances": selectors.dwellings_of(building=building),
            "can_edit": permissions.can_edit(request.user, building),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@page("registry")
def dwelling_detail(request, pk: int):
    dwelling = selectors.dwelling_for(user=request.user, pk=pk)
    can_edit = permissions.can_edit(request.user, dwelling)
    register, move_in = forms.RegisterPersonForm(), forms.MoveInForm()
    if request.method != "POST":
        return _dwelling_page(request, dwelling, can_edit, register, move_in)
    if not can_edit:
        raise Forbidden(_("您没有修改此记录的权限。"))
    if request.POST.get("existing_id"):  # the page's second form: move someone in
        form = move_in = forms.MoveInForm(request.POST)

        def act(data):
            person = selectors.person_to_move_in(user=request.user, id_number=data["existing_id"])
            services.person_move(
                person=person, to=dwelling, by=request.user, on=data["moved_in"], request=request
            )
            return person

    else:
        form = register = forms.RegisterPersonForm(request.POST)

        def act(data):
            return services.person_create(
                data=form.person_data(),
                dwelling=dwelling,
                by=request.user,
                moved_in=data["moved_in"],
                request=request,
            )

    person = submit(form, act)
    if person is None:
        return _dwelling_page(request, dwelling, can_edit, register, move_in, status=400)
    messages.success(request, _("已登记 %(name)s。") % {"name": person.name})
    return redirect("registry:person", pk=person.pk)


def _dwelling_page(request, dwelling, can_edit, register, move_in, status: int = 200):
    return render(
        request,
        "registry/dwelling.html",
        {
            "dwelling": dwelling,
            "can_edit": can_edit,
            "register_form": register,
            "move_in_form": move_in,
            "post": register.data,
            "residence_types": Person.ResidenceType.choices,
            "relations": Person.Relation.choices,
            **selectors.dwelling_people(dwelling),
        },
        status=status,
    )


def _person_page(
    request, person: Person, *, revealed=None, status: int = 200, refused: dict | None = None
):
    user = request.user
    sees_care = permissions.can_see_care(user, person.scope_code)
    tags = list(person.care_tags.filter(ended_at__isnull=True)) if sees_care else []
    return render(
        request,
        "registry/person.html",
        {
            "person": person,
            "revealed": revealed or {},
            "can_edit": permissions.can_edit(user, person),
            "can_reveal": permissions.can_reveal(user, person),
            "sees_care": sees_care,
            "tags": tags,
            "tag_choices": CareTag.Tag.choices,
            "active_tags": {t.tag for t in tags},
            "serving": "phone" in permissions.columns_for(user),
            # A refused status change: its form, drawn again beside the errors.
            "refused": refused or {},
            **selectors.person_history(person),
        },
        status=status,
    )


@page("registry")
def person_detail(request, pk: int):
    return _person_page(request, selectors.person_for(user=request.user, pk=pk))


@page("registry")
@require_POST
def person_reveal(request, pk: int):
    person = selectors.person_for(user=request.user, pk=pk)
    field = request.POST.get("field", "")
    try:
        value = services.reveal(
            person=person,
            field=field,
            reason=request.POST.get("reason", ""),
            by=request.user,
            request=request,
        )
    except Forbidden:
        raise
    except UserError as exc:
        messages.error(request, exc.message)
        return _person_page(request, person, status=400)
    return _person_page(request, person, revealed={field: value})


@page("registry")
def person_edit(request, pk: int):
    person = selectors.person_for(user=request.user, pk=pk)
    if not permissions.can_edit(request.user, person):
        raise Forbidden(_("您没有修改此记录的权限。"))
    form = forms.PersonEditForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        saved = submit(
            form,
            lambda data: services.person_update(
                person=person,
                data=form.person_data(),
                by=request.user,
                expected_version=data["version"] or None,
                request=request,
            ),
        )
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect("registry:person", pk=pk)
    return render(
        request,
        "registry/person_edit.html",
        {
            "person": person,
            "form": form,
            "post": form.data if form.is_bound else None,
            "initial": {
                k: getattr(person, k)
                for k in ("name", "ethnicity", "residence_type", "relation", "note")
            },
            "residence_types": Person.ResidenceType.choices,
            "relations": Person.Relation.choices,
        },
        status=400 if form.is_bound else 200,
    )


@page("registry")
@require_POST
def person_status(request, pk: int, action: str):
    person = selectors.person_for(user=request.user, pk=pk)

    def deceased(data):
        if data["on"] is None:
            raise UserError(_("请填写死亡日期。"), field="on")
        return services.person_mark_deceased(
            person=person, by=request.user, on=data["on"], note=data["note"], request=request
        )

    changes = {
        "move_out": (
            forms.LeavingForm,
            lambda data: services.person_move_out(
                person=person, by=request.user, on=data["on"], note=data["note"], request=request
            ),
            _("已登记迁出。"),
        ),
        "deceased": (forms.LeavingForm, deceased, _("已标记为已故。")),
        "tag": (
            forms.CareTagForm,
            lambda data: services.care_tag_set(
                person=person,
                tag=data["tag"],
                on=data["on_off"] != "off",
                by=request.user,
                note=data["note"],
                request=request,
            ),
            _("已更新关爱标签。"),
        ),
    }
    if action not in changes:
        raise NotFound(_("未知的操作。"))
    form_class, change, done = changes[action]
    form = form_class(request.POST)
    # care_tag_set returns nothing: success is "not refused".
    if submit(form, lambda data: change(data) or True) is None:
        return _person_page(request, person, status=400, refused={"action": action, "form": form})
    messages.success(request, done)
    return redirect("registry:person", pk=pk)


# --- import and export --------------------------------------------------------------------------


@page("registry")
def template_download(request):
    response = HttpResponse(excel.template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="register-template.xlsx"'
    return response


@page("registry")
def import_start(request):
    if not request.user.scopes_for(*permissions.IMPORT_ROLES):
        raise Forbidden(_("您的角色不能导入台账。"))
    if request.method == "POST":
        try:
            job = excel.import_submit(upload=request.FILES.get("file"), by=request.user)
        except UserError as exc:
            messages.error(request, exc.message)
            return render(request, "registry/import.html", {"jobs": _my_jobs(request)}, status=400)
        return redirect("registry:import_job", pk=job.pk)
    return render(request, "registry/import.html", {"jobs": _my_jobs(request)})


def _my_jobs(request):
    return ImportJob.objects.filter(by=request.user).order_by("-created_at")[:10]


def _job_for(request, pk: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk, by=request.user).first()
    if job is None:
        raise NotFound(_("没有找到这次导入。"))
    return job


@page("registry")
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
            "status_url": reverse("registry:import_job", args=[job.pk]),
            "again_url": reverse("registry:import"),
            "report_url": reverse("registry:import_report", args=[job.pk]),
        },
    )


@page("registry")
def import_report(request, pk: int):
    job = _job_for(request, pk)
    response = HttpResponse(excel.error_report_bytes(job), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response


@page("registry")
def export(request):
    path = excel.export_people(user=request.user, request=request)
    handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    os.unlink(path)  # the open handle keeps the data; nothing stays on disk
    response = FileResponse(handle, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="register.xlsx"'
    return response
