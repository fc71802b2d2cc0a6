"""Party organizations (a tree tied to a division or a partner unit) and their committees."""

from __future__ import annotations

from datetime import date

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
