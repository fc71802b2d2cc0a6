"""Console pages of community services (/console/services/): the three lists with the monthly
review, and teams. Activities are in activity_views.py, orders and wishes in order_views.py.
Thin: services and selectors work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.community import forms, selectors, services
from jiceng.community.models import Need, Offer, Project, VolunteerTeam
from jiceng.community.permissions import (
    MANAGER_ROLES,
    can_manage,
    team_candidates,
)
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.forms import submit
from jiceng.core.inputs import check_day
from jiceng.core.registry import figures_for
from jiceng.core.scope import visible_or_404
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.party.models import Member


def _communities(user) -> list[Division]:
    """The communities this person manages (for the forms' community choice)."""
    scopes = user.scopes_for(*MANAGER_ROLES)
    if not scopes:
        return []
    return list(Division.objects.within(*scopes).filter(level="community").order_by("code")[:500])


def _when(value: str | None, what: str, field: str) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise UserError(_("{what}格式不正确。").format(what=what), field=field)
    check_day(parsed, field)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _get(qs, pk: Any):
    obj = qs.filter(pk=pk).first() if str(pk or "").isdigit() else None
    return obj


def _pick(qs, value: Any):
    """What a form names, if it names anything, resolved through what the user sees: elsewhere,
    missing and malformed are all not found (404) with one message."""
    if value in (None, ""):
        return None
    return visible_or_404(qs, pk=value)


def _fail(request, exc: UserError) -> None:
    if isinstance(exc, (Forbidden, NotFound)):
        raise exc
    messages.error(request, exc.message)


@page("services")
def home(request):
    user = request.user
    scopes = user.scope_codes
    keys = {f.key for f in figures_for(user.roles)}
    figures = (
        [
            {"label": f.label, "value": f.compute(scopes)}
            for f in figures_for(user.roles)
            if f.key.startswith("services.") and f.key in keys
        ]
        if scopes
        else []
    )
    month = selectors.parse_month(request.GET.get("month"))
    return render(
        request,
        "community/home.html",
        {
            "figures": figures,
            "month": month,
            "wish_counts": selectors.wish_month_counts(user=user, month=month)[:200],
        },
    )


# --- needs ------------------------------------------------------------------------------------


def _needs_page(request, form, *, review=None, status: int = 200):
    """The needs list with the form to enter one; ``review`` is a refused review drawn again
    beside its need (``{"pk": ..., "form": ...}``)."""
    shown = request.GET.get("status", "pending")
    rows = selectors.need_list(user=request.user, status=shown or None)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    accepted = selectors.need_list(user=request.user, status="accepted")[:200]
    return render(
        request,
        "community/needs.html",
        {
            "page_obj": page_obj,
            "status": shown,
            "statuses": Need.Status.choices,
            "sources": Need.Source.choices,
            "accepted": accepted,
            "communities": _communities(request.user),
            "form": form,
            "review": review,
            "review_choices": forms.NeedReviewForm.base_fields["decision"].choices,
        },
        status=status,
    )


@page("services")
def need_list(request):
    form = forms.NeedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        need = submit(form, lambda data: services.need_post(by=request.user, **data))
        if need is not None:
            messages.success(request, _("需求已登记。"))
            return redirect("services:needs")
    return _needs_page(request, form, status=400 if form.errors else 200)


def _review(by, need: Need, data: dict) -> Need:
    decision, note = data["decision"], data["reason"]
    if decision == "accept":
        return services.need_accept(by=by, need=need, note=note)
    if decision == "merge":
        if data["into"] is None:
            raise UserError(_("请选择要合并到的需求。"), field="into")
        return services.need_merge(by=by, need=need, into=data["into"], note=note)
    return services.need_decline(by=by, need=need, reason=note)


@page("services")
@require_POST
def need_review(request, pk: int):
    need = _get(selectors.need_list(user=request.user), pk)
    if need is None:
        raise NotFound(_("需求不存在，或不在您的管辖范围内。"))
    form = forms.NeedReviewForm(request.POST, needs=selectors.need_list(user=request.user))
    if submit(form, lambda data: _review(request.user, need, data)) is None:
        return _needs_page(
            request, forms.NeedForm(), review={"pk": need.pk, "form": form}, status=400
        )
    messages.success(request, _("已审核：{title}").format(title=need.title))
    return redirect(reverse("services:needs") + "?status=pending")


# --- offers, projects, teams ------------------------------------------------------------------


def _partner(request, key: str = "partner"):
    return _pick(Partner.objects.visible_to(request.user), request.POST.get(key))


def _team(request, key: str = "team"):
    return _pick(VolunteerTeam.objects.visible_to(request.user), request.POST.get(key))


def _member(request, key: str = "member"):
    return _pick(Member.objects.visible_to(request.user), request.POST.get(key))


@page("services")
def offer_list(request):
    user = request.user
    form = forms.OfferForm(
        request.POST if request.method == "POST" else None,
        partners=Partner.objects.visible_to(user),
        teams=VolunteerTeam.objects.visible_to(user),
        members=Member.objects.visible_to(user),
    )
    if request.method == "POST":
        offer = submit(form, lambda data: services.offer_create(by=user, **data))
        if offer is not None:
            messages.success(request, _("已加入服务清单。"))
            return redirect("services:offers")
    rows = selectors.offer_list(user=request.user)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "community/offers.html",
        {
            "page_obj": page_obj,
            "kinds": Offer.Kind.choices,
            "communities": _communities(request.user),
            "teams": VolunteerTeam.objects.visible_to(request.user)[:200],
            "partners": Partner.objects.visible_to(request.user).filter(is_active=True)[:200],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _project_form(request, data=None) -> forms.ProjectForm:
    user = request.user
    return forms.ProjectForm(
        data,
        needs=Need.objects.visible_to(user),
        offers=Offer.objects.visible_to(user),
        partners=Partner.objects.visible_to(user),
        teams=VolunteerTeam.objects.visible_to(user),
    )


def _projects_page(request, form, month, *, publish=None, status: int = 200):
    """The month's projects with the form to make one; ``publish`` is a refused publication
    drawn again beside its project (``{"pk": ..., "form": ...}``)."""
    user = request.user
    return render(
        request,
        "community/projects.html",
        {
            "rows": selectors.project_list(user=user, month=month)[:200],
            "month": month,
            "communities": _communities(user),
            "needs": selectors.need_list(user=user, status="accepted")[:200],
            "offers": selectors.offer_list(user=user).filter(is_active=True)[:200],
            "teams": VolunteerTeam.objects.visible_to(user)[:200],
            "partners": Partner.objects.visible_to(user).filter(is_active=True)[:200],
            "form": form,
            "publish": publish,
        },
        status=status,
    )


@page("services")
def project_list(request):
    form = _project_form(request, request.POST if request.method == "POST" else None)
    month = selectors.parse_month(request.GET.get("month") or form["month"].value())
    if request.method == "POST":
        project = submit(
            form,
            lambda data: services.project_create(
                by=request.user,
                community=data["community"],
                month=month,
                title=data["title"],
                description=data["description"],
                needs=data["needs"],
                offers=data["offers"],
                responsible=data["responsible"],
                responsible_team=data["responsible_team"],
            ),
        )
        if project is not None:
            messages.success(request, _("项目已创建（草稿），发布后居民可见。"))
            return redirect(reverse("services:projects") + f"?month={month:%Y-%m}")
    return _projects_page(request, form, month, status=400 if form.errors else 200)


@page("services")
@require_POST
def project_publish(request, pk: int):
    project = _get(Project.objects.visible_to(request.user), pk)
    if project is None:
        raise NotFound(_("项目不存在，或不在您的管辖范围内。"))
    form = forms.PublishForm(request.POST)
    if submit(form, lambda data: services.project_publish(by=request.user, project=project)):
        messages.success(request, _("项目已发布。"))
        return redirect(reverse("services:projects") + f"?month={project.month:%Y-%m}")
    return _projects_page(
        request,
        _project_form(request),
        project.month,
        publish={"pk": project.pk, "form": form},
        status=400,
    )


@page("services")
@require_POST
def month_publish(request):
    """Publish all draft projects of a community's month at once (the start-of-month notice)."""
    month = selectors.parse_month(request.POST.get("month"))
    try:
        count = services.month_publish(
            by=request.user, community=request.POST.get("community"), month=month
        )
    except UserError as exc:
        _fail(request, exc)
    else:
        messages.success(
            request, ngettext("已发布 {n} 个项目。", "已发布 {n} 个项目。", count).format(n=count)
        )
    return redirect(reverse("services:projects") + f"?month={month:%Y-%m}")


@page("services")
def team_list(request):
    form = forms.TeamForm(
        request.POST if request.method == "POST" else None,
        partners=Partner.objects.visible_to(request.user),
    )
    if request.method == "POST" and submit(
        form,
        lambda data: services.team_create(
            by=request.user,
            community=data["community"],
            name=data["name"],
            description=data["description"],
            partner=data["partner"],
        ),
    ):
        messages.success(request, _("服务队已建立。"))
        return redirect("services:teams")
    rows = selectors.team_list(user=request.user)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "community/teams.html",
        {"page_obj": page_obj, "communities": _communities(request.user), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@page("services")
def team_detail(request, pk: int):
    team = _get(selectors.team_list(user=request.user), pk)
    if team is None:
        raise NotFound(_("服务队不存在，或不在您的管辖范围内。"))
    form = forms.TeamMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        person = None
        if form.is_valid():
            person = (
                team_candidates(request.user).filter(username=form.cleaned_data["username"]).first()
            )
            if person is None:
                # An account elsewhere reads like a missing one, as a message after a redirect
                # (the behaviour tests/community/test_scope_lookups.py holds the page to).
                messages.error(request, _("没有这个账号。"))
                return redirect("services:team", pk=pk)
        joined = submit(
            form,
            lambda data: (
                services.team_join(by=request.user, team=team, user=person, leader=data["leader"])
                or True
            ),
        )
        if joined:
            messages.success(request, _("已加入服务队。"))
            return redirect("services:team", pk=pk)
    return render(
        request,
        "community/team.html",
        {
            "team": team,
            "members": selectors.team_members(team),
            "can_manage": can_manage(request.user, team),
            "form": form,
        },
        status=400 if form.errors else 200,
    )
