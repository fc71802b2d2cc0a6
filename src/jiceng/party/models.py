"""Party organizations (a tree tied to a division or a partner unit), members and their
transfers, registration with communities (双报到), lead households (1+10+N), meetings with
attendance (三会一课, 主题党日), dues, and learning records.

Dues brackets and meeting frequencies are rows (``DuesRule``, ``MeetingFrequency``) loaded by a
data migration with the regulation named, so that a district can change them in the admin.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, TimeStampedModel


class PartyOrg(TimeStampedModel, ScopedModel):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        WORKING_COMMITTEE = "working_committee", _("党工委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        GROUP = "group", _("党小组")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_orgs",
    )
    # The fixed day of the month of the theme party day (Yuehu: the 9th); empty: any day.
    theme_day = models.PositiveSmallIntegerField(_("主题党日（每月几日）"), null=True, blank=True)
    is_active = models.BooleanField(_("存续"), default=True)
    dissolved_at = models.DateField(_("撤销日期"), null=True, blank=True)

    scope_place = "division"

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["scope_code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(theme_day__isnull=True) | Q(theme_day__gte=1, theme_day__lte=28),
                name="partyorg_theme_day_in_month",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeSeat(TimeStampedModel, ScopedModel):
    """A seat on a community committee or street working committee; partner members hold the
    part-time seats of the 大党委 / 大工委 (兼职委员)."""

    org = models.ForeignKey(
        PartyOrg, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="seats"
    )
    name = models.CharField(_("姓名"), max_length=64)
    title = models.CharField(_("职务"), max_length=64)
    member = models.ForeignKey(
        "party.Member",
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("来自单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_part_time = models.BooleanField(_("兼职委员"), default=False)
    started_at = models.DateField(_("任职日期"), default=date.today)
    ended_at = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["org_id", "-is_part_time", "name"]

    def __str__(self) -> str:
        return f"{self.org} · {self.title} · {self.name}"


class Member(TimeStampedModel, ScopedModel):
    class ManagementType(models.TextChoices):
        DIRECT = "direct", _("直管党员")
        IN_SERVICE = "in_service", _("在职党员（联管）")
        FLOATING = "floating", _("流动党员（代管）")
        RETIRED = "retired", _("退休党员（双管）")

    class Standing(models.TextChoices):
        FULL = "full", _("正式党员")
        PROBATIONARY = "probationary", _("预备党员")

    class IncomeKind(models.TextChoices):
        # Which rows of the dues regulation apply (see DuesRule).
        WAGE = "wage", _("在职（工资收入）")
        RETIRED = "retired", _("离退休（养老金）")
        FARMER = "farmer", _("农民")
        STUDENT = "student", _("学生")
        NO_INCOME = "no_income", _("无固定收入 / 下岗失业 / 低保")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_member",
    )
    name = models.CharField(_("姓名"), max_length=64)
    org = models.ForeignKey(
        PartyOrg, verbose_name=_("所在党组织"), on_delete=models.PROTECT, related_name="members"
    )
    management_type = models.CharField(
        _("管理类型"), max_length=16, choices=ManagementType.choices, default="direct"
    )
    standing = models.CharField(
        _("党员类别"), max_length=16, choices=Standing.choices, default="full"
    )
    joined_at = models.DateField(_("入党日期"))
    # Probationary members pay dues from the day the branch general meeting accepts them.
    dues_from = models.DateField(_("交纳党费起始日"))
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("工作单位（共建单位）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    income_kind = models.CharField(
        _("收入类别"), max_length=16, choices=IncomeKind.choices, default="wage"
    )
    dues_base = models.DecimalField(
        _("党费计算基数（元/月）"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    # Approved reduction (党员确有困难): this monthly amount replaces the computed one.
    dues_override = models.DecimalField(
        _("核准的月交纳额"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField(_("在册"), default=True)
    left_at = models.DateField(_("离册日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["scope_code", "name", "id"]
        indexes = [models.Index(fields=["org", "is_active"], name="member_org_active")]

    def __str__(self) -> str:
        return self.name


class MemberTransfer(models.Model):
    """One move of a member between organizations (组织关系转接); append-only history."""

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="transfers"
    )
    from_org = models.ForeignKey(
        PartyOrg, verbose_name=_("转出党组织"), on_delete=models.PROTECT, related_name="+"
    )
    to_org = models.ForeignKey(
        PartyOrg, verbose_name=_("转入党组织"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["member_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.member} {self.from_org} → {self.to_org}"


class Registration(TimeStampedModel, ScopedModel):
    """双报到: an in-service member registers with the community where they live, or a partner's
    party organization with a community; the community approves."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("在职党员到居住地社区报到")
        ORG = "org", _("单位党组织到社区报到")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已报到")
        REJECTED = "rejected", _("未通过")
        ENDED = "ended", _("已结束")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    member = models.ForeignKey(
        Member,
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("单位党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    community = models.ForeignKey(
        "geo.Division", verbose_name=_("报到社区"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default="pending", db_index=True
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="member", member__isnull=False, org__isnull=True)
                | Q(kind="org", member__isnull=True, org__isnull=False),
                name="registration_member_xor_org",
            ),
            models.UniqueConstraint(
                fields=["member", "community"],
                condition=Q(status__in=["pending", "approved"], member__isnull=False),
                name="registration_one_open_per_member",
            ),
            models.UniqueConstraint(
                fields=["org", "community"],
                condition=Q(status__in=["pending", "approved"], org__isnull=False),
                name="registration_one_open_per_org",
            ),
        ]

    def __str__(self) -> str:
        who = self.member or self.org
        return f"{who} → {self.community.name}（{self.get_status_display()}）"


