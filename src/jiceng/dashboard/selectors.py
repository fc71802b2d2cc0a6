"""What the dashboard pages and the API read: snapshots only (``snapshots``), arranged by the
classification, with the comparisons (last period, same period last year), the children's
ranking and a 12-period trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from jiceng.core.registry import RATE, Indicator, indicator
from jiceng.core.scope import LEVELS, enclosing
from jiceng.dashboard import classification, snapshots
from jiceng.dashboard.models import Snapshot
from jiceng.dashboard.snapshots import DAY, MONTH, YEAR, Value
from jiceng.geo.models import Division

PERIOD_KINDS = (MONTH, YEAR, DAY)
TREND_LENGTH = {MONTH: 12, YEAR: 5, DAY: 30}


def same_period_last_year(kind: str, start: date) -> date:
    if kind == MONTH:
        return snapshots.shift(MONTH, start, -12)
    if kind == YEAR:
        return snapshots.shift(YEAR, start, -1)
    try:
        return start.replace(year=start.year - 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year - 1, day=28)


def display(ind: Indicator | None, value: Value | None) -> str:
    """A value as the pages show it: a share in per cent, a count as a number, "—" for none."""
    if value is None or value.value is None:
        return "—"
    if ind is not None and ind.kind == RATE:
        return f"{value.value * 100:.1f}%"
    v = value.value
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def change(ind: Indicator, now: Value | None, then: Value | None) -> dict | None:
    """The difference from an earlier value, and whether it is for the better."""
    if now is None or then is None or now.value is None or then.value is None:
        return None
    diff = now.value - then.value
    if ind.kind == RATE:
        text = f"{diff * 100:+.1f}"
    else:
        text = f"{diff:+,.0f}" if float(diff).is_integer() else f"{diff:+,.1f}"
    better = None if diff == 0 else (diff > 0) == ind.higher_is_better
    return {"text": text, "better": better, "up": diff > 0, "same": diff == 0}


@dataclass
class Figure:
    indicator: Indicator
    value: Value | None
    shown: str
    previous: dict | None
    last_year: dict | None
    public: bool

    @property
    def key(self) -> str:
        return self.indicator.key


def figures(place: Division, kind: str, start: date) -> list[dict]:
    """The place's indicators for the period, grouped by domain and category, each with its
    change from the last period and from the same period last year (one query)."""
    previous = snapshots.shift(kind, start, -1)
    last_year = same_period_last_year(kind, start)
    stored: dict[tuple[str, date], Value] = {}
    rows = Snapshot.objects.filter(
        scope_code=place.code, period_kind=kind, period_start__in=[start, previous, last_year]
    ).values_list("indicator", "period_start", "numerator", "denominator")
    for key, when, n, d in rows:
        ind = indicator(key)
        if ind is not None:
            stored[(key, when)] = snapshots.make_value(ind.kind, n, d)
    out = []
    for domain in classification.tree():
        groups = []
        for group in domain.categories:
            items = []
            for filed in group.items:
                ind = filed.indicator
                now = stored.get((ind.key, start))
                items.append(
                    Figure(
                        ind,
                        now,
                        display(ind, now),
                        change(ind, now, stored.get((ind.key, previous))),
                        change(ind, now, stored.get((ind.key, last_year))),
                        filed.public,
                    )
                )
            groups.append({"key": group.key, "label": group.label, "figures": items})
        out.append({"key": domain.key, "label": domain.label, "categories": groups})
    return out


def children(place: Division) -> list[Division]:
    return list(Division.objects.filter(parent=place, is_active=True).order_by("code"))


def ranking(place: Division, kids: list[Division], key: str, kind: str, start: date) -> list:
    """The place's children on one indicator, best first (those with no value last)."""
    ind = indicator(key)
    if ind is None:
        return []
    codes = [c.code for c in kids]
    stored = snapshots.values(key, codes, kind, start)
    before = snapshots.values(key, codes, kind, snapshots.shift(kind, start, -1))
    rows = [
        {
            "place": c,
            "value": stored.get(c.code),
            "shown": display(ind, stored.get(c.code)),
            "previous": display(ind, before.get(c.code)),
        }
        for c in kids
    ]
    sign = -1 if ind.higher_is_better else 1

    def order(row):
        v = row["value"].value if row["value"] is not None else None
        return (v is None, sign * v if v is not None else 0, row["place"].code)

    rows.sort(key=order)
    for n, row in enumerate(rows, start=1):
        row["rank"] = n
    return rows


def trend(place: Division, key: str, kind: str, start: date) -> list[dict]:
    """The last ``TREND_LENGTH`` periods up to ``start`` (None where nothing is stored)."""
    ind = indicator(key)
    first = snapshots.shift(kind, start, -(TREND_LENGTH[kind] - 1))
    out = []
    for when, value in snapshots.series(key, place.code, kind, first, start):
        v = None if value is None else value.value
        if v is not None and ind is not None and ind.kind == RATE:
            v = round(v * 100, 1)
        out.append({"period": period_label(kind, when), "value": v})
    return out


def period_label(kind: str, start: date) -> str:
    if kind == YEAR:
        return f"{start:%Y}"
    if kind == MONTH:
        return f"{start:%Y-%m}"
    return start.isoformat()


def breadcrumbs(user_scopes: list[str], place: Division) -> list[Division]:
    """The places above ``place`` that the viewer may open, then the place itself."""
    codes = [c for c in enclosing(place.code) if any(c.startswith(s) for s in user_scopes)]
    found = {d.code: d for d in Division.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found] + [place]


def level_label(code: str) -> str:
    names = {
        "district": _("区"),
        "street": _("街道"),
        "community": _("社区"),
        "grid": _("网格"),
    }
    for level, length in LEVELS.items():
        if len(code) == length:
            return names[level]
    return ""
