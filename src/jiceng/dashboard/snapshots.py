"""Indicator snapshots: computing them from the apps' registrations and reading them back.

Writing. ``compute_period(kind, start)`` asks every registered indicator for its numbers of the
period inside each district (``Indicator.compute(within, start, end)``: one GROUP BY by the
records' own ``scope_code``), adds each code into every place above it (a grid's numbers count in
its community, street and district), and stores one ``Snapshot`` per (indicator, place, period)
for every active place, zeros included, replacing what was stored for that period (so a run is
idempotent and a re-run after a correction puts the new number everywhere). ``run_night(day)``
computes the day, its month and its year; ``backfill(months, today)`` the past months.

Reading (the signatures other surfaces rely on; keep them stable):

- ``values(indicator_key, codes, period_kind, period_start) -> {code: Value}``
- ``children_values(indicator_key, code, period_kind, period_start) -> {child_code: Value}``
- ``series(indicator_key, code, period_kind, first, last) -> [(period_start, Value)]``
- ``place_values(code, period_kind, period_start, keys=None) -> {indicator_key: Value}``

A ``Value`` is ``(numerator, denominator, value)``; ``value`` is the numerator for a count and
numerator / denominator for a rate (None while the denominator is 0). A place or period with no
snapshot is absent from the answer (never computed), not zero.
"""

from __future__ import annotations

import time as _time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from jiceng.core.bulk import bulk_insert
from jiceng.core.registry import COUNT, RATE, Indicator, indicator, indicators
from jiceng.core.scope import LEVELS, enclosing
from jiceng.dashboard.models import PeriodKind, Snapshot
from jiceng.geo.models import Division

DAY, MONTH, YEAR = PeriodKind.DAY.value, PeriodKind.MONTH.value, PeriodKind.YEAR.value


class Value(NamedTuple):
    numerator: float
    denominator: float
    value: float | None


def make_value(kind: str, numerator: float, denominator: float) -> Value:
    """A stored pair as a value: counts are their numerator, rates a share (None over 0)."""
    if kind == RATE:
        return Value(numerator, denominator, numerator / denominator if denominator else None)
    return Value(numerator, denominator, numerator)


# --- periods ---------------------------------------------------------------------------------


def period_start(kind: str, day: date) -> date:
    """The first day of the period of ``kind`` that holds ``day``."""
    if kind == DAY:
        return day
    if kind == MONTH:
        return day.replace(day=1)
    if kind == YEAR:
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown period kind {kind!r}")


