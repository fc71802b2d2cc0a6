"""Case metrics for any place or handler and any period, computed from the event log.

Definitions (RULES.md "Case loop"; Beijing's 接诉即办 for response and satisfaction), over the
cases reported in the period:
- response rate: cases that got a first answer (filed or refused) / cases reported;
- on-time response rate: first answer within the filing limit / cases reported;
- closure rate: closed / due to close (reported, less merged duplicates and refused reports);
- on-time closure rate: closed with no stage past its limit / due to close;
- rework rate: cases whose verification failed at least once / cases verified;
- satisfaction rate: satisfied or basically satisfied / rated;
- median time per stage: the wall-clock hours a case spent in the stage (all its visits).

Each case's tally (models.CaseTally) holds what its events say (flags, hours per stage); the
services rewrite it from the case's events with every event, so that a street's month is one
index range over ~8,500 tallies rather than ~52,000 events. ``compute_from_log`` computes the
same figures straight from the events; the tests hold the two equal.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Aggregate, Avg, Count, Exists, FloatField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.cases.models import TALLY_STAGES, Case, CaseEvent, CaseTally, private_q
from jiceng.cases.workflow import Status
from jiceng.core.errors import UserError
from jiceng.core.inputs import check_day

GROUP_LENGTH = {"street": 9, "community": 12, "grid": 15}


@dataclass
class Figures:
    key: str = ""
    reported: int = 0
    responded: int = 0
    responded_on_time: int = 0
    due: int = 0
    closed: int = 0
    closed_on_time: int = 0
    verified: int = 0
    reworked: int = 0
    rated: int = 0
    satisfied: int = 0
    dispatched: int = 0
    dispatched_right: int = 0
    to_handle: int = 0
    handled: int = 0
    handled_on_time: int = 0
    mean_handling_hours: float | None = None
    median_hours: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def response_rate(self):
        return self._rate(self.responded, self.reported)

    @property
    def on_time_response_rate(self):
        return self._rate(self.responded_on_time, self.reported)

    @property
    def closure_rate(self):
        return self._rate(self.closed, self.due)

    @property
    def on_time_closure_rate(self):
        return self._rate(self.closed_on_time, self.due)

    @property
    def rework_rate(self):
        return self._rate(self.reworked, self.verified)

    @property
    def satisfaction_rate(self):
        return self._rate(self.satisfied, self.rated)

    @property
    def dispatch_accuracy(self):
        """Dispatched cases that no unit sent back / dispatched cases (派遣准确率)."""
        return self._rate(self.dispatched_right, self.dispatched)

    @property
    def handling_rate(self):
        """Cases reported back / cases that went to handling (处置率)."""
        return self._rate(self.handled, self.to_handle)

    @property
    def on_time_handling_rate(self):
        """Cases reported back with no late report / cases that went to handling."""
        return self._rate(self.handled_on_time, self.to_handle)


def period(start: date | str, end: date | str) -> tuple[datetime, datetime]:
    """[start 00:00, end + 1 day 00:00) in local time; a clear error for bad dates."""
    try:
        start_d = start if isinstance(start, date) else date.fromisoformat(start)
        end_d = end if isinstance(end, date) else date.fromisoformat(end)
    except ValueError as exc:
        raise UserError(_("日期格式应为 YYYY-MM-DD。")) from exc
    check_day(start_d, "start")
    check_day(end_d, "end")
    if end_d < start_d:
        raise UserError(_("结束日期不能早于开始日期。"))
    if (end_d - start_d).days > 366 * 2:
        raise UserError(_("统计区间最长两年。"))
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start_d, time(), tzinfo=tz),
        datetime.combine(end_d + timedelta(days=1), time(), tzinfo=tz),
    )


def _cases(
    *, scope: str | None, handler_id: int | None, start: datetime, end: datetime
) -> QuerySet:
    cases = Case.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    if scope:
        cases = cases.within(scope)
    if handler_id:
        cases = cases.filter(handler_id=handler_id)
    return cases


def _tallies(
    *, scope: str | None, handler_id: int | None, start: datetime, end: datetime
) -> QuerySet:
    tallies = CaseTally.objects.filter(reported_at__gte=start, reported_at__lt=end).order_by()
    if scope:
        tallies = tallies.within(scope)
    if handler_id:
        tallies = tallies.filter(handler_id=handler_id)
    return tallies


CLOSED = [Status.CLOSED, Status.EVALUATED]
SATISFIED = [Case.Rating.SATISFIED, Case.Rating.BASICALLY]

# Which tallies each figure counts: written once for the figures here, the indicators'
# numerators and denominators (``cases.indicators.TallyRate``) and the assessment's.
RESPONDED_ON_TIME = Q(answered_on_time=True)
DUE = ~Q(status__in=[Status.MERGED, Status.REJECTED])
CLOSED_Q = Q(status__in=CLOSED)
CLOSED_ON_TIME = Q(status__in=CLOSED, late=False)
VERIFIED = Q(verified=True)
REWORKED = Q(reworked=True)
RATED = ~Q(rating="")
SATISFIED_Q = Q(rating__in=SATISFIED)


def _tally_aggregates() -> dict:
    """Keyed ``n_<figure>``: some figures share their name with a tally's flag."""
    aggregates = {
        "reported": Count("pk"),
        "responded": Count("pk", filter=~Q(status=Status.REPORTED)),
        "responded_on_time": Count("pk", filter=RESPONDED_ON_TIME),
        "due": Count("pk", filter=DUE),
        "closed": Count("pk", filter=CLOSED_Q),
        "closed_on_time": Count("pk", filter=CLOSED_ON_TIME),
        "verified": Count("pk", filter=VERIFIED),
        "reworked": Count("pk", filter=REWORKED),
        "rated": Count("pk", filter=RATED),
        "satisfied": Count("pk", filter=SATISFIED_Q),
        "dispatched": Count("pk", filter=Q(dispatched=True)),
        "dispatched_right": Count("pk", filter=Q(dispatched=True, returned=False)),
        "to_handle": Count("pk", filter=Q(handling=True)),
        "handled": Count("pk", filter=Q(handled=True)),
        "handled_on_time": Count("pk", filter=Q(handled=True, handled_late=False)),
        "mean_handling_hours": Avg("hours_in_progress"),
    }
    return {f"n_{name}": aggregate for name, aggregate in aggregates.items()}


