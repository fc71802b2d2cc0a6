"""The warning centre's records: one ``Warning`` per condition an app's warning source reported
(its key unique for good), moving open → acknowledged → cleared when the condition ends, or
closed with a note; every move and every follow-up note (跟踪问效) is a ``WarningEvent``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import TimeStampedModel, UnindexedScopedModel
from jiceng.core.workflow import TransitionEvent


class Severity(models.TextChoices):
    WARNING = "warning", _("预警")
    SEVERE = "severe", _("严重")


class Warning(TimeStampedModel, UnindexedScopedModel):  # noqa: A001 - the domain's word
    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        CLEARED = "cleared", _("已消除")
        CLOSED = "closed", _("已办结")

    kind = models.CharField(_("类别"), max_length=64)
    key = models.CharField(_("标识"), max_length=200, unique=True)
    title = models.CharField(_("预警内容"), max_length=200)
    url = models.CharField(_("处理页面"), max_length=300, blank=True)
    severity = models.CharField(
        _("严重程度"), max_length=16, choices=Severity.choices, default=Severity.WARNING
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    since = models.DateTimeField(_("起始时间"))
    # The place whose staff own it: the nearest place at or above the warning's that has
    # holders of the source's roles ("" when nobody holds them anywhere above).
    owner_code = models.CharField(_("责任区划"), max_length=15, blank=True, default="")
    owner_roles = models.CharField(_("责任角色"), max_length=200, blank=True, default="")
    last_seen_at = models.DateTimeField(_("最近一次出现"))
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("消除或办结时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-since", "-id"]
        indexes = [
            models.Index(fields=["scope_code", "state", "severity"], name="warning_place_state"),
            models.Index(fields=["kind", "state"], name="warning_kind_state"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        return self.state in (self.State.OPEN, self.State.ACKNOWLEDGED)


class WarningEvent(TransitionEvent):
    """One move of a warning, or a follow-up note (``action`` "note", the state unchanged)."""

    warning = models.ForeignKey(
        Warning, verbose_name=_("预警"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("预警记录")
        verbose_name_plural = _("预警记录")
