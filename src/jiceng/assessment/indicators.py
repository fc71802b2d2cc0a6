"""Assessment's indicators: the cases *solved* (not merely closed) and the share of branches
whose standardisation checklist the street accepted."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from jiceng.assessment.models import Checklist
from jiceng.cases.indicators import TallyRate, unit_cases
from jiceng.cases.metrics import CLOSED, DUE
from jiceng.cases.models import Case
from jiceng.core.indicators import by_scope, records_link
from jiceng.core.registry import RATE, Indicator, register_indicator

# Solved: closed, its check never failed (no rework) and the resident did not say dissatisfied.
SOLVED = Q(status__in=CLOSED, reworked=False) & ~Q(rating=Case.Rating.DISSATISFIED)
SOLVED_RATE = TallyRate(SOLVED, DUE)
cases_solved_rate = SOLVED_RATE.by_place


def checklists_accepted(within, start, end):
    rows = Checklist.objects.within(within).filter(year__gte=start.year, year__lte=end.year)
    if end.month == 1 and end.day == 1 and end.year > start.year:
        rows = rows.filter(year__lt=end.year)
    return by_scope(rows, Count("pk", filter=Q(status=Checklist.Status.ACCEPTED)), Count("pk"))


def _checklists(user, code, start, end):
    link = records_link("assessment:checklists", "assessment")(user, code, start, end)
    return f"{link}?place={code}&year={start.year}" if link else None


register_indicator(
    Indicator(
        key="assessment.cases_solved_rate",
        name=_("问题解决率"),
        definition=_(
            "本期上报的案件中，已结案、核查从未不通过、且居民未评价为“不满意”的件数 ÷ 应办结件数；"
            "与“办结率”分开统计：只结案不解决不计入。"
        ),
        unit="%",
        domain="governance",
        category="closure",
        compute=cases_solved_rate,
        kind=RATE,
        records=records_link("cases:metrics", "cases"),
        by_unit=SOLVED_RATE.by_unit,
        unit_records=unit_cases,
        order=35,
    )
)
register_indicator(
    Indicator(
        key="assessment.checklists_accepted",
        name=_("支部规范化建设验收通过率"),
        definition=_("本年度填报规范化建设清单的党支部中，经街道验收通过的个数 ÷ 填报个数。"),
        unit="%",
        domain="organization",
        category="org_coverage",
        compute=checklists_accepted,
        kind=RATE,
        records=_checklists,
        order=90,
    )
)
