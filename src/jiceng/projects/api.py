"""The projects JSON API under /api/projects/: the tree with rolled-up progress, a project with
its milestones and reports, reporting a month's progress, the rectification items (close is on
the pages: it takes a photo), and the year-end evaluations. Every id goes through what the caller
may see."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jiceng.core.errors import NotFound
from jiceng.core.inputs import Day, Id, Pagination, Year
from jiceng.core.scope import covers, visible_or_404
from jiceng.projects import selectors, services
from jiceng.projects.permissions import visible_items, visible_projects

router = Router(tags=["projects"])


class ProjectNodeOut(Schema):
    id: int
    parent_id: int | None
    title: str
    kind: str
    place: str
    scope_code: str
    status: str
    step: str
    weight: Decimal
    share: Decimal | None
    own: int
    rolled: Decimal
    stale: bool
    stale_below: int
    depth: int
    ends_on: date


class MilestoneOut(Schema):
    title: str
    due_on: date
    done_on: date | None


class ReportOut(Schema):
    month: date
    progress: int
    health: str
    text: str


class ProjectDetailOut(ProjectNodeOut):
    milestones: list[MilestoneOut]
    reports: list[ReportOut]


class ProgressReportIn(Schema):  # not "ReportIn": cases' schema has that name in the OpenAPI
    month: Day
    progress: Annotated[int, Field(ge=0, le=100)]
    health: str
    text: str


class RectificationItemOut(Schema):
    id: int
    supervision_id: int
    text: str
    deadline: date
    status: str
    scope_code: str


class EvaluationOut(Schema):
    person: str
    community_code: str
    kind: str
    grade: str
    community_score: Decimal | None
    street_score: Decimal | None

    @staticmethod
    def resolve_person(obj) -> str:
        p = obj.commitment.person
        return p.full_name or p.username

    @staticmethod
    def resolve_community_code(obj) -> str:
        return obj.commitment.scope_code

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.commitment.kind


@router.get("/", response=list[ProjectNodeOut])
def tree(request, year: Year | None = None, kind: str = "", status: str = ""):
    """The caller's projects as a tree (depth-first), progress rolled up by the weights."""
    return selectors.project_tree(
        visible_projects(request.user), year=year, kind=kind[:32], status=status[:16]
    )


@router.get("/{project_id}", response=ProjectDetailOut)
def detail(request, project_id: Id):
    project = visible_or_404(visible_projects(request.user), pk=project_id)
    node = selectors.subtree(project)
    node.milestones = list(project.milestones.all())
    node.reports = list(project.reports.all()[:24])
    return node


@router.post("/{project_id}/reports", response={201: ReportOut})
def report(request, project_id: Id, data: ProgressReportIn):
    project = visible_or_404(visible_projects(request.user), pk=project_id)
    if not services.may_report(request.user, project):
        raise NotFound(_("没有找到，或不在您可以查看的范围内。"))
    row = services.report_progress(
        by=request.user,
        project=project,
        month=data.month,
        text=data.text,
        progress=data.progress,
        health=data.health,
        request=request,
    )
    return Status(201, row)


@router.get("/rectification/items", response=list[RectificationItemOut])
@paginate(Pagination)
def items(request, status: str = ""):
    rows = visible_items(request.user)
    if status:
        rows = rows.filter(status=status[:10])
    return rows.order_by("deadline", "id")


@router.get("/evaluations/{year}", response=list[EvaluationOut])
def evaluations(request, year: Year, within: str = ""):
    """The year-end evaluations inside ``within`` (a division code the caller's staff scope
    covers; default: their first scope)."""
    scopes = request.user.scope_codes if request.user.is_authenticated else []
    code = within or (scopes[0] if scopes else "")
    if not covers(scopes, code):
        raise NotFound(_("没有找到，或不在您可以查看的范围内。"))
    return list(selectors.evaluations(year, code))
