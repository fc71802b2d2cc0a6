"""What follows a project: its milestones, the needs/issues/cases it answers, residents'
proposals (实事 征集), the owner's monthly progress reports with photos."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.projects.models.projects import HEALTH_CHOICES, Project

USER = settings.AUTH_USER_MODEL


class Milestone(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("节点"), max_length=100)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectLink(models.Model):
    """A need, an issue or a case the project answers (one of the three)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="links"
    )
    need = models.ForeignKey(
        "community.Need", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issue = models.ForeignKey(
        "deliberation.Issue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("回应事项")
        verbose_name_plural = _("回应事项")

    def __str__(self) -> str:
        return f"{self.project_id}"


class Proposal(models.Model):
    """A resident's proposal at a 实事's 征集 step."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="proposals"
    )
    text = models.CharField(_("建议"), max_length=500)
    proposed_by = models.ForeignKey(
        USER, verbose_name=_("建议人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("居民建议")
        verbose_name_plural = _("居民建议")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.text


class ProgressReport(models.Model):
    """The owner's report for one month: text, a figure 0–100 and a status."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="reports"
    )
    month = models.DateField(_("月份"))
    text = models.TextField(_("进展情况"))
    progress = models.PositiveSmallIntegerField(_("进度(%)"), validators=[MaxValueValidator(100)])
    health = models.CharField(_("进展状态"), max_length=16, choices=HEALTH_CHOICES)
    reported_by = models.ForeignKey(
        USER, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("报告时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("进展月报")
        verbose_name_plural = _("进展月报")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="progress_one_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m}"


def report_photo_path(instance, filename: str) -> str:
    return f"projects/reports/{instance.report.month:%Y/%m}/{instance.report_id}-{filename}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(
        ProgressReport, verbose_name=_("月报"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to=report_photo_path)

    class Meta:
        verbose_name = _("月报照片")
        verbose_name_plural = _("月报照片")

    def __str__(self) -> str:
        return self.image.name
