"""The phone pages under /m/projects/: an owner's projects and the monthly report form; a
resident's community projects; and a community's public page of its projects (no login, no
personal data: titles, kinds, steps, rolled-up progress, milestones)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.community.permissions import home_communities
from jiceng.core.errors import NotFound
from jiceng.core.forms import submit
from jiceng.core.scope import visible_or_404
from jiceng.geo.models import Division
from jiceng.projects import forms, fund_selectors, selectors, services
from jiceng.projects.models import Milestone, Project
from jiceng.projects.permissions import visible_projects


@page()
def home(request):
    mine = list(
        Project.objects.filter(owner=request.user)
        .exclude(status__in=[Project.Status.DONE, Project.Status.CANCELLED])
        .select_related("kind", "place")
        .order_by("ends_on")[:50]
    )
    month = timezone.localdate().replace(day=1)
    communities = list(Division.objects.filter(code__in=home_communities(request.user)))
    return render(
        request,
        "projects/m_home.html",
        {"mine": mine, "month": month, "communities": communities},
    )


@page()
def report(request, pk: int):
    project = visible_or_404(visible_projects(request.user).select_related("kind", "place"), pk=pk)
    if not services.may_report(request.user, project):
        raise NotFound(_("没有找到，或不在您可以查看的范围内。"))
    form = forms.ReportForm(
        request.POST or None,
        request.FILES or None,
        initial={"month": timezone.localdate().replace(day=1), "progress": project.progress},
    )
    if request.method == "POST":
        done = submit(
            form,
            lambda d: services.report_progress(
                by=request.user,
                project=project,
                month=d["month"],
                text=d["text"],
                progress=d["progress"],
                health=d["health"],
                photos=request.FILES.getlist("photos"),
                request=request,
            ),
        )
        if done:
            messages.success(request, _("进展已报告。"))
            return redirect("projects_m:home")
    return render(
        request,
        "projects/m_report.html",
        {
            "project": project,
            "form": form,
            "reports": project.reports.all()[:12],
        },
        status=400 if request.method == "POST" else 200,
    )


def public(request, code: str):
    """A community's projects as residents follow them (no login)."""
    community = Division.objects.filter(code=code, level="community").first()
    if community is None:
        raise NotFound(_("社区不存在。"))
    year = timezone.localdate().year
    nodes = selectors.public_projects(community.code, year=year)
    milestones = {}
    for m in Milestone.objects.filter(project_id__in=[n.id for n in nodes]).order_by("due_on"):
        milestones.setdefault(m.project_id, []).append(m)
    for n in nodes:
        n.milestones = milestones.get(n.id, [])
    return render(
        request,
        "projects/public.html",
        {
            "community": community,
            "nodes": nodes,
            "year": year,
            "card": fund_selectors.card_context(community),  # the money: this year's lines
        },
    )
