"""Members, their transfers, registration with communities (双报到) and lead households
(1+10+N)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.fields import EncryptedCharField
from jiceng.core.models import ScopedModel, TimeStampedModel
from jiceng.core.personal import normalize_id_number
from jiceng.party.models.orgs import PartyOrg


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
    # Encrypted at rest like the register's; the lookup hash is the register's kind ("id"), so a
    # member and a register person with the same number share one hash.
    id_number = EncryptedCharField(
        _("公民身份号码"),
        max_length=18,
        null=True,
        blank=True,
        hash_field="id_number_hash",
        hash_kind="id",
        normalize=normalize_id_number,
    )
    id_number_hash = models.CharField(
        _("身份证号哈希"), max_length=64, blank=True, editable=False, db_index=True
    )
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