class LeadHousehold(TimeStampedModel, ScopedModel):
    """党员中心户 (1+10+N): a member household that keeps in touch with about ten members."""

    member = models.OneToOneField(
        Member, verbose_name=_("中心户党员"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在网格"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("党员中心户")
        verbose_name_plural = _("党员中心户")
        ordering = ["scope_code", "id"]

    def __str__(self) -> str:
        return f"{self.member} 中心户"


class LeadHouseholdLink(TimeStampedModel):
    """One of the ~10 members a lead household keeps in touch with."""

    lead = models.ForeignKey(
        LeadHousehold, verbose_name=_("中心户"), on_delete=models.PROTECT, related_name="links"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("联系党员"), on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("中心户联系党员")
        verbose_name_plural = _("中心户联系党员")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ended_at__isnull=True),
                name="leadlink_member_one_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead} · {self.member}"


class LinkedHousehold(TimeStampedModel):
    """One of the N households a linked member keeps in touch with."""

    link = models.ForeignKey(
        LeadHouseholdLink,
        verbose_name=_("联系党员"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    name = models.CharField(_("户主"), max_length=64)
    address = models.CharField(_("地址"), max_length=200)
    ended_at = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("联系群众户")
        verbose_name_plural = _("联系群众户")

    def __str__(self) -> str:
        return f"{self.name} {self.address}"


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


class DuesRule(TimeStampedModel):
    """One row of the dues regulation: a bracket (rate on the whole base) or a fixed amount."""

    income_kind = models.CharField(
        _("收入类别"), max_length=16, choices=Member.IncomeKind.choices, db_index=True
    )
    above = models.DecimalField(
        _("基数高于（元）"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    up_to = models.DecimalField(
        _("基数不超过（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(
        _("比例"), max_digits=6, decimal_places=4, null=True, blank=True, help_text="0.0050 = 0.5%"
    )
    fixed_amount = models.DecimalField(
        _("固定金额（元/月）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    regulation = models.CharField(_("依据"), max_length=200)

    class Meta:
        verbose_name = _("党费交纳标准")
        verbose_name_plural = _("党费交纳标准")
        ordering = ["income_kind", "above"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__isnull=False, fixed_amount__isnull=True)
                | Q(rate__isnull=True, fixed_amount__isnull=False),
                name="duesrule_rate_xor_fixed",
            )
        ]

    def __str__(self) -> str:
        if self.fixed_amount is not None:
            return f"{self.get_income_kind_display()}：每月 {self.fixed_amount} 元"
        top = f"≤{self.up_to}" if self.up_to is not None else "以上"
        return f"{self.get_income_kind_display()} >{self.above} {top}：{self.rate * 100}%"


class DuesPayment(models.Model):
    """Dues paid for one month by one member; one row per member and month."""

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="dues_payments"
    )
    month = models.DateField(_("所属月份"))  # the first day of the month
    base = models.DecimalField(_("计算基数"), max_digits=10, decimal_places=2)
    due = models.DecimalField(_("应交（元）"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("实交（元）"), max_digits=10, decimal_places=2)
    paid_at = models.DateTimeField(_("交纳时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党费交纳")
        verbose_name_plural = _("党费交纳")
        ordering = ["member_id", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_once_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.amount}"


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
