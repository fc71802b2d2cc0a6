"""The monthly dues of a member, from the rows of ``DuesRule`` (the 2008 dues regulations)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiceng.core.errors import UserError
from jiceng.party.models import DuesRule, Member

CENT = Decimal("0.01")


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_label(day: date) -> str:
    """The month of ``day`` as the reader's language writes it: 2026年05月, May 2026."""
    return dateformat.format(day, pgettext("year and month (Django date format)", "Y年m月"))


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """How many months from ``start``'s month to ``end``'s month (end excluded)."""
    return (end.year - start.year) * 12 + end.month - start.month


def monthly_dues(
    *, income_kind: str, base: Decimal, rules: list[DuesRule] | None = None
) -> Decimal:
    """The monthly amount: the rate of the bracket the base falls in, applied to the whole base
    (not progressively), or the fixed amount for students, farmers and members without income."""
    if base < 0:
        raise UserError(_("党费计算基数不能为负数。"), field="dues_base")
    rows = rules if rules is not None else list(DuesRule.objects.filter(income_kind=income_kind))
    for rule in sorted((r for r in rows if r.income_kind == income_kind), key=lambda r: r.above):
        if rule.fixed_amount is not None:
            return rule.fixed_amount.quantize(CENT)
        inside = (base > rule.above or (rule.above == 0 and base >= 0)) and (
            rule.up_to is None or base <= rule.up_to
        )
        if inside:
            return (base * rule.rate).quantize(CENT, rounding=ROUND_HALF_UP)
    raise UserError(
        _("没有适用于“{kind}”、基数 {base} 元的党费标准，请先在系统配置中设置。").format(
            kind=income_kind, base=base
        )
    )


def member_dues(member: Member, rules: list[DuesRule] | None = None) -> Decimal:
    if member.dues_override is not None:
        return member.dues_override.quantize(CENT)
    return monthly_dues(income_kind=member.income_kind, base=member.dues_base, rules=rules)
