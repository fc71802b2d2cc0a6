"""Projects: a commitment followed to its result (书记项目, 第一书记 projects, 实事, 重点任务,
construction projects). The kind is data with its template (its steps); a project has an owner
(a person and a place or a unit), children with published weights, and a status."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, TimeStampedModel

USER = settings.AUTH_USER_MODEL


class Health(models.TextChoices):
    ON_TRACK = "on_track", _("正常推进")
    AT_RISK = "at_risk", _("存在风险")
    OFF_TRACK = "off_track", _("严重滞后")


HEALTH_CHOICES = Health.choices


class ProjectKind(TimeStampedModel):
    """A kind of project and its template: the steps it goes through (实事: 征集 → 票决 → 实施 →
    督查 → 验收 → 评议), whether it reports monthly, whether it needs a responsible unit and a
    deadline (重点任务) or a site and a contractor (construction). Data, so a district adds its
    own."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    steps = models.JSONField(_("步骤"), default=list, blank=True)
    monthly_report = models.BooleanField(_("按月报告进展"), default=True)
    needs_unit = models.BooleanField(_("须有责任单位"), default=False)
    needs_site = models.BooleanField(_("须有建设地点"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("项目类型")
        verbose_name_plural = _("项目类型")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Project(TimeStampedModel, ScopedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        ACTIVE = "active", _("实施中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已撤销")

    kind = models.ForeignKey(
        ProjectKind, verbose_name=_("项目类型"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The child's share of its parent's progress; the parent's progress is the weighted mean of
    # its children's (the weights are published beside the roll-up).
    weight = models.DecimalField(
        _("权重"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    title = models.CharField(_("名称"), max_length=100)
    summary = models.TextField(_("简介"), blank=True)
    place = models.ForeignKey(
        "geo.Division", verbose_name=_("所属地区"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("负责人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    step = models.CharField(_("当前步骤"), max_length=32, blank=True)
    # The owner's last reported figure (0–100) and status; the tree's roll-up reads these.
    progress = models.PositiveSmallIntegerField(
        _("进度(%)"), default=0, validators=[MaxValueValidator(100)]
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    # The last report's status and month (the roll-up says which children count their last
    # figure because they have not reported this month).
    health = models.CharField(
        _("进展状态"), max_length=16, choices=HEALTH_CHOICES, blank=True, default=""
    )
    reported_month = models.DateField(_("最近报告月份"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    # 重点任务: the roadmap (路线图); construction: site, area, contractor.
    roadmap = models.TextField(_("路线图"), blank=True)
    site = models.CharField(_("建设地点"), max_length=200, blank=True)
    area = models.DecimalField(
        _("建设面积(平方米)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    contractor = models.CharField(_("施工单位"), max_length=100, blank=True)
    partners = models.ManyToManyField(
        "partners.Partner", verbose_name=_("共建单位"), blank=True, related_name="+"
    )
    # 实事: the household poll of its 票决 step.
    poll = models.ForeignKey(
        "deliberation.Poll",
        verbose_name=_("票决投票"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_place = "place"

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-year", "place__code", "id"]
        indexes = [models.Index(fields=["scope_code", "year"], name="project_scope_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="project_ends_after"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress_max"),
        ]

    def __str__(self) -> str:
        return self.title
