"""What the pages, the API, the indicators and the assessment read: the project tree with its
progress rolled up by the published weights, the late reports, the open rectification items,
the year-end evaluations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from jiceng.projects.models import Commitment, Evaluation, Project, Rectification
from jiceng.projects.services import month_of

TREE_FIELDS = (
    "id",
    "parent_id",
    "weight",
    "progress",
    "reported_month",
    "status",
    "title",
    "kind__name",
    "kind__monthly_report",
    "place__name",
    "scope_code",
    "health",
    "ends_on",
    "starts_on",
    "step",
)


@dataclass
class Node:
    """One project in the tree: ``own`` is its owner's last figure; ``rolled`` the figure shown
    (a leaf's own, a parent's weighted mean of its children's); ``stale``: a monthly-report
    project that has not reported this month, counted at its last figure (按上月数计);
    ``share``: its weight as a share of its siblings' (the published weight)."""

    id: int
    parent_id: int | None
    weight: Decimal
    own: int
    reported_month: date | None
    status: str
    title: str
    kind: str
    place: str
    scope_code: str
    health: str
    ends_on: date
    starts_on: date
    step: str
    stale: bool = False
    rolled: Decimal = Decimal("0")
    share: Decimal | None = None
    depth: int = 0
    stale_below: int = 0
    children: list[Node] = field(default_factory=list)

    @property
    def late(self) -> bool:
        return self.status not in ("done", "cancelled") and self.ends_on < date.today()

    def get_status_display(self) -> str:
        return Project.Status(self.status).label


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"))


def roll_up(rows, today: date) -> list[Node]:
    """Build the tree from ``rows`` (tuples of TREE_FIELDS) and roll progress up. A parent whose
    children's weights add up to 0 keeps its own figure. Returns the roots (a project whose
    parent is not among the rows is a root), depth-first order kept by ``flatten``."""
    month = month_of(today)
    nodes: dict[int, Node] = {}
    for r in rows:
        n = Node(
            id=r[0],
            parent_id=r[1],
            weight=r[2],
            own=r[3],
            reported_month=r[4],
            status=r[5],
            title=r[6],
            kind=r[7],
            place=r[9],
            scope_code=r[10],
            health=r[11],
            ends_on=r[12],
            starts_on=r[13],
            step=r[14],
        )
        n.stale = bool(
            r[8]
            and r[5] in ("planned", "active")
            and r[13] < month
            and (r[4] is None or r[4] < month)
        )
        nodes[n.id] = n
    roots = []
    for n in nodes.values():
        parent = nodes.get(n.parent_id) if n.parent_id else None
        (parent.children if parent else roots).append(n)

    def visit(n: Node, depth: int) -> None:
        n.depth = depth
        live = [c for c in n.children if c.status != "cancelled"]
        for c in n.children:
            visit(c, depth + 1)
        total = sum((c.weight for c in live), Decimal("0"))
        if live and total > 0:
            n.rolled = _round(sum((c.rolled * c.weight for c in live), Decimal("0")) / total)
            for c in live:
                c.share = _round(c.weight * 100 / total)
            n.stale_below = sum(c.stale_below + (1 if c.stale else 0) for c in live)
            n.stale = False  # a parent's figure is its children's, not a report of its own
        else:
            n.rolled = _round(Decimal(100 if n.status == "done" else n.own))

    for root in roots:
        visit(root, 0)
    return roots


def flatten(roots: list[Node]) -> list[Node]:
    out: list[Node] = []

    def walk(n: Node) -> None:
        out.append(n)
        for c in n.children:
            walk(c)

    for r in roots:
        walk(r)
    return out


def project_tree(
    projects: QuerySet[Project],
    *,
    year: int | None = None,
    kind: str = "",
    status: str = "",
    today: date | None = None,
) -> list[Node]:
    """The rows of ``projects`` (already limited to what the viewer sees) as a flattened tree
    with rolled-up progress: one query."""
    rows = projects
    if year:
        rows = rows.filter(year=year)
    if kind:
        rows = rows.filter(kind__code=kind)
    if status:
        rows = rows.filter(status=status)
    rows = rows.order_by("parent_id", "id").values_list(*TREE_FIELDS)
    return flatten(roll_up(list(rows), today or date.today()))


def project_roots(
    projects: QuerySet[Project],
    *,
    year: int | None = None,
    kind: str = "",
    status: str = "",
    today: date | None = None,
) -> list[Node]:
    """As ``project_tree``, the roots only (each with its rolled-up ``children``), for a page
    that shows a page of roots with their descendants."""
    rows = projects
    if year:
        rows = rows.filter(year=year)
    if kind:
        rows = rows.filter(kind__code=kind)
    if status:
        rows = rows.filter(status=status)
    rows = rows.order_by("parent_id", "id").values_list(*TREE_FIELDS)
    return roll_up(list(rows), today or date.today())


def subtree(project: Project, today: date | None = None) -> Node:
    """``project`` with its descendants rolled up (the detail page)."""
    ids = [project.pk]
    frontier = [project.pk]
    while frontier:
        frontier = list(Project.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        ids += frontier
    rows = list(Project.objects.filter(pk__in=ids).order_by("id").values_list(*TREE_FIELDS))
    rows = [(r[0], None if r[0] == project.pk else r[1], *r[2:]) for r in rows]
    roots = roll_up(rows, today or date.today())
    return roots[0]


def late_reports(today: date) -> QuerySet[Project]:
    """Active monthly-report projects with no report for last month (now past)."""
    last = month_of(month_of(today).replace(day=1) - _one_day())
    return Project.objects.filter(
        kind__monthly_report=True,
        status__in=[Project.Status.PLANNED, Project.Status.ACTIVE],
        starts_on__lt=month_of(today),
        ends_on__gte=last,
    ).exclude(
        Q(reported_month__gte=last)
        | Q(pk__in=Project.objects.filter(parent__isnull=False).values("parent_id"))
    )


def _one_day() -> timedelta:
    return timedelta(days=1)


def open_items(qs: QuerySet[Rectification] | None = None) -> QuerySet[Rectification]:
    return (qs if qs is not None else Rectification.objects.all()).exclude(
        status=Rectification.Status.VERIFIED
    )


def evaluations(year: int, within_code: str) -> QuerySet[Evaluation]:
    """The year-end evaluations of ``year`` inside ``within_code`` (the assessment reads this):
    each with its commitment, person and place; ``grade``, ``community_score``,
    ``street_score`` (Decimal or None)."""
    return (
        Evaluation.objects.filter(
            commitment__year=year,
            commitment__in=_commitments_within(within_code),
        )
        .select_related("commitment__person", "commitment__place")
        .order_by("commitment__scope_code", "commitment_id")
    )


def _commitments_within(code: str):
    return Commitment.objects.within(code).values("pk")


def public_projects(community_code: str, year: int | None = None) -> list[Node]:
    """The community's projects as residents see them (cancelled ones left out)."""
    qs = Project.objects.within(community_code).exclude(status=Project.Status.CANCELLED)
    return project_tree(qs, year=year)


def commitment_rows(
    commitments: QuerySet[Commitment], *, year: int | None = None, kind: str = ""
) -> QuerySet[Commitment]:
    """The console's list of commitments (already limited to what the viewer sees): each with
    its person, place, evaluation and the number of quarters exchanged, in one query."""
    rows = commitments
    if year:
        rows = rows.filter(year=year)
    if kind in Commitment.Kind.values:
        rows = rows.filter(kind=kind)
    return (
        rows.select_related("person", "place", "evaluation")
        .annotate(quarters=Count("exchanges"))
        .order_by("scope_code", "person_id", "id")
    )
