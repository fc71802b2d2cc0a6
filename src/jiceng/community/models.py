"""Community services: the three lists (needs, offers, projects), volunteer teams, activities
with sign-up and check-in, service orders (派单/接单/评单) and micro-wishes (微心愿).

Every record belongs to one community: ``scope_code`` is the community's 12-digit code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.community.workflow import OrderStatus
from jiceng.core.models import AppendOnlyQuerySet, ScopedModel, TimeStampedModel
from jiceng.core.workflow import TransitionEvent

USER = settings.AUTH_USER_MODEL


class Scoped(TimeStampedModel, ScopedModel):
    community = models.ForeignKey(
        "geo.Division", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )

    scope_place = "community"

    class Meta:
        abstract = True


# --- the three lists --------------------------------------------------------------------------


class Need(Scoped):
    """One resident need on the needs list (需求清单), reviewed by the community each month."""

    class Source(models.TextChoices):
        VISIT = "visit", _("入户走访")
        FORUM = "forum", _("议事协商")
        BOX = "box", _("意见箱")
        ONLINE = "online", _("网上留言")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACCEPTED = "accepted", _("已列入清单")
        MERGED = "merged", _("已合并")
        DECLINED = "declined", _("未列入")

    title = models.CharField(_("需求"), max_length=100)
    description = models.TextField(
        pgettext_lazy("description", "说明"), max_length=2000, blank=True
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    posted_by = models.ForeignKey(
        USER,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    reason = models.CharField(_("审核意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        USER,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scope_code", "status"], name="need_scope_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="need_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reason=""), name="need_declined_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class VolunteerTeam(Scoped):
    """A volunteer team (志愿服务队) of a community."""

    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("简介"), max_length=500, blank=True)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("所属共建单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(pgettext_lazy("volunteer team", "在册"), default=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(TimeStampedModel):
    """A person in a team: a resident, a party member or a partner unit's staff."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("居民")
        MEMBER = "member", _("党员")
        PARTNER_STAFF = "partner_staff", _("共建单位职工")

    team = models.ForeignKey(
        VolunteerTeam, verbose_name=_("服务队"), on_delete=models.PROTECT, related_name="members"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("队员"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("身份"), max_length=16, choices=Kind.choices)
    is_leader = models.BooleanField(_("队长"), default=False)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务队队员")
        verbose_name_plural = _("服务队队员")
        ordering = ["-is_leader", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=Q(left_on__isnull=True),
                name="team_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.user}"


class Offer(Scoped):
    """What a partner unit, a team or a member offers (服务清单)."""

    class Kind(models.TextChoices):
        CARE = "care", _("助老助残")
        HEALTH = "health", _("医疗健康")
        LEGAL = "legal", _("法律咨询")
        EDUCATION = "education", _("教育托管")
        CULTURE = "culture", _("文体活动")
        REPAIR = "repair", _("维修便民")
        OTHER = "other", _("其他")

    title = models.CharField(_("服务内容"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("共建单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        VolunteerTeam,
        verbose_name=_("服务队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offers",
    )
    member = models.ForeignKey(
        "party.Member",
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity = models.PositiveIntegerField(_("可服务人数/次数"))
    when = models.CharField(_("服务时间"), max_length=100)
    where = models.CharField(_("服务地点"), max_length=100)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("服务")
        verbose_name_plural = _("服务清单")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly one provider.
            models.CheckConstraint(
                condition=(
                    Q(partner__isnull=False, team__isnull=True, member__isnull=True)
                    | Q(partner__isnull=True, team__isnull=False, member__isnull=True)
                    | Q(partner__isnull=True, team__isnull=True, member__isnull=False)
                ),
                name="offer_one_provider",
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="offer_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def provider(self):
        return self.partner or self.team or self.member


class Project(Scoped):
    """A month's project (项目清单): accepted needs matched with offers, with a responsible unit."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    month = models.DateField(_("月份"))  # the first day of the month
    title = models.CharField(_("项目"), max_length=100)
    description = models.TextField(_("内容"), max_length=2000, blank=True)
    responsible = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_team = models.ForeignKey(
        VolunteerTeam,
        verbose_name=_("责任服务队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    needs = models.ManyToManyField(Need, verbose_name=_("对应需求"), related_name="projects")
    offers = models.ManyToManyField(Offer, verbose_name=_("对应服务"), related_name="projects")
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目清单")
        ordering = ["-month", "id"]
        indexes = [models.Index(fields=["scope_code", "month"], name="project_scope_month")]
        constraints = [
            models.CheckConstraint(
                condition=Q(responsible__isnull=False) | Q(responsible_team__isnull=False),
                name="project_has_responsible",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def responsible_name(self) -> str:
        return str(self.responsible or self.responsible_team)


# --- activities -------------------------------------------------------------------------------


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

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="signups"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("报名人"), on_delete=models.PROTECT, related_name="+"
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


# --- service orders ---------------------------------------------------------------------------


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


# --- micro-wishes -----------------------------------------------------------------------------


def wish_photo_path(instance: Wish, filename: str) -> str:
    return f"wishes/{instance.created_at:%Y/%m}/{instance.pk}-{filename}"


class Wish(Scoped):
    """A micro-wish (微心愿): posted by a resident, approved for the wall, claimed, fulfilled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        REJECTED = "rejected", _("未通过")
        OPEN = "open", _("待认领")
        CLAIMED = "claimed", _("已认领")
        FULFILLED = "fulfilled", _("已送达")
        CONFIRMED = "confirmed", _("已实现")
        WITHDRAWN = "withdrawn", _("已撤回")

    poster = models.ForeignKey(
        USER, verbose_name=_("许愿人"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("心愿"), max_length=100)
    description = models.CharField(pgettext_lazy("description", "说明"), max_length=500, blank=True)
    value = models.DecimalField(_("大约价值（元）"), max_digits=8, decimal_places=2)
    photo = models.ImageField(_("照片"), upload_to=wish_photo_path, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.CharField(_("审核意见"), max_length=500, blank=True)
    approved_by = models.ForeignKey(
        USER,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("上墙时间"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        USER,
        verbose_name=_("认领人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("认领单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    fulfil_photo = models.ImageField(_("送达照片"), upload_to=wish_photo_path, blank=True)
    fulfil_note = models.CharField(_("送达说明"), max_length=500, blank=True)
    fulfilled_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scope_code", "status"], name="wish_scope_status")]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="wish_value_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "rejected", "open", "withdrawn"])
                | Q(claimed_by__isnull=False),
                name="wish_claimed_has_claimant",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def poster_display(self) -> str:
        """What the public wall shows of the poster: the surname only (personal data hidden)."""
        name = (self.poster.full_name or "").strip()
        return f"{name[0]}**" if name else "居民"


class WishEvent(TransitionEvent):
    """One transition of a micro-wish (posted, approved, claimed, ...); append-only."""

    wish = models.ForeignKey(
        Wish, verbose_name=_("微心愿"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("心愿记录")
        verbose_name_plural = _("心愿记录")

    def __str__(self) -> str:
        return f"{self.wish_id} {self.action}"


class NeedEvent(TransitionEvent):
    """One transition of a need on the needs list (posted, accepted, merged, declined)."""

    need = models.ForeignKey(
        Need, verbose_name=_("需求"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("需求记录")
        verbose_name_plural = _("需求记录")

    def __str__(self) -> str:
        return f"{self.need_id} {self.action}"


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
