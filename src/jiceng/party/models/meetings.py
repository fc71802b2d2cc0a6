"""Meetings with attendance (三会一课, 主题党日) and the frequencies they are due at."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, TimeStampedModel
from jiceng.party.models.members import Member
from jiceng.party.models.orgs import PartyOrg


class MeetingKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支部委员会会议")
    GROUP_MEETING = "group_meeting", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")


class MeetingFrequency(TimeStampedModel):
    """How often a kind of meeting must be held, with the regulation that says so."""

    class Period(models.TextChoices):
        MONTH = "month", _("每月")
        QUARTER = "quarter", _("每季度")
        YEAR = "year", _("每年")

    kind = models.CharField(_("会议类型"), max_length=32, choices=MeetingKind.choices)
    org_kind = models.CharField(
        _("适用党组织"), max_length=32, choices=PartyOrg.Kind.choices, default="branch"
    )
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    times = models.PositiveSmallIntegerField(_("至少次数"), default=1)
    warn_days = models.PositiveSmallIntegerField(_("期末前几天预警"), default=7)
    regulation = models.CharField(_("依据"), max_length=200)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("组织生活频次")
        verbose_name_plural = _("组织生活频次")
        ordering = ["org_kind", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "org_kind"], name="frequency_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_period_display()}{self.times}次"


class Meeting(TimeStampedModel, ScopedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("已安排")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    org = models.ForeignKey(
        PartyOrg, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("类型"), max_length=32, choices=MeetingKind.choices)
    title = models.CharField(_("主题"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default="planned", db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["org", "kind", "starts_at"], name="meeting_org_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


class MeetingPhoto(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="meetings/%Y/%m/")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议照片")
        verbose_name_plural = _("会议照片")

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.image.name}"


class Attendance(TimeStampedModel):
    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        ABSENT_WITH_REASON = "leave", _("请假")

    class Method(models.TextChoices):
        QR = "qr", _("扫码签到")
        MANUAL = "manual", _("补登")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="attendances"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices, blank=True)
    reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("出席")
        verbose_name_plural = _("出席")
        ordering = ["meeting_id", "checked_in_at", "id"]
        constraints = [
            # One row per member and meeting: many phones at once never double a check-in.
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.member} · {self.get_status_display()}"
