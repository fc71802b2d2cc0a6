"""The staff's project pages under /console/projects/: the tree with rolled-up progress and
filters, a project's detail (milestones, monthly reports, supervision, steps, forms), the
supervisions (open one, with the random draw) and a supervision's rectification items."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.accounts.models import User
from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.cases.permissions import visible_cases
from jiceng.community.models import Need
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.forms import submit
from jiceng.core.scope import at_most, visible_or_404
from jiceng.deliberation.models import Poll
from jiceng.deliberation.permissions import visible_issues
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.projects import forms, selectors, services
from jiceng.projects.models import Milestone, Project, ProjectKind, Rectification, Supervision
from jiceng.projects.permissions import (
    can_manage,
    can_supervise,
    may_close_item,
    may_report,
    may_verify_item,
    staff_projects,
    visible_items,
    visible_supervisions,
)

PAGE = "projects"
ROOTS_PER_PAGE = 10  # top-level projects a page shows, each with its whole subtree


def _done(request, message: str, to: str, **kwargs):
    messages.success(request, message)
    return redirect(to, **kwargs)


def _year(request) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def _managed_places(user):
    codes = user.scopes_for(*MANAGER_ROLES)
    return (
        Division.objects.within(*codes).exclude(level="grid").order_by("code")
        if codes
        else (Division.objects.none())
    )


def _project_form(request, data=None):
    places = _managed_places(request.user)
    return forms.ProjectForm(
        data,
        kinds=ProjectKind.objects.filter(is_active=True),
        places=places,
        # a parent is a top-level project (a tree two levels deep is what the kinds need)
        parents=staff_projects(request.user)
        .filter(year=_year(request), parent__isnull=True)
        .order_by("title"),
        units=Partner.objects.visible_to(request.user).order_by("name"),
    )


def _partners_form(request, project, data=None):
    return forms.PartnersForm(
        data,
        partners=Partner.objects.visible_to(request.user).order_by("name"),
        initial={"partners": [p.pk for p in project.partners.all()]},
    )


def _link_form(request, project, data=None):
    """What the project may answer: the needs, issues and cases of its street (or of its own
    place when it is larger) that the viewer sees."""
    street = at_most(project.scope_code, "street")
    return forms.LinkForm(
        data,
        needs=Need.objects.visible_to(request.user).within(street),
        issues=visible_issues(request.user).within(street),
        cases=visible_cases(request.user).within(street).select_related("category"),
    )


def _owner(username: str, place: Division | None, fallback):
    if not username:
        return fallback
    return (
        User.objects.filter(username=username, is_active=True).first() or fallback
        if place is None
        else User.objects.filter(
            username=username,
            is_active=True,
            role_assignments__ended_at__isnull=True,
            role_assignments__scope_code__startswith=place.code[:9],
        )
        .distinct()
        .first()
    )


@page(PAGE)
def project_list(request):
    """The tree of the viewer's projects with rolled-up progress, a page of top-level projects
    at a time. The form that registers a project is its own page (``project_new``): drawing its
    selects (every parent of the year) cost more than the tree itself."""
    year = _year(request)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    projects = staff_projects(request.user)
    due = request.GET.get("due") == "1"
    if due:  # the to-do's list: this month's reports still due
        projects = projects.filter(pk__in=services.due_reports(timezone.localdate()).values("pk"))
    roots = selectors.project_roots(projects, year=year, kind=kind, status=status)
    page_obj = Paginator(roots, ROOTS_PER_PAGE).get_page(request.GET.get("page"))
    nodes = selectors.flatten(list(page_obj.object_list))
    kinds = list(ProjectKind.objects.filter(is_active=True))
    return render(
        request,
        "projects/list.html",
        {
            "nodes": nodes,
            "page_obj": page_obj,
            "base": reverse("projects:list"),
            "may_create": bool(request.user.scopes_for(*MANAGER_ROLES)),
            "kinds": kinds,
            "statuses": Project.Status.choices,
            "filters": {"year": year, "kind": kind, "status": status},
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
        },
    )


@page(PAGE)
def project_new(request):
    """Register a project: its kind, place, parent and weight, owner, dates and the kind's own
    fields."""
    if not request.user.scopes_for(*MANAGER_ROLES):
        raise Forbidden(_("只有本辖区的工作人员可以管理项目。"))
    form = _project_form(request, request.POST or None)
    if request.method == "POST":

        def create(d):
            owner = _owner(d["owner"], d["place"], request.user)
            if owner is None:
                raise UserError(_("负责人账号不在本街道。"), field="owner")
            return services.project_create(
                by=request.user,
                kind=d["kind"],
                place=d["place"],
                title=d["title"],
                summary=d["summary"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                owner=owner,
                unit=d["unit"],
                parent=d["parent"],
                weight=d["weight"],
                roadmap=d["roadmap"],
                site=d["site"],
                area=d["area"],
                contractor=d["contractor"],
                request=request,
            )

        project = submit(form, create)
        if project:
            return _done(request, _("项目已登记。"), "projects:project", pk=project.pk)
    return render(
        request,
        "projects/new.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@page(PAGE)
def project_detail(request, pk: int):
    project = visible_or_404(
        staff_projects(request.user).select_related("kind", "place", "owner", "unit", "poll"),
        pk=pk,
    )
    manage = can_manage(request.user, project)
    reporter = may_report(request.user, project)
    supervise = can_supervise(request.user, project)
    moves = services.STATUS_MOVES.get(project.status, set())
    milestone_form = forms.MilestoneForm()
    status_form = forms.StatusForm(
        choices=[(s, Project.Status(s).label) for s in Project.Status.values if s in moves]
    )
    polls = Poll.objects.filter(
        division_id=project.place_id, electorate=Poll.Electorate.HOUSEHOLD
    ).order_by("-id")[:50]
    step_form = forms.StepForm(polls=polls)
    report_form = forms.ReportForm(initial={"month": timezone.localdate().replace(day=1)})
    supervision_form = forms.SupervisionForm(places=Division.objects.filter(pk=project.place_id))
    partners_form = link_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("partners", "link") and not manage:
            raise Forbidden(_("只有本辖区的工作人员可以管理项目。"))
        if action == "partners":
            partners_form = _partners_form(request, project, request.POST)
            if submit(
                partners_form,
                lambda d: services.partners_set(
                    by=request.user, project=project, partners=d["partners"], request=request
                ),
            ):
                return _done(request, _("共建单位已更新。"), "projects:project", pk=pk)
        elif action == "link":
            link_form = _link_form(request, project, request.POST)
            if submit(
                link_form,
                lambda d: services.link_add(
                    by=request.user,
                    project=project,
                    need=d["need"],
                    issue=d["issue"],
                    case=d["case"],
                    request=request,
                ),
            ):
                return _done(request, _("回应事项已关联。"), "projects:project", pk=pk)
        elif action == "milestone":
            milestone_form = forms.MilestoneForm(request.POST)
            if submit(
                milestone_form,
                lambda d: services.milestone_add(
                    by=request.user,
                    project=project,
                    title=d["title"],
                    due_on=d["due_on"],
                    request=request,
                ),
            ):
                return _done(request, _("节点已添加。"), "projects:project", pk=pk)
        elif action == "milestone_done":
            milestone = visible_or_404(
                Milestone.objects.filter(project=project), pk=request.POST.get("milestone")
            )
            services.milestone_done(
                by=request.user,
                milestone=milestone,
                done_on=timezone.localdate(),
                request=request,
            )
            return _done(request, _("节点已完成。"), "projects:project", pk=pk)
        elif action == "status":
            status_form = forms.StatusForm(
                request.POST, choices=status_form.fields["status"].choices
            )
            if submit(
                status_form,
                lambda d: services.project_status(
                    by=request.user, project=project, status=d["status"], request=request
                ),
            ):
                return _done(request, _("状态已更新。"), "projects:project", pk=pk)
        elif action == "step":
            step_form = forms.StepForm(request.POST, polls=polls)
            if submit(
                step_form,
                lambda d: services.step_advance(
                    by=request.user, project=project, poll=d["poll"], request=request
                ),
            ):
                return _done(request, _("已进入下一步。"), "projects:project", pk=pk)
        elif action == "report":
            report_form = forms.ReportForm(request.POST, request.FILES)
            if submit(
                report_form,
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
            ):
                return _done(request, _("进展已报告。"), "projects:project", pk=pk)
        elif action == "supervise":
            supervision_form = forms.SupervisionForm(
                request.POST, places=Division.objects.filter(pk=project.place_id)
            )
            s = submit(
                supervision_form,
                lambda d: services.supervision_open(
                    by=request.user, title=d["title"], project=project, request=request
                ),
            )
            if s:
                return _done(request, _("督查已开展。"), "projects:supervision", pk=s.pk)
    if manage:
        if partners_form is None:
            partners_form = _partners_form(request, project)
        if link_form is None:
            link_form = _link_form(request, project)
    tree = selectors.subtree(project)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "tree": selectors.flatten([tree])[1:],
            "rolled": tree,
            "milestones": project.milestones.all(),
            "reports": project.reports.select_related("reported_by").prefetch_related("photos")[
                :24
            ],
            "supervisions": project.supervisions.select_related("inspector"),
            "partners": project.partners.all(),
            "links": project.links.select_related("need", "issue", "case__category"),
            "proposals": project.proposals.all()[:50],
            "manage": manage,
            "reporter": reporter,
            "supervise": supervise,
            "milestone_form": milestone_form,
            "status_form": status_form if moves and manage else None,
            "step_form": step_form if project.kind.steps and manage else None,
            "report_form": report_form,
            "supervision_form": supervision_form,
            "partners_form": partners_form,
            "link_form": link_form,
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )


@page(PAGE)
def supervision_list(request):
    rows = visible_supervisions(request.user).select_related("place", "project", "inspector")
    status = request.GET.get("status", "")
    if status in Supervision.Status.values:
        rows = rows.filter(status=status)
    items = request.GET.get("items", "")
    if items == "mine":  # the to-do's list: items of mine to rectify
        rows = rows.filter(
            pk__in=Rectification.objects.filter(
                status=Rectification.Status.OPEN, owner=request.user
            ).values("supervision_id")
        )
    elif items == "verify":
        rows = rows.filter(
            pk__in=Rectification.objects.filter(status=Rectification.Status.SUBMITTED).values(
                "supervision_id"
            )
        )
    supervisor_scopes = request.user.scopes_for("street_staff", "district_staff")
    places = (
        Division.objects.within(*supervisor_scopes).exclude(level="grid").order_by("code")
        if supervisor_scopes
        else Division.objects.none()
    )
    form = forms.SupervisionForm(request.POST or None, places=places)
    if request.method == "POST":
        if not supervisor_scopes:
            raise Forbidden(_("只有街道或区级工作人员可以开展督查。"))
        s = submit(
            form,
            lambda d: services.supervision_open(
                by=request.user,
                title=d["title"],
                place=d["place"],
                random_draw=d["random_draw"],
                request=request,
            ),
        )
        if s:
            return _done(request, _("督查已开展。"), "projects:supervision", pk=s.pk)
    return render(
        request,
        "projects/supervisions.html",
        {
            "rows": rows.order_by("-id")[:200],
            "form": form if supervisor_scopes else None,
            "statuses": Supervision.Status.choices,
            "filters": {"status": status},
        },
        status=400 if request.method == "POST" else 200,
    )


@page(PAGE)
def supervision_detail(request, pk: int):
    supervision = visible_or_404(
        visible_supervisions(request.user).select_related("place", "project", "inspector"),
        pk=pk,
    )
    items = list(
        supervision.items.select_related("owner", "closed_by", "verified_by", "supervision")
    )
    supervise = can_supervise(request.user, supervision) or (
        supervision.inspector_id == request.user.pk
    )
    owners = (
        User.objects.filter(
            is_active=True,
            role_assignments__ended_at__isnull=True,
            role_assignments__role__in=MANAGER_ROLES,
            role_assignments__scope_code=supervision.scope_code,
        )
        .distinct()
        .order_by("id")
    )
    findings_form = forms.FindingsForm(initial={"findings": supervision.findings})
    item_form = forms.ItemForm(owners=owners)
    mine = visible_items(request.user).filter(supervision=supervision)
    close_form = verify_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("findings", "item", "close_supervision") and not supervise:
            raise Forbidden(_("只有督查人员可以记录督查发现。"))
        if action == "findings":
            findings_form = forms.FindingsForm(request.POST)
            if submit(
                findings_form,
                lambda d: services.findings_record(
                    by=request.user,
                    supervision=supervision,
                    findings=d["findings"],
                    request=request,
                ),
            ):
                return _done(request, _("督查发现已记录。"), "projects:supervision", pk=pk)
        elif action == "item":
            item_form = forms.ItemForm(request.POST, owners=owners)
            if submit(
                item_form,
                lambda d: services.rectification_add(
                    by=request.user,
                    supervision=supervision,
                    text=d["text"],
                    owner=d["owner"],
                    deadline=d["deadline"],
                    request=request,
                ),
            ):
                return _done(request, _("整改事项已交办。"), "projects:supervision", pk=pk)
        elif action == "close":
            close_form = forms.CloseItemForm(request.POST, request.FILES, items=mine)
            if submit(
                close_form,
                lambda d: services.rectification_close(
                    by=request.user,
                    item=d["item"],
                    note=d["note"],
                    photo=d["photo"],
                    request=request,
                ),
            ):
                return _done(
                    request, _("已报告整改完成，等待核验。"), "projects:supervision", pk=pk
                )
        elif action == "verify":
            verify_form = forms.VerifyItemForm(request.POST, items=mine)
            if submit(
                verify_form,
                lambda d: services.rectification_verify(
                    by=request.user,
                    item=d["item"],
                    accept=d["accept"],
                    note=d["note"],
                    request=request,
                ),
            ):
                return _done(request, _("核验已记录。"), "projects:supervision", pk=pk)
        elif action == "close_supervision":
            services.supervision_close(by=request.user, supervision=supervision, request=request)
            return _done(request, _("督查已办结。"), "projects:supervision", pk=pk)
    for item in items:
        item.may_close = item.status == Rectification.Status.OPEN and may_close_item(
            request.user, item
        )
        item.may_verify = (
            item.status == Rectification.Status.SUBMITTED
            and may_verify_item(request.user, item)
            and item.closed_by_id != request.user.pk
        )
        item.form_error = None
        for f in (close_form, verify_form):
            if f is not None and f.errors and str(f.data.get("item")) == str(item.pk):
                item.form_error = f
    return render(
        request,
        "projects/supervision.html",
        {
            "supervision": supervision,
            "items": items,
            "supervise": supervise and supervision.status == Supervision.Status.OPEN,
            "findings_form": findings_form,
            "item_form": item_form,
            "today": timezone.localdate(),
            "replay": services.replay_draw(supervision) if supervision.seed else None,
        },
        status=400 if request.method == "POST" else 200,
    )
