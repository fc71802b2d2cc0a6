"""Point rules, the append-only points ledger, manual entries awaiting approval, and the
balances derived from the ledger (rebuilt by ``jiceng points_rebuild``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import (
    AppendOnlyQuerySet,
    ScopedModel,
    TimeStampedModel,
    UnindexedScopedModel,
)

# The starter rules' names (migrations 0002 and 0003), for the English catalogue (three of
# them are translated in party's, where the same words name the meetings).
STARTER_RULE_NAMES = (
    gettext_noop("参加三会一课"),
    gettext_noop("参加主题党日"),
    gettext_noop("参加组织生活会"),
    gettext_noop("按时交纳党费"),
    gettext_noop("完成在线学习"),
    gettext_noop("表彰奖励（手工）"),
    gettext_noop("违规扣分（手工）"),
    gettext_noop("完成服务工单"),
    gettext_noop("点亮微心愿"),
)


class PointRule(TimeStampedModel):
    class Kind(models.TextChoices):
        BASE = "base", _("基础积分")
        BONUS = "bonus", _("加分")
        DEDUCTION = "deduction", _("减分")

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    # What scores automatically: point sources that apps declare, separated by spaces
    # (e.g. "party.meeting.theme_day");
    # empty: manual entries only.
    source = models.CharField(_("积分来源"), max_length=300, blank=True)
    points = models.IntegerField(_("每次分值"))
    cap_day = models.PositiveIntegerField(_("每日上限"), null=True, blank=True)
    cap_month = models.PositiveIntegerField(_("每月上限"), null=True, blank=True)
    cap_year = models.PositiveIntegerField(_("每年上限"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cap_day__isnull=True)
                | Q(cap_month__isnull=True)
                | Q(cap_day__lte=F("cap_month")),
                name="rule_day_cap_within_month",
            ),
            models.CheckConstraint(
                condition=Q(cap_month__isnull=True)
                | Q(cap_year__isnull=True)
                | Q(cap_month__lte=F("cap_year")),
                name="rule_month_cap_within_year",
            ),
            models.CheckConstraint(
                condition=Q(cap_day__isnull=True)
                | Q(cap_year__isnull=True)
                | Q(cap_day__lte=F("cap_year")),
                name="rule_day_cap_within_year",
            ),
            models.CheckConstraint(
                condition=Q(kind="deduction", points__lt=0)
                | (~Q(kind="deduction") & Q(points__gt=0)),
                name="rule_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.points:+d}）"

    @property
    def label(self) -> str:
        """The name in the reader's language: the starter rules' names are in the catalogue; a
        name the district gave a rule of its own reads as written."""
        return gettext(self.name)

    def caps(self) -> dict[str, int]:
        return {
            k: v
            for k, v in (("day", self.cap_day), ("month", self.cap_month), ("year", self.cap_year))
            if v is not None
        }


class PointEntry(UnindexedScopedModel):
    """One ledger entry. Never changed or deleted: revoking writes a reversing entry."""

    class Kind(models.TextChoices):
        AUTO = "auto", _("自动计分")
        MANUAL = "manual", _("手工录入")
        REVERSAL = "reversal", _("冲销")

    rule = models.ForeignKey(
        PointRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="entries"
    )
    member = models.ForeignKey(
        "party.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    # The member's organization and place when the entry was written: rankings of a branch and a
    # community read these, so a later transfer does not move past points.
    org = models.ForeignKey(
        "party.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.IntegerField(_("分值"))
    # What the rule offered before caps; ``points`` is what the caps left.
    offered = models.IntegerField(_("应得分值"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    # The source that earned it: "attendance:17", "dues:3:2026-05", "manual:9", "reversal:41".
    source_key = models.CharField(_("来源"), max_length=64)
    occurred_at = models.DateTimeField(_("发生时间"))
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲销的流水"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            # Replaying the same check-in or payment never scores twice.
            models.UniqueConstraint(fields=["rule", "source_key"], name="entry_once_per_source"),
        ]
        indexes = [
            models.Index(fields=["member", "occurred_at"], name="entry_member_time"),
            models.Index(fields=["scope_code", "occurred_at"], name="entry_scope_time"),
            models.Index(fields=["org", "occurred_at"], name="entry_org_time"),
            models.Index(fields=["member", "rule", "occurred_at"], name="entry_member_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.rule_id} {self.points:+d} {self.source_key}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("append-only: ledger entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("append-only: ledger entries cannot be deleted")


class ManualEntry(TimeStampedModel, ScopedModel):
    """A manual award or deduction: written with a reason, booked when a second person approves."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已入账")
        REJECTED = "rejected", _("已驳回")

    rule = models.ForeignKey(
        PointRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "party.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.IntegerField(_("分值"))
    reason = models.CharField(_("理由"), max_length=200)
    occurred_at = models.DateTimeField(_("发生时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default="pending", db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    entry = models.OneToOneField(
        PointEntry,
        verbose_name=_("流水"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("手工积分")
        verbose_name_plural = _("手工积分")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.points:+d} {self.reason}"


class PointBalance(UnindexedScopedModel):
    """A member's points for one year in one organization, derived from the ledger: kept current
    by every entry and rebuilt from the ledger by ``jiceng points_rebuild``. (Per organization so
    that a transfer mid-year leaves past points where they were earned.)"""

    member = models.ForeignKey(
        "party.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    points = models.IntegerField(_("积分"), default=0)
    org = models.ForeignKey(
        "party.PartyOrg", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("积分余额")
        verbose_name_plural = _("积分余额")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year", "org"], name="balance_member_year_org"
            )
        ]
        indexes = [
            models.Index(fields=["year", "scope_code", "points"], name="balance_rank"),
            models.Index(fields=["year", "org", "points"], name="balance_org_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year} {self.points}"
