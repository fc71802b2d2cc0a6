"""Shared venues (党群服务中心/站, partner units' rooms) with weekly opening windows (错时开放),
closures, and the bookings residents and organizations make inside those windows.

No two approved bookings of one venue overlap: on PostgreSQL an exclusion constraint on the
time range (migration 0002, btree_gist); everywhere the booking services check under a lock on
the venue row inside one transaction (SQLite runs every write transaction IMMEDIATE).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.fields import EncryptedPhoneField
from jiceng.core.models import ScopedModel, ScopedQuerySet, TimeStampedModel, UnindexedScopedModel
from jiceng.core.personal import mask_phone
from jiceng.core.scope import community_of
from jiceng.core.workflow import TransitionEvent

WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]


class Venue(TimeStampedModel, ScopedModel):
    class Kind(models.TextChoices):
        CENTER = "center", _("党群服务中心")
        STATION = "station", _("党群服务站")
        MEETING_ROOM = "meeting_room", _("会议室")
        ACTIVITY_ROOM = "activity_room", _("活动室")
        SPORTS = "sports", _("运动场地")
        OTHER = "other", _("其他场所")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(
        _("类型"), max_length=16, choices=Kind.choices, default=Kind.ACTIVITY_ROOM
    )
    # Where it is (a community or a grid); the community it belongs to manages it unless a
    # partner unit owns it.
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    owner_partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=pgettext_lazy("venue owner", "所属共建单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="venues",
        help_text=_("留空表示由社区管理。"),
    )
    address = models.CharField(_("地址"), max_length=200)
    capacity = models.PositiveIntegerField(_("容纳人数"))
    facilities = models.CharField(
        _("设施"), max_length=300, blank=True, help_text=_("用顿号或逗号分隔，如：投影、音响、桌椅")
    )
    description = models.TextField(_("简介"), blank=True)
    # A person's number as often as an office's: encrypted, shown masked, whole only with a
    # reason (audited), as the register and the cases keep theirs.
    contact_phone = EncryptedPhoneField(_("联系电话"), max_length=20)
    contact_phone_hash = models.CharField(
        _("联系电话哈希"), max_length=64, blank=True, editable=False, default="", db_default=""
    )
    approval_required = models.BooleanField(_("需要审批"), default=True)
    residents_only = models.BooleanField(
        _("仅限本社区"), default=False, help_text=_("只接受本社区居民、党员和工作人员预约。")
    )
    closed_on_holidays = models.BooleanField(_("法定节假日闭馆"), default=True)
    max_days_ahead = models.PositiveSmallIntegerField(_("最多提前预约天数"), default=30)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_place = "division"

    class Meta:
        verbose_name = _("共享阵地")
        verbose_name_plural = _("共享阵地")
        ordering = ["scope_code", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="venue_capacity_positive"),
            models.UniqueConstraint(
                fields=["scope_code", "name"], name="venue_unique_name_in_place"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def community_code(self) -> str:
        return community_of(self.scope_code)

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def opening_summary(self) -> str:
        """ "周一至周五 18:00-21:00；周六、周日 09:00-21:00": days with the same windows together."""
        by_day: dict[int, str] = {}
        for w in self.windows.all():
            span = f"{w.starts:%H:%M}-{w.ends:%H:%M}"
            by_day[w.weekday] = f"{by_day[w.weekday]},{span}" if w.weekday in by_day else span
        parts: list[str] = []
        day = 0
        while day < 7:
            if day not in by_day:
                day += 1
                continue
            end = day
            while end + 1 < 7 and by_day.get(end + 1) == by_day[day]:
                end += 1
            if end == day:
                days = str(WEEKDAYS[day])
            elif end == day + 1:
                days = f"{WEEKDAYS[day]}、{WEEKDAYS[end]}"
            else:
                days = f"{WEEKDAYS[day]}至{WEEKDAYS[end]}"
            parts.append(f"{days} {by_day[day]}")
            day = end + 1
        return "；".join(parts)

    @property
    def facility_list(self) -> list[str]:
        text = self.facilities.replace("，", ",").replace("、", ",")
        return [f.strip() for f in text.split(",") if f.strip()]


class OpeningWindow(models.Model):
    """One weekly opening window: on ``weekday`` (0 = Monday) from ``starts`` to ``ends``."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("场地"), on_delete=models.CASCADE, related_name="windows"
    )
    weekday = models.PositiveSmallIntegerField(_("星期"))
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("开放时段")
        verbose_name_plural = _("开放时段")
        ordering = ["venue_id", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="window_weekday_0_6"),
            models.CheckConstraint(
                condition=Q(starts__lt=F("ends")), name="window_starts_before_ends"
            ),
            models.UniqueConstraint(
                fields=["venue", "weekday", "starts"], name="window_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.starts:%H:%M}-{self.ends:%H:%M}"


class Closure(TimeStampedModel):
    """Days the venue is closed (repairs, a district event), whatever its windows say."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("场地"), on_delete=models.CASCADE, related_name="closures"
    )
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        verbose_name = _("闭馆安排")
        verbose_name_plural = _("闭馆安排")
        ordering = ["venue_id", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="closure_starts_before_ends"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on}~{self.ends_on} {self.reason}"


class BookingQuerySet(ScopedQuerySet):
    def approved(self) -> BookingQuerySet:
        return self.filter(status=Booking.Status.APPROVED)

    def overlapping(self, starts_at, ends_at) -> BookingQuerySet:
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Booking(TimeStampedModel, UnindexedScopedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        DECLINED = "declined", _("未批准")
        CANCELLED = "cancelled", _("已取消")

    venue = models.ForeignKey(
        Venue, verbose_name=_("场地"), on_delete=models.PROTECT, related_name="bookings"
    )
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.PROTECT,
        related_name="venue_bookings",
    )
    organization = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("预约单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("活动名称"), max_length=100)
    notes = models.CharField(_("说明"), max_length=500, blank=True)
    attendees = models.PositiveIntegerField(_("参加人数"))
    contact_phone = EncryptedPhoneField(_("联系电话"))
    # A database default, so that the bulk loaders (COPY) need not name it.
    contact_phone_hash = models.CharField(
        _("联系电话哈希"), max_length=64, blank=True, editable=False, default="", db_default=""
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("场地预约")
        verbose_name_plural = _("场地预约")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="booking_starts_before_ends"
            ),
            models.CheckConstraint(
                condition=Q(attendees__gte=1), name="booking_attendees_positive"
            ),
        ]
        indexes = [
            # the week page, the feed and the overlap check: one venue's bookings by time
            models.Index(fields=["venue", "starts_at"], name="booking_venue_time"),
            models.Index(fields=["booker", "-starts_at"], name="booking_booker"),
            # the month's figures and the requests to decide, for a scope of any size: seek by
            # status and time, filter the scope inside the index (index-only for the figures)
            models.Index(
                fields=["status", "starts_at", "scope_code", "ends_at"], name="booking_status_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.starts_at:%Y-%m-%d %H:%M} {self.title}"

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.APPROVED)


class BookingEvent(TransitionEvent):
    """One transition of a booking (asked, approved, declined, cancelled); append-only."""

    booking = models.ForeignKey(
        Booking, verbose_name=_("场地预约"), on_delete=models.PROTECT, related_name="events"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("预约记录")
        verbose_name_plural = _("预约记录")

    def __str__(self) -> str:
        return f"{self.booking_id} {self.action}"
