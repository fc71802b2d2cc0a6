"""Dues: the brackets (rows loaded by a data migration) and the payments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import TimeStampedModel
from jiceng.party.models.members import Member


class DuesRule(TimeStampedModel):
    """One row of the dues regulation: a bracket (rate on the whole base) or a fixed amount."""

    income_kind = models.CharField(
        _("收入类别"), max_length=16, choices=Member.IncomeKind.choices, db_index=True
    )
    above = models.DecimalField(
        _("基数高于（元）"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    up_to = models.DecimalField(
        _("基数不超过（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(
        _("比例"), max_digits=6, decimal_places=4, null=True, blank=True, help_text="0.0050 = 0.5%"
    )
    fixed_amount = models.DecimalField(
        _("固定金额（元/月）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    regulation = models.CharField(_("依据"), max_length=200)

    class Meta:
        verbose_name = _("党费交纳标准")
        verbose_name_plural = _("党费交纳标准")
        ordering = ["income_kind", "above"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__isnull=False, fixed_amount__isnull=True)
                | Q(rate__isnull=True, fixed_amount__isnull=False),
                name="duesrule_rate_xor_fixed",
            )
        ]

    def __str__(self) -> str:
        if self.fixed_amount is not None:
            return f"{self.get_income_kind_display()}：每月 {self.fixed_amount} 元"
        top = f"≤{self.up_to}" if self.up_to is not None else "以上"
        return f"{self.get_income_kind_display()} >{self.above} {top}：{self.rate * 100}%"


class DuesPayment(models.Model):
    """Dues paid for one month by one member; one row per member and month."""

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="dues_payments"
    )
    month = models.DateField(_("所属月份"))  # the first day of the month
    base = models.DecimalField(_("计算基数"), max_digits=10, decimal_places=2)
    due = models.DecimalField(_("应交（元）"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("实交（元）"), max_digits=10, decimal_places=2)
    paid_at = models.DateTimeField(_("交纳时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党费交纳")
        verbose_name_plural = _("党费交纳")
        ordering = ["member_id", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_once_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.amount}"
