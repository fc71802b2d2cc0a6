"""Scoped reads: a result's breakdown (domains > categories > items with their points and what
they came from) in a fixed number of queries, and an item's records link for the reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jiceng.assessment.models import ItemScore, Node, Result
from jiceng.core.registry import indicator as find_indicator
from jiceng.dashboard import snapshots


@dataclass
class Line:
    node: Node
    points: Decimal = Decimal(0)
    item: ItemScore | None = None
    children: list[Line] = field(default_factory=list)


def breakdown(result: Result, nodes: list[Node] | None = None) -> list[Line]:
    """The scheme's tree with this result's points (two queries, one with ``nodes`` given)."""
    if nodes is None:
        nodes = list(Node.objects.filter(scheme_id=result.round.scheme_id).order_by("order", "id"))
    items = {i.node_id: i for i in ItemScore.objects.filter(result=result)}
    lines = {n.pk: Line(n, item=items.get(n.pk)) for n in nodes}
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


def records_url(user, item: ItemScore) -> str | None:
    """The scoped list of the records the item's indicator counted (None: no list for them)."""
    node = item.node
    ind = find_indicator(node.indicator) if node.indicator else None
    if ind is None or ind.records is None or not item.period_start:
        return None
    begin, end = snapshots.period_bounds(item.period_kind, item.period_start)
    return ind.records(user, item.place_code, begin, end)


def period_end(item: ItemScore) -> date | None:
    if not item.period_start:
        return None
    return snapshots.shift(item.period_kind, item.period_start, 1)
