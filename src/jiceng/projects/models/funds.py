"""Funds: fund lines per place and year (为民服务专项资金, 惠民项目资金, a unit's contribution),
their allocations to projects, and the spending against each allocation with its voucher and
its approver. The phases are the Open Fiscal Data Package's: a line's amount and an
allocation's first amount are *approved*, an allocation's current amount is *revised*, spending
recorded and waiting for approval is *committed*, approved spending is *executed*.

Balances are never stored: they are sums of the rows (``fund_selectors``), and every write that
could overdraw takes the row it draws on ``FOR UPDATE`` before it sums (``funds``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, TimeStampedModel, UnindexedScopedModel

USER = settings.AUTH_USER_MODEL
ZERO = Decimal("0.00")


def money(verbose_name, **kwargs) -> models.DecimalField:
    """Yuan to the fen: never a float."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class FundKind(TimeStampedModel):
    """A kind of fund line and the rule it must meet, as data with its source (Wuxi: 社区党组织
    为民服务专项资金 at least 200,000 yuan per community per year)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    # the least a line of this kind holds for a place of ``rule_level`` in a year (none: no rule)
    minimum = money(_("每年最低额度（元）"), null=True, blank=True)
    rule_level = models.CharField(_("规则适用层级"), max_length=16, blank=True)
    rule = models.CharField(_("使用规则"), max_length=300, blank=True)
    source = models.CharField(_("依据"), max_length=300, blank=True)
    from_unit = models.BooleanField(_("由共建单位出资"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("资金类型")
        verbose_name_plural = _("资金类型")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class FundLine(TimeStampedModel, UnindexedScopedModel):
    """A place's line of money for a year: its approved amount, and from whom (a unit's
    contribution names the unit)."""

    kind = models.ForeignKey(
        FundKind, verbose_name=_("资金类型"), on_delete=models.PROTECT, related_name="lines"
    )
    place = models.ForeignKey(
        "geo.Division", verbose_name=_("所属地区"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = money(_("核定金额（元）"), validators=[MinValueValidator(ZERO)])
    unit = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("出资单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_place = "place"

    class Meta:
        verbose_name = _("资金")
        verbose_name_plural = _("资金")
        ordering = ["-year", "place__code", "kind__order", "id"]
        indexes = [models.Index(fields=["scope_code", "year"], name="fundline_scope_year")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="fundline_amount_not_negative"),
            models.UniqueConstraint(
                fields=["kind", "place", "year"],
                condition=Q(unit__isnull=True),
                name="fundline_one_per_kind_place_year",
            ),
            models.UniqueConstraint(
                fields=["kind", "place", "year", "unit"],
                condition=Q(unit__isnull=False),
                name="fundline_one_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.kind.name}"


class Allocation(TimeStampedModel, ScopedModel):
    """Part of a line given to a project: ``approved`` as first decided, ``amount`` as revised
    (the amount spending is held to). Its place is the project's."""

    line = models.ForeignKey(
        FundLine, verbose_name=_("资金"), on_delete=models.PROTECT, related_name="allocations"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    approved = money(_("批准金额（元）"))
    amount = money(_("调整后金额（元）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("资金安排")
        verbose_name_plural = _("资金安排")
        ordering = ["line_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_not_negative"),
            models.CheckConstraint(
                condition=Q(approved__gt=0), name="allocation_approved_positive"
            ),
            models.UniqueConstraint(fields=["line", "project"], name="allocation_one_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.amount}"


def voucher_path(instance: Spending, filename: str) -> str:
    return f"funds/{instance.spent_on:%Y/%m}/{instance.allocation_id}-{filename}"


class Spending(TimeStampedModel, UnindexedScopedModel):
    """One payment against an allocation, with its voucher (a photo or a PDF). Recorded it is
    committed; the approver (never its author) makes it executed, or refuses it (the money goes
    back to the allocation)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已支出")
        REJECTED = "rejected", _("已退回")

    allocation = models.ForeignKey(
        Allocation, verbose_name=_("资金安排"), on_delete=models.PROTECT, related_name="spending"
    )
    # the line, repeated from the allocation so that a line's balance is one GROUP BY
    line = models.ForeignKey(
        FundLine, verbose_name=_("资金"), on_delete=models.PROTECT, related_name="spending"
    )
    amount = money(_("金额（元）"))
    spent_on = models.DateField(_("支出日期"))
    purpose = models.CharField(_("用途"), max_length=200)
    payee = models.CharField(_("收款方"), max_length=100)
    voucher = models.FileField(_("凭证"), upload_to=voucher_path, max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        USER,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("支出")
        verbose_name_plural = _("支出")
        ordering = ["-spent_on", "-id"]
        indexes = [
            models.Index(fields=["line", "status"], name="spending_line_status"),
            models.Index(fields=["allocation", "status"], name="spending_alloc_status"),
            models.Index(fields=["scope_code", "spent_on"], name="spending_scope_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_positive"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(approved_by__isnull=False),
                name="spending_decided_has_approver",
            ),
            models.CheckConstraint(
                condition=~Q(approved_by=models.F("recorded_by")),
                name="spending_approver_not_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.purpose} {self.amount}"
