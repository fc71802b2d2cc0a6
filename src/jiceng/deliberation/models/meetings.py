"""Deliberation meetings (月月谈, the 五会, the 联席会) with their kinds as data, participants by
category, minutes approved per participant, photos; issues (议题) from every door; and matters
taken through the five-step decision (民主决策五步法)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, TimeStampedModel
from jiceng.core.workflow import TransitionEvent

USER = settings.AUTH_USER_MODEL


class Category(models.TextChoices):
    """Who is invited to a deliberation meeting (the case studies' lists)."""

    COMMITTEE = "committee", _("社区两委成员")
    DEPUTY = "deputy", _("人大代表、政协委员")
    GROUP_LEADER = "group_leader", _("居民小组长")
    PARTY_GROUP_LEADER = "party_group_leader", _("党小组长")
    LEAD_HOUSEHOLD = "lead_household", _("党员中心户")
    OWNERS_COMMITTEE = "owners_committee", _("业委会代表")
    PROPERTY_COMPANY = "property_company", _("物业企业代表")
    UNIT = "unit", _("共建单位代表")
    PARTY_MEMBER = "party_member", _("党员代表")
    RESIDENT = "resident", _("居民代表")


class Quorum(models.TextChoices):
    NONE = "", _("不设")
    MAJORITY = "majority", _("过半数应到人员出席")
    TWO_THIRDS = "two_thirds", _("三分之二以上应到人员出席")


class MeetingKind(TimeStampedModel):
    """A kind of meeting and its template: the agenda it starts from, who it invites, the
    quorum a rule sets (with the rule named). Data, so that a district adds its own."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    agenda = models.TextField(_("默认议程"), blank=True, help_text=_("每行一项"))
    categories = models.JSONField(_("邀请人员类别"), default=list, blank=True)
    quorum = models.CharField(
        _("法定人数"), max_length=16, choices=Quorum.choices, blank=True, default=""
    )
    rule = models.CharField(_("依据"), max_length=200, blank=True)
    monthly = models.BooleanField(_("每月召开"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("会议类型")
        verbose_name_plural = _("会议类型")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    def agenda_lines(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]

    def quorum_needed(self, invited: int) -> int:
        """How many must be present for ``invited`` invited people (0: no quorum)."""
        if self.quorum == Quorum.MAJORITY:
            return invited // 2 + 1
        if self.quorum == Quorum.TWO_THIRDS:
            return -(-2 * invited // 3)
        return 0


class Meeting(TimeStampedModel, ScopedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("已安排")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    kind = models.ForeignKey(
        MeetingKind, verbose_name=_("会议类型"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "geo.Division", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("主题"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    # The venue's booking when the meeting was scheduled at a shared venue (venues' service).
    booking = models.ForeignKey(
        "venues.Booking",
        verbose_name=_("场地预约"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_published_at = models.DateTimeField(_("纪要发布时间"), null=True, blank=True)
    resolutions = models.TextField(_("会议决议"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_place = "community"

    class Meta:
        verbose_name = _("议事会议")
        verbose_name_plural = _("议事会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["scope_code", "starts_at"], name="delib_meeting_when")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="delib_meeting_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind.name}：{self.title}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("议程"), max_length=200)

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering = ["meeting_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="delib_agenda_position")
        ]

    def __str__(self) -> str:
        return self.title


class Participant(TimeStampedModel):
    """One person invited to (or who came to) a meeting, by category; with an account, they
    check in by the QR and read and approve the minutes on their phone."""

    class Method(models.TextChoices):
        QR = "qr", _("扫码签到")
        MANUAL = "manual", _("补登")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="participants"
    )
    category = models.CharField(_("类别"), max_length=24, choices=Category.choices)
    name = models.CharField(_("姓名"), max_length=50)
    user = models.ForeignKey(
        USER,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    invited = models.BooleanField(_("应到"), default=True)
    present = models.BooleanField(_("出席"), default=False)
    method = models.CharField(_("签到方式"), max_length=8, choices=Method.choices, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("确认纪要时间"), null=True, blank=True)
    comment = models.CharField(_("对纪要的意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["meeting_id", "category", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="delib_participant_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_category_display()}）"


def meeting_photo_path(instance: MeetingPhoto, filename: str) -> str:
    return f"deliberation/{instance.meeting.starts_at:%Y/%m}/{instance.meeting_id}-{filename}"


class MeetingPhoto(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to=meeting_photo_path)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议照片")
        verbose_name_plural = _("会议照片")

    def __str__(self) -> str:
        return self.image.name


class Issue(TimeStampedModel, ScopedModel):
    """An issue (议题) from any door, tracked until the residents are told what came of it."""

    class Source(models.TextChoices):
        MEETING = "meeting", _("会上提出")
        PHONE = "phone", _("居民手机提交")
        CASE = "case", _("来自诉求案件")
        NEED = "need", _("来自需求清单")
        STAFF = "staff", _("社区登记")

    class Status(models.TextChoices):
        COLLECTED = "collected", _("已收集")
        ON_AGENDA = "on_agenda", _("已列入议程")
        RESOLVED = "resolved", _("已形成决议")
        CARRIED_OUT = "carried_out", _("已落实")
        REPORTED = "reported", _("已反馈")
        DISMISSED = "dismissed", _("不予采纳")

    community = models.ForeignKey(
        "geo.Division", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("议题"), max_length=100)
    description = models.TextField(_("具体内容"), max_length=2000, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    raised_by = models.ForeignKey(
        USER, verbose_name=_("提出人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.ForeignKey(
        Meeting,
        verbose_name=_("提出会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues_raised",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("议事会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    # Where it came from (source "case"/"need") or what it produced (a case or a need).
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("关联案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    need = models.ForeignKey(
        "community.Need",
        verbose_name=_("关联需求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.COLLECTED
    )
    resolution = models.TextField(_("决议"), blank=True)
    outcome = models.TextField(_("落实情况"), blank=True)
    solved_at = models.DateTimeField(_("落实时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(default=0)

    scope_place = "community"

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["scope_code", "status"], name="delib_issue_status"),
            models.Index(fields=["scope_code", "created_at"], name="delib_issue_created"),
            models.Index(fields=["scope_code", "solved_at"], name="delib_issue_solved"),
        ]

    def __str__(self) -> str:
        return self.title


class IssueEvent(TransitionEvent):
    issue = models.ForeignKey(
        Issue, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("议题记录")
        verbose_name_plural = _("议题记录")


class Matter(TimeStampedModel, ScopedModel):
    """A matter taken through the five-step decision, one step after the other."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("党组织已提议")
        CONSULTED = "consulted", _("两委已商议")
        REVIEWED = "reviewed", _("党员（代表）已审议")
        RESOLVED = "resolved", _("居民（代表）会议已决议")
        PUBLISHED = "published", _("决议已公开")
        DONE = "done", _("实施结果已公开")
        WITHDRAWN = "withdrawn", _("已终止")

    community = models.ForeignKey(
        "geo.Division", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("事项"), max_length=100)
    description = models.TextField(_("内容"), max_length=4000, blank=True)
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("来源议题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_place = "community"

    class Meta:
        verbose_name = _("五步法事项")
        verbose_name_plural = _("五步法事项")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scope_code", "status"], name="delib_matter_status")]

    def __str__(self) -> str:
        return self.title


class MatterStep(TransitionEvent):
    """One step of a matter: the transition with the step's date, its meeting and evidence."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="steps"
    )
    held_on = models.DateField(_("日期"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evidence = models.TextField(_("依据材料"), max_length=4000, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权"), null=True, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("五步法步骤")
        verbose_name_plural = _("五步法步骤")
