"""The assessment JSON API: rounds, a round's ranking, a subject's score with its breakdown
(every item with what it was computed from and the link to the records counted)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Router, Schema

from jiceng.assessment import permissions as perm
from jiceng.assessment import selectors
from jiceng.core.inputs import Id
from jiceng.core.scope import visible_or_404

router = Router(tags=["assessment"])


class RoundOut(Schema):
    id: int
    name: str
    scheme: str
    status: str
    period_start: date
    period_end: date


class ScoreRankOut(Schema):
    id: int
    subject: str
    total: Decimal
    rank: int | None
    listing: str


class ScoreItemOut(Schema):
    node: int
    name: str
    weight: Decimal
    points: Decimal
    source: str
    indicator: str
    value: float | None
    numerator: float | None
    denominator: float | None
    period_start: date | None
    place_code: str
    note: str
    records_url: str | None


class ScoreLineOut(Schema):
    name: str
    weight: Decimal
    points: Decimal
    children: list[ScoreLineOut] = []
    item: ScoreItemOut | None = None


class ScoreResultOut(Schema):
    id: int
    round: int
    subject: str
    total: Decimal
    rank: int | None
    listing: str
    lines: list[ScoreLineOut]


@router.get("/rounds", response=list[RoundOut])
def rounds(request):
    rows = perm.visible_rounds(request.user).select_related("scheme")[:200]
    return [
        RoundOut(
            id=r.pk,
            name=r.name,
            scheme=r.scheme.name,
            status=r.status,
            period_start=r.period_start,
            period_end=r.period_end,
        )
        for r in rows
    ]


@router.get("/rounds/{pk}/ranking", response=list[ScoreRankOut])
def ranking(request, pk: Id):
    rnd = visible_or_404(perm.visible_rounds(request.user), pk=pk)
    rows = perm.visible_results(request.user).filter(round=rnd).order_by("rank", "subject_ref")
    return [
        ScoreRankOut(id=r.pk, subject=r.subject_name, total=r.total, rank=r.rank, listing=r.listing)
        for r in rows[:2000]
    ]


def _line(user, result, line) -> ScoreLineOut:
    item = None
    if line.item is not None:
        i = line.item
        i.node = line.node
        item = ScoreItemOut(
            node=line.node.pk,
            name=line.node.label,
            weight=line.node.weight,
            points=i.points,
            source=line.node.source,
            indicator=line.node.indicator,
            value=i.value,
            numerator=i.numerator,
            denominator=i.denominator,
            period_start=i.period_start,
            place_code=i.place_code,
            note=i.note,
            records_url=selectors.records_url(user, i, result),
        )
    return ScoreLineOut(
        name=line.node.label,
        weight=line.node.weight,
        points=line.points,
        children=[_line(user, result, c) for c in line.children],
        item=item,
    )


@router.get("/results/{pk}", response=ScoreResultOut)
def result(request, pk: Id):
    r = visible_or_404(perm.visible_results(request.user).select_related("round__scheme"), pk=pk)
    return ScoreResultOut(
        id=r.pk,
        round=r.round_id,
        subject=r.subject_name,
        total=r.total,
        rank=r.rank,
        listing=r.listing,
        lines=[_line(request.user, r, line) for line in selectors.breakdown(r)],
    )
