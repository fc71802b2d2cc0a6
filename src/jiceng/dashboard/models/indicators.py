"""The indicators' editable classification and their stored values.

``Domain`` and ``Category`` are the district's tree (Yuehu's 5 domains x categories; the
starter tree is loaded by a data migration and the district edits it); ``IndicatorFiling`` files
one registered indicator (by key) under one category and carries the district's flag that makes
it public. ``Snapshot`` is one indicator's value for one place (``scope_code``: the district,
a street, a community or a grid) and one period (a day, a month, a year), stored as numerator and
denominator so that rates roll up as sums. Every surface reads snapshots
(``jiceng.dashboard.snapshots``); only the indicators' own tests read records.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import TimeStampedModel, UnindexedScopedModel


class _Named(TimeStampedModel):
    key = models.SlugField(_("标识"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (the English one where the district gave it)."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Domain(_Named):
    """A domain of party-building work (组织建设, 服务群众 ...)."""

    class Meta:
        verbose_name = _("指标领域")
        verbose_name_plural = _("指标领域")
        ordering = ["order", "key"]


class Category(_Named):
    """A category inside a domain (组织覆盖, 组织生活 ...)."""

    domain = models.ForeignKey(
        Domain, verbose_name=_("领域"), on_delete=models.PROTECT, related_name="categories"
    )

    class Meta:
        verbose_name = _("指标类别")
        verbose_name_plural = _("指标类别")
        ordering = ["domain__order", "order", "key"]


class IndicatorFiling(TimeStampedModel):
    """Where the district files a registered indicator, and whether it is public. An indicator
    without a filing is shown under the category its app suggested (``Indicator.category``)."""

    indicator = models.CharField(_("指标"), max_length=80, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="filings"
    )
    public = models.BooleanField(_("在社区公开页展示"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("指标归类")
        verbose_name_plural = _("指标归类")

    def __str__(self) -> str:
        return self.indicator


class PeriodKind(models.TextChoices):
    DAY = "day", pgettext_lazy("period", "日")
    MONTH = "month", pgettext_lazy("period", "月")
    YEAR = "year", pgettext_lazy("period", "年")


class Snapshot(UnindexedScopedModel):
    """One indicator's value at one place for one period (``period_start`` is the first day:
    the day itself, the 1st of the month, 1 January). ``value`` is the numerator for a count,
    numerator / denominator for a rate (None while the denominator is 0)."""

    indicator = models.CharField(_("指标"), max_length=80)
    period_kind = models.CharField(_("周期"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("周期起始"))
    numerator = models.FloatField(_("分子"), default=0)
    denominator = models.FloatField(_("分母"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "period_start", "scope_code"],
                name="dashboard_snapshot_one_per_place_period",
            )
        ]
        indexes = [
            # the trend of one place: (place, indicator, kind) over the periods
            models.Index(
                fields=["scope_code", "indicator", "period_kind", "period_start"],
                name="dashboard_snapshot_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}@{self.scope_code} {self.period_kind} {self.period_start}"