def shift(kind: str, start: date, n: int) -> date:
    """The start of the period ``n`` periods after (negative: before) the one at ``start``."""
    if kind == DAY:
        return start + timedelta(days=n)
    if kind == MONTH:
        months = start.year * 12 + start.month - 1 + n
        return date(months // 12, months % 12 + 1, 1)
    if kind == YEAR:
        return date(start.year + n, 1, 1)
    raise ValueError(f"unknown period kind {kind!r}")


def period_bounds(kind: str, start: date) -> tuple[datetime, datetime]:
    """The period as aware datetimes [start, end) in the site's time zone."""
    tz = timezone.get_current_timezone()
    begin = datetime.combine(start, dtime.min, tzinfo=tz)
    return begin, datetime.combine(shift(kind, start, 1), dtime.min, tzinfo=tz)


# --- computing -------------------------------------------------------------------------------


def roll_up(raw: dict[str, tuple[float, float]], places: Iterable[str]) -> dict[str, list[float]]:
    """Add each record code's (numerator, denominator) into the code itself and every place
    above it; every code in ``places`` is in the answer (zeros where nothing was counted)."""
    out: dict[str, list[float]] = {code: [0.0, 0.0] for code in places}
    for code, (num, den) in raw.items():
        for place in (*enclosing(code), code):
            pair = out.get(place)
            if pair is not None:
                pair[0] += num or 0
                pair[1] += den or 0
    return out


@dataclass
class RunReport:
    periods: int = 0
    rows: int = 0
    seconds: float = 0.0
    by_indicator: dict[str, float] | None = None


def _places() -> dict[str, list[str]]:
    """Every active place's code, by its district."""
    by_district: dict[str, list[str]] = defaultdict(list)
    for code in Division.objects.filter(is_active=True).values_list("code", flat=True):
        by_district[code[: LEVELS["district"]]].append(code)
    return by_district


def compute_period(
    kind: str,
    start: date,
    *,
    keys: Sequence[str] | None = None,
    report: RunReport | None = None,
    places: dict[str, list[str]] | None = None,
) -> int:
    """Compute and store every indicator (or ``keys``) for the period of ``kind`` starting at
    ``start``, for every active place; returns the number of snapshots written."""
    start = period_start(kind, start)
    begin, end = period_bounds(kind, start)
    chosen = [i for i in indicators() if keys is None or i.key in keys]
    places = _places() if places is None else places
    now = timezone.now()
    written = 0
    for district, codes in places.items():
        rows: list[Snapshot] = []
        for ind in chosen:
            t0 = _time.perf_counter()
            raw = ind.compute(district, begin, end)
            if report is not None and report.by_indicator is not None:
                report.by_indicator[ind.key] = (
                    report.by_indicator.get(ind.key, 0.0) + _time.perf_counter() - t0
                )
            for code, (num, den) in roll_up(raw, codes).items():
                rows.append(
                    Snapshot(
                        scope_code=code,
                        indicator=ind.key,
                        period_kind=kind,
                        period_start=start,
                        numerator=num,
                        denominator=den if ind.kind == RATE else 0,
                        computed_at=now,
                    )
                )
        with transaction.atomic():
            Snapshot.objects.within(district).filter(
                indicator__in=[i.key for i in chosen], period_kind=kind, period_start=start
            ).delete()
            _store(rows)
        written += len(rows)
    if report is not None:
        report.periods += 1
        report.rows += written
    return written


_COLUMNS = (
    "scope_code",
    "indicator",
    "period_kind",
    "period_start",
    "numerator",
    "denominator",
    "computed_at",
)


def _store(rows: list[Snapshot]) -> None:
    """Insert new snapshots: COPY on PostgreSQL (``core.bulk.bulk_insert``); elsewhere one
    ``executemany`` of plain tuples (``bulk_create`` spends seconds preparing 10,000 rows)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        bulk_insert(Snapshot, rows)
        return
    ops = connection.ops
    table = ops.quote_name(Snapshot._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    computed = ops.adapt_datetimefield_value(rows[0].computed_at)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",
            [
                (
                    r.scope_code,
                    r.indicator,
                    r.period_kind,
                    ops.adapt_datefield_value(r.period_start),
                    r.numerator,
                    r.denominator,
                    computed,
                )
                for r in rows
            ],
        )


def run_night(day: date | None = None, *, keys: Sequence[str] | None = None) -> RunReport:
    """One night's snapshots: ``day`` (default: yesterday), its month and its year, each as it
    stands at the end of ``day``'s period."""
    day = day or (timezone.localdate() - timedelta(days=1))
    report = RunReport(by_indicator={})
    t0 = _time.perf_counter()
    places = _places()
    for kind in (DAY, MONTH, YEAR):
        compute_period(kind, day, keys=keys, report=report, places=places)
    report.seconds = _time.perf_counter() - t0
    return report


def backfill(months: int, today: date | None = None) -> RunReport:
    """The ``months`` months before ``today``'s (complete months) and the years they touch,
    plus the current month, year and yesterday (``run_night``)."""
    today = today or timezone.localdate()
    report = RunReport(by_indicator={})
    t0 = _time.perf_counter()
    places = _places()
    current = period_start(MONTH, today)
    years: set[date] = set()
    for n in range(months, 0, -1):
        month = shift(MONTH, current, -n)
        compute_period(MONTH, month, report=report, places=places)
        years.add(period_start(YEAR, month))
    for year in sorted(years - {period_start(YEAR, today)}):
        compute_period(YEAR, year, report=report, places=places)
    for kind, day in ((DAY, today - timedelta(days=1)), (MONTH, today), (YEAR, today)):
        compute_period(kind, day, report=report, places=places)
    report.seconds = _time.perf_counter() - t0
    return report


# --- reading ---------------------------------------------------------------------------------


def _kind_of(indicator_key: str) -> str:
    found = indicator(indicator_key)
    return found.kind if found is not None else COUNT


def values(
    indicator_key: str, codes: Iterable[str], period_kind: str, period_start: date
) -> dict[str, Value]:
    """The stored values of one indicator for these places and one period (absent: never
    computed)."""
    kind = _kind_of(indicator_key)
    rows = Snapshot.objects.filter(
        indicator=indicator_key,
        period_kind=period_kind,
        period_start=period_start,
        scope_code__in=list(codes),
    ).values_list("scope_code", "numerator", "denominator")
    return {code: make_value(kind, n, d) for code, n, d in rows}


def children_values(
    indicator_key: str, code: str, period_kind: str, period_start: date
) -> dict[str, Value]:
    """The stored values of one indicator for the places directly below ``code`` (a district's
    streets, a street's communities, a community's grids)."""
    children = Division.objects.filter(parent__code=code, is_active=True).values_list(
        "code", flat=True
    )
    return values(indicator_key, children, period_kind, period_start)


def series(
    indicator_key: str, code: str, period_kind: str, first: date, last: date
) -> list[tuple[date, Value | None]]:
    """One place's values of one indicator for each period from ``first`` to ``last``
    (inclusive, both period starts); None where nothing is stored."""
    kind = _kind_of(indicator_key)
    stored = {
        start: make_value(kind, n, d)
        for start, n, d in Snapshot.objects.filter(
            scope_code=code,
            indicator=indicator_key,
            period_kind=period_kind,
            period_start__gte=first,
            period_start__lte=last,
        ).values_list("period_start", "numerator", "denominator")
    }
    out, start = [], first
    while start <= last:
        out.append((start, stored.get(start)))
        start = shift(period_kind, start, 1)
    return out


def place_values(
    code: str, period_kind: str, period_start: date, keys: Iterable[str] | None = None
) -> dict[str, Value]:
    """Every indicator's (or ``keys``') stored value at one place for one period."""
    rows = Snapshot.objects.filter(
        scope_code=code, period_kind=period_kind, period_start=period_start
    )
    if keys is not None:
        rows = rows.filter(indicator__in=list(keys))
    return {
        key: make_value(_kind_of(key), n, d)
        for key, n, d in rows.values_list("indicator", "numerator", "denominator")
    }


def latest_start(period_kind: str, code: str | None = None, key: str | None = None) -> date | None:
    """The newest period of ``period_kind`` with any snapshot (at ``code``, where given). With an
    indicator's ``key``: the newest in which that indicator has a value there (a rate, a
    denominator), so that a map or the big screen in the first hours of a month shows the month
    just ended instead of a blank one."""
    rows = Snapshot.objects.filter(period_kind=period_kind)
    if code:
        rows = rows.filter(scope_code=code)
    if key:
        rows = rows.filter(indicator=key)
        found = indicator(key)
        if found is not None and found.kind == RATE:
            rows = rows.filter(denominator__gt=0)
    return rows.order_by("-period_start").values_list("period_start", flat=True).first()


__all__ = [
    "COUNT",
    "DAY",
    "MONTH",
    "RATE",
    "YEAR",
    "Indicator",
    "RunReport",
    "Value",
    "backfill",
    "children_values",
    "compute_period",
    "latest_start",
    "make_value",
    "period_bounds",
    "period_start",
    "place_values",
    "run_night",
    "series",
    "shift",
    "values",
]
