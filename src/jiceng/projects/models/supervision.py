"""督查: a supervision of a project or of a place's task list (possibly drawn at random: 两随机,
recorded with its seed), its findings and rectification items; and the commitments of a
secretary or a 第一书记 with the quarterly exchanges and the year-end evaluation."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, ScopedQuerySet, TimeStampedModel, UnindexedScopedModel
from jiceng.projects.models.projects import Project

USER = settings.AUTH_USER_MODEL


class Supervision(TimeStampedModel, ScopedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("督查中")
        CLOSED = "closed", _("已办结")

    place = models.ForeignKey(
        "geo.Division", verbose_name=_("督查对象"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    title = models.CharField(_("督查事项"), max_length=100)
    opened_by = models.ForeignKey(
        USER, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    inspector = models.ForeignKey(
        USER, verbose_name=_("督查人"), on_delete=models.PROTECT, related_name="+"
    )
    # 两随机: the seed and the candidates the draw chose from, so it can be replayed.
    seed = models.CharField(_("随机种子"), max_length=64, blank=True)
    draw = models.JSONField(_("抽取记录"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default="open")
    findings = models.TextField(_("督查发现"), blank=True)

    scope_place = "place"

    class Meta:
        verbose_name = _("督查")
        verbose_name_plural = _("督查")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class Rectification(UnindexedScopedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        SUBMITTED = "submitted", _("待核验")
        VERIFIED = "verified", _("已销号")

    supervision = models.ForeignKey(
        Supervision, verbose_name=_("督查"), on_delete=models.CASCADE, related_name="items"
    )
    text = models.CharField(_("整改要求"), max_length=300)
    owner = models.ForeignKey(
        USER, verbose_name=_("整改责任人"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="open")
    note = models.CharField(_("整改情况"), max_length=500, blank=True)
    photo = models.ImageField(_("整改照片"), upload_to="projects/rectify/%Y/%m/", blank=True)
    closed_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["scope_code", "status"], name="rectify_scope_status")]

    def __str__(self) -> str:
        return self.text


class Commitment(TimeStampedModel, ScopedModel):
    """A secretary's or a 第一书记's commitment letter and task list for a year."""

    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        FIRST_SECRETARY = "first_secretary", _("第一书记")

    person = models.ForeignKey(USER, verbose_name=_("承诺人"), on_delete=models.PROTECT)
    place = models.ForeignKey(
        "geo.Division", verbose_name=_("所在社区"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("身份"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    letter = models.TextField(_("承诺书"))
    tasks = models.TextField(_("任务清单"), help_text=_("每行一项"))

    scope_place = "place"

    class Meta:
        verbose_name = _("承诺")
        verbose_name_plural = _("承诺")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "place", "year"], name="commitment_one_a_year"
            )
        ]

    def task_lines(self) -> list[str]:
        return [line.strip() for line in self.tasks.splitlines() if line.strip()]


class Exchange(models.Model):
    """The quarterly exchange record (季度交流)."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("承诺"), on_delete=models.CASCADE, related_name="exchanges"
    )
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    held_on = models.DateField(_("交流日期"))
    summary = models.TextField(_("交流内容"))

    class Meta:
        verbose_name = _("季度交流")
        verbose_name_plural = _("季度交流")
        ordering = ["quarter"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "quarter"], name="exchange_one_a_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} Q{self.quarter}"


SCORE = {
    "max_digits": 5,
    "decimal_places": 2,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


class Evaluation(models.Model):
    """The year-end evaluation: the person's self-report, the community's and the street's
    scores (0–100) and the grade they give."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        COMPETENT = "competent", _("称职")
        BASIC = "basic", _("基本称职")
        INCOMPETENT = "incompetent", _("不称职")

    commitment = models.OneToOneField(
        Commitment, verbose_name=_("承诺"), on_delete=models.CASCADE, related_name="evaluation"
    )
    self_report = models.TextField(_("述职报告"), blank=True)
    community_score = models.DecimalField(_("社区评分"), **SCORE)
    street_score = models.DecimalField(_("街道评分"), **SCORE)
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices, blank=True)

    class Meta:
        verbose_name = _("年终考评")
        verbose_name_plural = _("年终考评")

    def __str__(self) -> str:
        return f"{self.commitment_id}"
