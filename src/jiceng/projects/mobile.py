"""The phone pages under /m/projects/: an owner's projects and the monthly report form; a
project as a resident of its community follows it (with the proposal form while a 实事 is at
征集); a secretary's or a 第一书记's commitments (the letter and task list, the quarterly
exchanges, the self-report, the scores and grade); and a community's public page of its
projects (no login, no personal data: titles, kinds, steps, rolled-up progress, milestones)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.community.permissions import home_communities
from jiceng.core.errors import NotFound
from jiceng.core.forms import submit
from jiceng.core.scope import community_of, visible_or_404
from jiceng.geo.models import Division
from jiceng.projects import forms, fund_selectors, selectors, services
from jiceng.projects.models import Commitment, Evaluation, Milestone, Project
from jiceng.projects.permissions import (
    commitment_places,
    community_projects,
    may_commit,
    visible_projects,
)


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
        {
            "mine": mine,
            "month": month,
            "communities": communities,
            "commit": bool(mine) or may_commit(request.user),
        },
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


@page()
def project(request, pk: int):
    """A project as a resident of its community follows it; at a 实事's 征集 step, the
    proposal form."""
    project = visible_or_404(
        community_projects(request.user).select_related("kind", "place"), pk=pk
    )
    open_for_proposals = project.step == "征集"
    form = forms.ProposalForm(request.POST or None)
    if request.method == "POST":
        done = submit(
            form,
            lambda d: services.proposal_add(
                by=request.user, project=project, text=d["text"], request=request
            ),
        )
        if done:
            messages.success(request, _("建议已提交，感谢参与。"))
            return redirect("projects_m:project", pk=pk)
    node = selectors.subtree(project)
    return render(
        request,
        "projects/m_project.html",
        {
            "project": project,
            "node": node,
            "milestones": project.milestones.all(),
            "form": form if open_for_proposals or form.errors else None,
            "proposals": project.proposals.count(),
            "mine": project.proposals.filter(proposed_by=request.user)[:20],
            "community_code": community_of(project.scope_code),
        },
        status=400 if request.method == "POST" else 200,
    )


@page()
def commitments(request):
    """My commitments, and the form for a year's commitment letter and task list."""
    mine = list(
        Commitment.objects.filter(person=request.user)
        .select_related("place", "evaluation")
        .order_by("-year", "id")
    )
    places = commitment_places(request.user).order_by("code")
    year = timezone.localdate().year
    form = forms.CommitmentForm(
        request.POST or None,
        places=places,
        initial={
            "year": year,
            "kind": Commitment.Kind.FIRST_SECRETARY,
        },
    )
    if request.method == "POST":
        done = submit(
            form,
            lambda d: services.commitment_save(
                by=request.user,
                person=request.user,
                place=d["place"],
                kind=d["kind"],
                year=d["year"],
                letter=d["letter"],
                tasks=d["tasks"],
                request=request,
            ),
        )
        if done:
            messages.success(request, _("承诺已保存。"))
            return redirect("projects_m:commitment", pk=done.pk)
    return render(
        request,
        "projects/m_commitments.html",
        {"mine": mine, "form": form if places else None, "year": year},
        status=400 if request.method == "POST" else 200,
    )


def _evaluation(commitment: Commitment) -> Evaluation | None:
    try:
        return commitment.evaluation
    except Evaluation.DoesNotExist:
        return None


@page()
def commitment(request, pk: int):
    """One of my commitments: the letter and task list (updated until graded), the quarterly
    exchanges, the self-report, the scores and the grade."""
    commitment = visible_or_404(
        Commitment.objects.filter(person=request.user).select_related("place", "evaluation"),
        pk=pk,
    )
    evaluation = _evaluation(commitment)
    graded = bool(evaluation and evaluation.grade)
    edit_form = forms.CommitmentEditForm(
        initial={"letter": commitment.letter, "tasks": commitment.tasks}
    )
    exchange_form = forms.ExchangeForm()
    report_form = forms.SelfReportForm(
        initial={"self_report": evaluation.self_report if evaluation else ""}
    )
    if request.method == "POST":
        action = request.POST.get("action")
        done = None
        if action == "edit":
            edit_form = forms.CommitmentEditForm(request.POST)
            done = submit(
                edit_form,
                lambda d: services.commitment_save(
                    by=request.user,
                    person=request.user,
                    place=commitment.place,
                    kind=commitment.kind,
                    year=commitment.year,
                    letter=d["letter"],
                    tasks=d["tasks"],
                    request=request,
                ),
            )
            message = _("承诺已保存。")
        elif action == "exchange":
            exchange_form = forms.ExchangeForm(request.POST)
            done = submit(
                exchange_form,
                lambda d: services.exchange_add(
                    by=request.user,
                    commitment=commitment,
                    quarter=d["quarter"],
                    held_on=d["held_on"],
                    summary=d["summary"],
                    request=request,
                ),
            )
            message = _("交流记录已保存。")
        elif action == "self_report":
            report_form = forms.SelfReportForm(request.POST)
            done = submit(
                report_form,
                lambda d: services.evaluation_save(
                    by=request.user,
                    commitment=commitment,
                    self_report=d["self_report"],
                    request=request,
                ),
            )
            message = _("述职报告已保存。")
        if done:
            messages.success(request, message)
            return redirect("projects_m:commitment", pk=pk)
    exchanges = {e.quarter: e for e in commitment.exchanges.all()}
    return render(
        request,
        "projects/m_commitment.html",
        {
            "commitment": commitment,
            "evaluation": evaluation,
            "graded": graded,
            "quarters": [(q, exchanges.get(q)) for q in (1, 2, 3, 4)],
            "edit_form": edit_form,
            "exchange_form": exchange_form,
            "report_form": report_form,
        },
        status=400 if request.method == "POST" else 200,
    )
