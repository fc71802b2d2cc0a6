"""Cases' indicators (governance): reports, response, closure, rework, satisfaction and the
whistle's report-in rate. They count each case's tally (``CaseTally``, kept with the event log)
of the cases reported in the period, grouped by the case's place: the same figures as
``cases.metrics`` for that place and period. Each rate is one ``TallyRate`` (its numerator and
denominator written once), which also groups by the unit that handled the case for the
assessment of departments and units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.cases.metrics import (
    CLOSED_ON_TIME,
    CLOSED_Q,
    DUE,
    RATED,
    RESPONDED_ON_TIME,
    REWORKED,
    SATISFIED_Q,
    VERIFIED,
)
from jiceng.cases.models import CaseTally, WhistleResponse
from jiceng.core.indicators import by_scope, records_link
from jiceng.core.registry import RATE, Indicator, register_indicator


def _tallies(within, start, end):
    return CaseTally.objects.within(within).filter(reported_at__gte=start, reported_at__lt=end)


@dataclass(frozen=True)
class TallyRate:
    """A rate over the cases' tallies of a period: which tallies count in the numerator and which
    in the denominator (None: all), written once and grouped two ways: by the case's place
    (``by_place``, the indicator's ``compute``) and by the unit that handled it (``by_unit``,
    the hotline's three rates of departments and units)."""

    numerator: Q
    denominator: Q | None = None

    def counts(self) -> tuple[Count, Count]:
        whole = Count("pk") if self.denominator is None else Count("pk", filter=self.denominator)
        return Count("pk", filter=self.numerator), whole

    def by_place(self, within, start, end):
        return by_scope(_tallies(within, start, end), *self.counts())

    def by_unit(self, within, start, end):
        return by_scope(_tallies(within, start, end), *self.counts(), scope="handler_id")


# the figures of ``cases.metrics`` as rates (the same conditions, from there)
RESPONSE = TallyRate(RESPONDED_ON_TIME)
CLOSURE = TallyRate(CLOSED_Q, DUE)
ON_TIME_CLOSURE = TallyRate(CLOSED_ON_TIME, DUE)
REWORK = TallyRate(REWORKED, VERIFIED)
SATISFACTION = TallyRate(SATISFIED_Q, RATED)


def reported(within, start, end):
    return by_scope(_tallies(within, start, end), Count("pk"))


response_rate = RESPONSE.by_place
closure_rate = CLOSURE.by_place
on_time_closure_rate = ON_TIME_CLOSURE.by_place
rework_rate = REWORK.by_place
satisfaction_rate = SATISFACTION.by_place


def unit_cases(user, unit_id, start, end):
    """The inbox of the cases a unit handled that were reported in the period, among those the
    user may see (the inbox is scoped); None for a user whose roles do not open it."""
    link = _inbox(user, "", start, end)
    if link is None:
        return None
    last = end - timedelta(days=1)  # the period's end is the next period's first moment
    return f"{link}?status=all&handler={unit_id}&since={start:%Y-%m-%d}&until={last:%Y-%m-%d}"


def whistle_rate(within, start, end):
    responses = WhistleResponse.objects.filter(
        whistle__case__in=CaseTally.objects.within(within).values("case"),
        deadline_at__gte=start,
        deadline_at__lt=end,
    )
    return by_scope(
        responses,
        Count("pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("deadline_at"))),
        Count("pk"),
        scope="whistle__case__scope_code",
    )


_inbox = records_link("cases:inbox", "cases")
_metrics = records_link("cases:metrics", "cases")


def _i(key, name, definition, unit, category, compute, order, **kw):
    register_indicator(
        Indicator(
            f"cases.{key}",
            name,
            definition,
            unit,
            "governance",
            category,
            compute,
            order=order,
            **kw,
        )
    )


_i(
    "reported",
    _("诉求与问题上报数"),
    _("本期上报（含居民诉求、网格员巡查发现、12345 转来）的案件数，按案件所在区划统计。"),
    _("件"),
    "response",
    reported,
    10,
    records=_inbox,
    public=True,
)
_i(
    "response_rate",
    _("按时响应率"),
    _("本期上报的案件中，在立案时限内得到受理或答复的件数 ÷ 上报件数；时限按工作小时计。"),
    "%",
    "response",
    response_rate,
    20,
    kind=RATE,
    records=_metrics,
    by_unit=RESPONSE.by_unit,
    unit_records=unit_cases,
    public=True,
)
_i(
    "closure_rate",
    _("办结率"),
    _(
        "本期上报的案件中，已结案（含已评价）的件数 ÷ 应办结件数（上报件数减去被合并和不予受理的）。"
    ),
    "%",
    "closure",
    closure_rate,
    30,
    kind=RATE,
    records=_metrics,
    by_unit=CLOSURE.by_unit,
    unit_records=unit_cases,
    public=True,
)
_i(
    "on_time_closure_rate",
    _("按期办结率"),
    _("本期上报的案件中，已结案且没有任何阶段超时的件数 ÷ 应办结件数。"),
    "%",
    "handling",
    on_time_closure_rate,
    40,
    kind=RATE,
    records=_metrics,
    by_unit=ON_TIME_CLOSURE.by_unit,
    unit_records=unit_cases,
)
_i(
    "rework_rate",
    _("返工率"),
    _("本期上报、经过核查的案件中，核查至少一次不通过（返工）的件数 ÷ 经过核查的件数。越低越好。"),
    "%",
    "rework",
    rework_rate,
    50,
    kind=RATE,
    higher_is_better=False,
    records=_metrics,
    by_unit=REWORK.by_unit,
    unit_records=unit_cases,
)
_i(
    "satisfaction_rate",
    _("群众满意率"),
    _("本期上报、居民已评价的案件中，评价为“满意”或“基本满意”的件数 ÷ 已评价件数。"),
    "%",
    "satisfaction",
    satisfaction_rate,
    60,
    kind=RATE,
    records=_metrics,
    by_unit=SATISFACTION.by_unit,
    unit_records=unit_cases,
    public=True,
)
_i(
    "whistle_rate",
    _("吹哨按时报到率"),
    _(
        "报到时限在本期内的吹哨报到要求中，部门在时限内报到的个数 ÷ 报到要求数，按案件所在区划统计。"
    ),
    "%",
    "whistle",
    whistle_rate,
    70,
    kind=RATE,
    records=_inbox,
)
