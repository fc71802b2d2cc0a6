"""Learning records, and the warnings already sent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.party.models.members import Member


class LearningRecord(models.Model):
    """One course a member finished online (imported or posted through the API)."""

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="learning"
    )
    course = models.CharField(_("课程"), max_length=200)
    minutes = models.PositiveIntegerField(_("学习时长（分钟）"))
    finished_at = models.DateTimeField(_("完成时间"))
    source = models.CharField(_("来源"), max_length=32, default="api")
    external_id = models.CharField(_("来源编号"), max_length=64)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")
        ordering = ["-finished_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "source", "external_id"], name="learning_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.course}"


class WarningNotice(models.Model):
    """A warning already sent (a branch behind its meetings this period, a member three months
    behind with dues): the daily task tells people once, not every day."""

    key = models.CharField(_("预警"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已发送的预警")
        verbose_name_plural = _("已发送的预警")

    def __str__(self) -> str:
        return self.key