class Median(Aggregate):
    """percentile_cont(0.5) on PostgreSQL (NULLs are left out)."""

    function = None
    name = "Median"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _aggregates() -> dict:
    """The figures from the event log (four EXISTS over the events per case)."""
    events = CaseEvent.objects.filter(case=OuterRef("pk")).exclude(action="whistle")
    answered_on_time = Exists(events.filter(from_status=Status.REPORTED, on_time=True))
    late_stage = Exists(events.filter(on_time=False))
    verified = Exists(events.filter(action__in=["verify_ok", "verify_fail"]))
    reworked = Exists(events.filter(action="verify_fail"))
    dispatched = Exists(events.filter(action="dispatch"))
    returned = Exists(events.filter(action="return"))
    handling = Exists(events.filter(action__in=["accept", "start"]))
    handled = Exists(events.filter(action="report_back"))
    handled_late = Exists(events.filter(action="report_back", on_time=False))
    closed = Q(status__in=CLOSED)
    return {
        "reported": Count("id"),
        "responded": Count("id", filter=~Q(status=Status.REPORTED)),
        "responded_on_time": Count("id", filter=Q(answered_on_time)),
        "due": Count("id", filter=~Q(status__in=[Status.MERGED, Status.REJECTED])),
        "closed": Count("id", filter=closed),
        "closed_on_time": Count("id", filter=closed & ~Q(late_stage)),
        "verified": Count("id", filter=Q(verified)),
        "reworked": Count("id", filter=Q(reworked)),
        "rated": Count("id", filter=~Q(rating="")),
        "satisfied": Count("id", filter=Q(rating__in=SATISFIED)),
        "dispatched": Count("id", filter=Q(dispatched)),
        "dispatched_right": Count("id", filter=Q(dispatched) & ~Q(returned)),
        "to_handle": Count("id", filter=Q(handling)),
        "handled": Count("id", filter=Q(handled)),
        "handled_on_time": Count("id", filter=Q(handled) & ~Q(handled_late)),
    }


