"""The three lists (needs, offers, projects) and the volunteer teams."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.community.models.base import USER, Scoped
from jiceng.core.models import TimeStampedModel
from jiceng.core.workflow import TransitionEvent


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
