"""The indicators API: the definitions, and the stored values of a place and its children for
a period (read from the snapshots, as every surface does); scoped like the dashboard pages."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jiceng.core.errors import UserError
from jiceng.core.registry import indicator, indicators
from jiceng.dashboard import classification, permissions, selectors, snapshots
from jiceng.dashboard.models import Snapshot
from jiceng.dashboard.views import parse_period

router = Router(tags=["indicators"])


class DefinitionOut(Schema):
    key: str
    name: str
    definition: str
    unit: str
    kind: str = Field(description="count: values add up the tree; rate: numerator / denominator")
    higher_is_better: bool
    domain: str
    category: str
    public: bool


class ValueOut(Schema):
    key: str
    numerator: float
    denominator: float
    value: float | None = Field(description="a count's numerator, or a rate as a share (0-1)")


class IndicatorPlaceOut(Schema):
    code: str
    name: str
    level: str
    values: list[ValueOut]


class ValuesOut(Schema):
    kind: str
    period_start: date
    place: IndicatorPlaceOut
    children: list[IndicatorPlaceOut]


@router.get("/definitions", response=list[DefinitionOut])
def definitions(request):
    """Every indicator with its written definition and where the district files it."""
    out = []
    for domain in classification.tree():
        for group in domain.categories:
            for filed in group.items:
                ind = filed.indicator
                out.append(
                    {
                        "key": ind.key,
                        "name": str(ind.name),
                        "definition": str(ind.definition),
                        "unit": str(ind.unit),
                        "kind": ind.kind,
                        "higher_is_better": ind.higher_is_better,
                        "domain": domain.key,
                        "category": group.key,
                        "public": filed.public,
                    }
                )
    return out


@router.get("/values", response=ValuesOut)
def values(
    request,
    code: str = "",
    kind: str = "month",
    period: str = "",
    key: str = Query("", description="one indicator's key; empty: every indicator"),
):
    """The stored values of a place (default: the caller's own) and of the places directly
    below it, for one period (``kind`` month/year/day, ``period`` 2026-05 / 2026 / 2026-05-17;
    empty: the newest stored)."""
    place = permissions.place_for(request.user, code or None)
    kind, start = parse_period({"kind": kind, "period": period}, place.code)
    if key and indicator(key) is None:
        raise UserError(_("未知的指标：{key}").format(key=key), field="key")
    keys = [key] if key else [i.key for i in indicators()]
    kids = selectors.children(place)
    rows = Snapshot.objects.filter(
        scope_code__in=[place.code, *[k.code for k in kids]],
        period_kind=kind,
        period_start=start,
        indicator__in=keys,
    ).values_list("scope_code", "indicator", "numerator", "denominator")
    by_place: dict[str, list[dict]] = {}
    for scope, ind_key, n, d in rows:
        ind = indicator(ind_key)
        v = snapshots.make_value(ind.kind, n, d)
        by_place.setdefault(scope, []).append(
            {"key": ind_key, "numerator": n, "denominator": d, "value": v.value}
        )

    def out(p):
        items = sorted(by_place.get(p.code, []), key=lambda r: keys.index(r["key"]))
        return {"code": p.code, "name": p.name, "level": p.level, "values": items}

    return {
        "kind": kind,
        "period_start": start,
        "place": out(place),
        "children": [out(k) for k in kids],
    }