def compute(
    *,
    start: date | str,
    end: date | str,
    scope: str | None = None,
    handler_id: int | None = None,
    with_medians: bool = True,
    public: bool = False,
) -> Figures:
    """The figures of one place (a code prefix) or one handler for a period, from the
    cases' tallies; ``public`` leaves private matters out (pages anyone may read)."""
    since, until = period(start, end)
    tallies = _tallies(scope=scope, handler_id=handler_id, start=since, end=until)
    if public:
        tallies = tallies.exclude(private_q("case__"))
    key = scope or str(handler_id or "")
    aggregates = _tally_aggregates()
    medians_in_sql = with_medians and connection.vendor == "postgresql"
    if medians_in_sql:
        aggregates |= {f"median_{s}": Median(f"hours_{s}") for s in TALLY_STAGES}
    row = tallies.aggregate(**aggregates)
    figures = _grouped(key, row)
    if medians_in_sql:
        spans = {s: row[f"median_{s}"] for s in TALLY_STAGES}
    elif with_medians:
        columns = [f"hours_{s}" for s in TALLY_STAGES]
        spent: dict[str, list[float]] = defaultdict(list)
        for values in tallies.values_list(*columns).iterator(chunk_size=5000):
            for stage, hours in zip(TALLY_STAGES, values, strict=True):
                if hours is not None:
                    spent[stage].append(hours)
        spans = {s: statistics.median(h) for s, h in spent.items()}
    else:
        spans = {}
    figures.median_hours = {str(s): round(v, 2) for s, v in spans.items() if v is not None}
    return figures


def compute_from_log(
    *,
    start: date | str,
    end: date | str,
    scope: str | None = None,
    handler_id: int | None = None,
    with_medians: bool = True,
) -> Figures:
    """The same figures read straight from the event log (slower; the check on the tallies)."""
    since, until = period(start, end)
    cases = _cases(scope=scope, handler_id=handler_id, start=since, end=until)
    key = scope or str(handler_id or "")
    figures = Figures(key=key, **cases.aggregate(**_aggregates()))
    handling = list(_stage_hours(cases).filter(from_status=Status.IN_PROGRESS).values_list("hours"))
    if handling:
        figures.mean_handling_hours = round(statistics.fmean(h for (h,) in handling), 2)
    if with_medians:
        figures.median_hours = stage_medians(cases)
    return figures


def compute_grouped(*, start: date | str, end: date | str, scope: str, by: str) -> list[Figures]:
    """The figures of every street, community, grid (by code) or handler inside ``scope``."""
    since, until = period(start, end)
    tallies = _tallies(scope=scope, handler_id=None, start=since, end=until)
    if by == "handler":
        rows = tallies.exclude(handler=None).values("handler_id").annotate(**_tally_aggregates())
        return [_grouped(str(r.pop("handler_id")), r) for r in rows.order_by("handler_id")]
    if by not in GROUP_LENGTH:
        raise UserError(_("分组方式应为 street、community、grid 或 handler。"))
    rows = (
        tallies.annotate(group=Substr("scope_code", 1, GROUP_LENGTH[by]))
        .values("group")
        .annotate(**_tally_aggregates())
        .order_by("group")
    )
    return [_grouped(r.pop("group"), r) for r in rows]


def _grouped(key: str, row: dict) -> Figures:
    """Figures from a row of ``_tally_aggregates``."""
    mean = row.get("n_mean_handling_hours")
    return Figures(
        key=key,
        **{f: row[f"n_{f}"] for f in FIGURE_FIELDS},
        mean_handling_hours=None if mean is None else round(mean, 2),
    )


def _stage_hours(cases: QuerySet) -> QuerySet:
    """Per case and stage: the hours spent in it (its visits added up), from the events."""
    return (
        CaseEvent.objects.filter(case__in=cases.values("id"), span_hours__isnull=False)
        .exclude(from_status="")
        .exclude(action="whistle")
        .values("case_id", "from_status")
        .annotate(hours=Sum("span_hours"))
        .order_by()
    )


def stage_medians(cases: QuerySet) -> dict[str, float]:
    """Median wall-clock hours these cases spent in each stage (a case's visits to a stage
    added up), from the events (each carries the hours of the stage it ends)."""
    rows = _stage_hours(cases).values_list("from_status", "hours")
    spent: dict[str, list[float]] = defaultdict(list)
    for stage, hours in rows.iterator(chunk_size=5000):
        spent[stage].append(hours)
    return {stage: round(statistics.median(hours), 2) for stage, hours in spent.items()}


FIGURE_FIELDS = (
    "reported",
    "responded",
    "responded_on_time",
    "due",
    "closed",
    "closed_on_time",
    "verified",
    "reworked",
    "rated",
    "satisfied",
    "dispatched",
    "dispatched_right",
    "to_handle",
    "handled",
    "handled_on_time",
)
