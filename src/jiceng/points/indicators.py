"""Points' indicator: the points members earned in the period, from the ledger."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import by_scope, records_link
from jiceng.core.registry import Indicator, register_indicator
from jiceng.points.models import PointEntry


def points_earned(within, start, end):
    entries = PointEntry.objects.within(within).filter(occurred_at__gte=start, occurred_at__lt=end)
    return by_scope(entries, Sum("points"))


register_indicator(
    Indicator(
        "points.earned",
        _("党员积分"),
        _(
            "发生时间在本期内的积分台账记录的分值合计（冲正记录为负数，已相互抵消），"
            "按记账时党员所在区划统计；来自积分台账。"
        ),
        _("分"),
        "branch_life",
        "points",
        points_earned,
        order=55,
        records=records_link("points:ranking", "party"),
    )
)
