"""Scoped reads: a result's breakdown (domains > categories > items with their points and what
they came from) in a fixed number of queries, and an item's records link for the reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from jiceng.assessment import permissions as perm
from jiceng.assessment.models import (
    Appraisal,
    AppraisalVote,
    ItemScore,
    Node,
    Result,
    SubjectKind,
)
from jiceng.core.registry import indicator as find_indicator
from jiceng.dashboard import snapshots
from jiceng.party.selectors import YearAttendance, attendance_in_year
from jiceng.points.selectors import year_points


@dataclass
class Line:
    node: Node
    points: Decimal = Decimal(0)
    item: ItemScore | None = None
    children: list[Line] = field(default_factory=list)
    label: str = ""  # the node's name in the reader's language, read once
    url: str = ""  # an item's page (what it was computed from)


def breakdown(result: Result, nodes: list[Node] | None = None, item_url: str = "") -> list[Line]:
    """The scheme's tree with this result's points (two queries, one with ``nodes`` given).
    ``item_url``: the item page's address with ``{}`` for the node's id, filled in per item (one
    ``reverse`` for the page instead of one per item)."""
    if nodes is None:
        nodes = list(Node.objects.filter(scheme_id=result.round.scheme_id).order_by("order", "id"))
    items = {i.node_id: i for i in ItemScore.objects.filter(result=result)}
    lines = {
        n.pk: Line(
            n,
            item=items.get(n.pk),
            label=n.label,
            url=item_url.format(n.pk) if item_url and n.level == Node.Level.ITEM else "",
        )
        for n in nodes
    }
    top: list[Line] = []
    for n in nodes:
        line = lines[n.pk]
        (lines[n.parent_id].children if n.parent_id else top).append(line)

    def total(line: Line) -> Decimal:
        if line.item is not None:
            line.points = line.item.points
        else:
            line.points = sum((total(c) for c in line.children), Decimal(0))
        return line.points

    for line in top:
        total(line)
    return top


def counted_by_unit(result: Result) -> int | None:
    """The handling unit whose records a result's indicator items counted (a handling unit's
    result, ``scoring.from_indicator``), else None (a place's snapshots)."""
    if result.round.scheme.subject_kind != SubjectKind.HANDLER:
        return None
    ref = result.subject_ref
    return int(ref[5:]) if ref.startswith("unit:") and ref[5:].isdigit() else None


def records_url(user, item: ItemScore, result: Result) -> str | None:
    """The scoped list of the records the item's indicator counted (None: no list for them):
    the place's, or the handling unit's among those the user may see."""
    node = item.node
    ind = find_indicator(node.indicator) if node.indicator else None
    if ind is None or not item.period_start:
        return None
    begin, end = snapshots.period_bounds(item.period_kind, item.period_start)
    unit = counted_by_unit(result)
    if unit is not None:
        return ind.unit_records(user, unit, begin, end) if ind.unit_records else None
    if ind.records is None:
        return None
    return ind.records(user, item.place_code, begin, end)


def period_end(item: ItemScore) -> date | None:
    if not item.period_start:
        return None
    return snapshots.shift(item.period_kind, item.period_start, 1)


# --- appraisals of people ----------------------------------------------------------------------


@dataclass
class AppraisalRow:
    """An appraisal with its tally (votes per grade, the person's own vote apart: the
    self-assessment of a 民主评议) and, for a member, the year's points and meetings."""

    appraisal: Appraisal
    tally: list[tuple[str, str, int]] = field(default_factory=list)  # (grade, label, votes)
    votes: int = 0
    own_grade: str = ""
    points: int | None = None
    attendance: YearAttendance | None = None

    @property
    def summary(self) -> str:
        """The grades that got votes, with their counts ("好 3 · 较好 1")."""
        return " · ".join(f"{label} {n}" for _grade, label, n in self.tally if n)


def appraisal_rows(appraisals: list[Appraisal]) -> list[AppraisalRow]:
    """The rows of a list or a page (one query for the votes; for members, one for the points
    and two for the meetings, whatever the number of rows). ``appraisals`` come with
    ``member__org`` selected."""
    ids = [a.pk for a in appraisals]
    counts: dict[int, dict[str, int]] = {}
    own: dict[int, str] = {}
    votes = AppraisalVote.objects.filter(appraisal_id__in=ids).values_list(
        "appraisal_id", "grade", "rater_id", "appraisal__person_id"
    )
    for appraisal_id, grade, rater_id, person_id in votes:
        if rater_id == person_id:
            own[appraisal_id] = grade
        else:
            per = counts.setdefault(appraisal_id, {})
            per[grade] = per.get(grade, 0) + 1
    by_year: dict[int, list] = {}
    for a in appraisals:
        if a.kind == Appraisal.Kind.DEMOCRATIC and a.member:
            by_year.setdefault(a.year, []).append(a.member)
    points: dict[tuple[int, int], int] = {}
    meetings: dict[tuple[int, int], YearAttendance] = {}
    for year, group in by_year.items():
        ids_ = [m.pk for m in group]
        for member_id, total in year_points(member_ids=ids_, year=year).items():
            points[(year, member_id)] = total
        for member_id, seen in attendance_in_year(members=group, year=year).items():
            meetings[(year, member_id)] = seen
    rows = []
    for a in appraisals:
        per = counts.get(a.pk, {})
        row = AppraisalRow(
            a,
            tally=[(g, str(label), per.get(g, 0)) for g, label in a.grades],
            votes=sum(per.values()),
            own_grade=str(dict(a.grades).get(own.get(a.pk, ""), "")),
        )
        if a.kind == Appraisal.Kind.DEMOCRATIC and a.member_id:
            row.points = points.get((a.year, a.member_id), 0)
            row.attendance = meetings.get((a.year, a.member_id))
        rows.append(row)
    return rows


def appraisals_to_grade(user, now=None) -> QuerySet[Appraisal]:
    """The open appraisals ``user`` has a vote in and has not used yet (a report once it is
    submitted; one's own 民主评议 is the self-assessment): the phone page's list and the homes'
    line, one definition."""
    now = now or timezone.now()
    return (
        perm.votable_appraisals(user)
        .filter(status=Appraisal.Status.OPEN, opens_at__lte=now, closes_at__gte=now)
        .exclude(votes__rater=user)
        .exclude(kind=Appraisal.Kind.REPORT, report="")
    )


def reports_due(user, now=None) -> QuerySet[Appraisal]:
    """The user's own open 述职评议 whose report is not submitted yet."""
    if not getattr(user, "is_authenticated", False):
        return Appraisal.objects.none()
    now = now or timezone.now()
    return Appraisal.objects.filter(
        person=user,
        kind=Appraisal.Kind.REPORT,
        status=Appraisal.Status.OPEN,
        opens_at__lte=now,
        closes_at__gte=now,
        report="",
    )
