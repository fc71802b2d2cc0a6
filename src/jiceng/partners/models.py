"""Partner units and government departments that work with the communities."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, TimeStampedModel


class Partner(TimeStampedModel, ScopedModel):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("职能部门")
        AGENCY = "agency", _("机关事业单位")
        ENTERPRISE = "enterprise", _("企业")
        SOCIAL_ORG = "social_org", _("社会组织")
        PROPERTY_COMPANY = "property_company", _("物业服务企业")
        OWNERS_COMMITTEE = "owners_committee", _("业主委员会")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    scope_place = "division"

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")
        ordering = ["scope_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_code", "name"], name="partner_unique_name_in_place"
            )
        ]

    def __str__(self) -> str:
        return self.name
