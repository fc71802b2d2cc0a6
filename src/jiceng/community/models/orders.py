"""Service orders (派单/接单/评单) and their events."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.community.models.base import USER, Scoped
from jiceng.community.models.lists import Need, VolunteerTeam
from jiceng.community.workflow import OrderStatus
from jiceng.core.models import AppendOnlyQuerySet


class ServiceOrder(Scoped):
    """A service order (派单) from a need, to a member or a team, rated by the resident."""

    need = models.ForeignKey(
        Need,
        verbose_name=_("来自需求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    title = models.CharField(_("服务事项"), max_length=100)
    description = models.TextField(
        pgettext_lazy("description", "说明"), max_length=2000, blank=True
    )
    address = models.CharField(_("服务地点"), max_length=200, blank=True)
    resident = models.ForeignKey(
        USER,
        verbose_name=_("服务对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.ForeignKey(
        "party.Member",
        verbose_name=_("接单党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        VolunteerTeam,
        verbose_name=_("接单服务队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    due_at = models.DateTimeField(_("服务时间"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=OrderStatus.choices,
        default=OrderStatus.DISPATCHED,
        db_index=True,
    )
    accepted_by = models.ForeignKey(
        USER,
        verbose_name=_("接单人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(_("服务情况"), max_length=1000, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_comment = models.CharField(_("评价"), max_length=500, blank=True)
    # When the community was told that nobody accepted the order in time (once per dispatch).
    late_notified_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("服务工单")
        verbose_name_plural = _("服务工单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["scope_code", "status", "due_at"], name="order_scope_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True) | Q(team__isnull=True),
                name="order_one_assignee",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="order_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def assignee_name(self) -> str:
        return str(self.member.name if self.member_id else (self.team or ""))


class ServiceOrderEvent(models.Model):
    """Append-only: one row per transition of an order."""

    order = models.ForeignKey(
        ServiceOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("动作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16)
    actor = models.ForeignKey(
        USER, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("append-only: order events cannot be changed")
        super().save(*args, **kwargs)
