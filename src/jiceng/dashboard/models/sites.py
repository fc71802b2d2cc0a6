"""Demonstration sites (示范点): model streets, benchmark communities and sample compounds the
district keeps, each with its domain (the colour on the map), place, point, story and photos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, TimeStampedModel


class SiteDomain(models.TextChoices):
    """The five domains the case studies track, each with its colour on the map."""

    ORGANIZATION = "organization", _("组织建设")
    BRANCH_LIFE = "branch_life", _("组织生活")
    MEMBERS = "members", _("党员队伍")
    SERVICES = "services", _("为民服务")
    GOVERNANCE = "governance", _("基层治理")


DOMAIN_COLOURS = {
    SiteDomain.ORGANIZATION: "#dc2626",
    SiteDomain.BRANCH_LIFE: "#ea580c",
    SiteDomain.MEMBERS: "#ca8a04",
    SiteDomain.SERVICES: "#16a34a",
    SiteDomain.GOVERNANCE: "#2563eb",
}


class SiteLevel(models.TextChoices):
    STREET = "street", _("示范街道")
    COMMUNITY = "community", _("标杆社区")
    COMPOUND = "compound", _("样板小区")


class DemoSite(TimeStampedModel, ScopedModel):
    name = models.CharField(_("名称"), max_length=100)
    domain = models.CharField(_("领域"), max_length=16, choices=SiteDomain.choices)
    level = models.CharField(_("级别"), max_length=16, choices=SiteLevel.choices)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    story = models.TextField(_("经验做法"), max_length=5000, blank=True)
    year = models.PositiveSmallIntegerField(_("命名年份"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_place = "division"

    class Meta:
        verbose_name = _("示范点")
        verbose_name_plural = _("示范点")
        ordering = ["scope_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["scope_code", "name"], name="demosite_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def colour(self) -> str:
        return DOMAIN_COLOURS.get(self.domain, "#6b7280")


class DemoSitePhoto(models.Model):
    site = models.ForeignKey(
        DemoSite, verbose_name=_("示范点"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="sites/%Y/%m/")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("示范点照片")
        verbose_name_plural = _("示范点照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name
