"""Activities with sign-up and check-in."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.community.models.base import USER, Scoped
from jiceng.community.models.lists import Project, VolunteerTeam
from jiceng.core.workflow import TransitionEvent


class Activity(Scoped):
    """One activity session: time, place, places, sign-up window, waiting list, check-in."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        CANCELLED = "cancelled", _("已取消")

    title = models.CharField(_("活动"), max_length=100)
    description = models.TextField(_("介绍"), max_length=2000, blank=True)
    project = models.ForeignKey(
        Project,
        verbose_name=_("所属项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    team = models.ForeignKey(
        VolunteerTeam,
        verbose_name=_("服务队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    place = models.CharField(_("地点"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    signup_opens_at = models.DateTimeField(_("报名开始"))
    signup_closes_at = models.DateTimeField(_("报名截止"))
    # Places taken, kept under the activity's row lock so that the last places are never
    # given twice (and the calendar shows what is left without counting).
    taken = models.PositiveIntegerField(_("已报名"), default=0)
    waiting = models.PositiveIntegerField(_("候补"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PUBLISHED
    )
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["scope_code", "starts_at"], name="activity_scope_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends"),
            models.CheckConstraint(
                condition=Q(signup_closes_at__gt=F("signup_opens_at")),
                name="activity_signup_window",
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="activity_capacity"),
            models.CheckConstraint(
                condition=Q(taken__lte=F("capacity")), name="activity_taken_within_capacity"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)


class Signup(models.Model):
    """A person's sign-up: a place, or a place on the waiting list (in order of signing up)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已报名")
        WAITING = "waiting", _("候补")
        CANCELLED = "cancelled", _("已取消")

    # No index of their own: signup_activity_status and signup_user_status lead with them (two
    # fewer index writes in every sign-up, which 200 phones at once make one after the other).
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("活动"),
        on_delete=models.PROTECT,
        related_name="signups",
        db_index=False,
    )
    user = models.ForeignKey(
        USER, verbose_name=_("报名人"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("获得名额时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    hours = models.DecimalField(
        _("服务时长（小时）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["activity", "status"], name="signup_activity_status"),
            models.Index(fields=["user", "status"], name="signup_user_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=~Q(status="cancelled"),
                name="signup_once",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="signup_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="signup_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.user_id}:{self.status}"


class RegistrationEvent(TransitionEvent):
    """One transition of an activity sign-up (signed up, moved up, cancelled); append-only."""

    signup = models.ForeignKey(
        Signup, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("报名记录")
        verbose_name_plural = _("报名记录")

    def __str__(self) -> str:
        return f"{self.signup_id} {self.action}"
