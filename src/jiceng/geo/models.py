"""The division tree: district -> street -> community -> grid, keyed by hierarchical codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedQuerySet, TimeStampedModel
from jiceng.core.scope import enclosing
from jiceng.geo.coords import System


class Level(models.TextChoices):
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")
    GRID = "grid", _("网格")


# Code length of each level (DESIGN.md "Scoping"; RULES.md "Division and grid codes").
CODE_LENGTH = {Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12, Level.GRID: 15}
LEVEL_BY_LENGTH = {n: level for level, n in CODE_LENGTH.items()}


class Kind(models.TextChoices):
    """What a division is on the ground, from the statistical code ranges (RULES.md)."""

    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")
    GRID = "grid", _("网格")


class Division(TimeStampedModel):
    code = models.CharField(_("区划代码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # GeoJSON geometry (WGS 84 lon/lat). Grid and community boundaries of the demo district
    # are generated (the real ones are not public); README says so.
    boundary = models.JSONField(_("边界"), null=True, blank=True)
    centroid_lon = models.FloatField(_("中心经度"), null=True, blank=True)
    centroid_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "code"

    class Meta:
        verbose_name = _("区划")
        verbose_name_plural = _("区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(level="district", code__regex=r"^[0-9]{6}$")
                    | models.Q(level="street", code__regex=r"^[0-9]{9}$")
                    | models.Q(level="community", code__regex=r"^[0-9]{12}$")
                    | models.Q(level="grid", code__regex=r"^[0-9]{15}$")
                ),
                name="division_code_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def scope_code(self) -> str:
        return self.code

    def ancestors(self) -> list[Division]:
        """From the district down to the parent, in one query."""
        codes = enclosing(self.code)
        found = {d.code: d for d in Division.objects.filter(code__in=codes)}
        return [found[c] for c in codes if c in found]


class PlaceImport(TimeStampedModel):
    """One GIS file of boundaries: checked when uploaded, previewed, written when confirmed.
    The file is kept for ``JICENG_IMPORT_KEEP_DAYS`` days (a periodic task removes it)."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("已校验，待确认")
        REFUSED = "refused", _("已拒绝")
        APPLIED = "applied", _("已导入")

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        Division, verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    path = models.CharField(_("存储路径"), max_length=300, blank=True)
    system = models.CharField(_("坐标系"), max_length=8, choices=System.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    features = models.PositiveIntegerField(_("图形数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    skipped = models.PositiveIntegerField(_("跳过的错误图形"), default=0)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    purged_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("边界导入")
        verbose_name_plural = _("边界导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
