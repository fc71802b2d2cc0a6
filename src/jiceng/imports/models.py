"""One uploaded going-live workbook (units, party organizations, staff, members, teams, venues,
case categories) and what became of it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ImportJobBase


class UnitImport(ImportJobBase):
    class Mode(models.TextChoices):
        WHOLE = "whole", _("整个文件无误才导入")
        VALID_ONLY = "valid_only", _("只导入无误的行")

    district = models.ForeignKey(
        "geo.Division", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("方式"), max_length=16, choices=Mode.choices, default=Mode.WHOLE)
    sheets = models.JSONField(_("工作表"), default=list, blank=True)
    purged_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True)
    # The importer's language: the worker writes the job's messages and report in it.
    language = models.CharField(_("语言"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("上线导入")
        verbose_name_plural = _("上线导入")
        ordering = ["-created_at"]
