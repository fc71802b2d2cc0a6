"""The register's places: compounds in a community, buildings in a grid, dwellings in a building.
Keyword-only, the acting user, one transaction, audited (as ``registry.services``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.scope import covers
from jiceng.geo.lookup import locate_or_error
from jiceng.geo.models import Division
from jiceng.registry import permissions
from jiceng.registry.models import Building, Compound, Dwelling


def compound_create(*, community: Division, name: str, address: str = "", by) -> Compound:
    """A compound in a community (community staff)."""
    if community.level != "community":
        raise UserError(_("小区必须属于一个社区。"))
    if not permissions.can_edit(by, community):
        raise Forbidden(_("您没有在此社区登记小区的权限。"))
    name = (name or "").strip()
    if not name:
        raise UserError(_("小区名称不能为空。"), field="name")
    try:
        with transaction.atomic():
            compound = Compound.objects.create(
                community=community, name=name, address=address.strip(), scope_code=community.code
            )
            audit(actor=by, action="registry.compound_create", obj=compound)
    except IntegrityError as exc:
        raise UserError(_("本社区已有同名小区。"), field="name") from exc
    return compound


def building_create(
    *,
    compound: Compound | None,
    name: str,
    by,
    grid: Division | None = None,
    address: str = "",
    lon: float | None = None,
    lat: float | None = None,
    floors: int | None = None,
) -> Building:
    """A building placed in a grid: by its point when given (point -> grid), else the grid named."""
    if lon is not None and lat is not None:
        code = locate_or_error(lon, lat)
        located = Division.objects.get(code=code)
        if grid is not None and grid.pk != located.pk:
            raise UserError(_("楼栋位置在 %(g)s 内，与所选网格不符。") % {"g": located.name})
        grid = located
    if grid is None or grid.level != "grid":
        raise UserError(_("请选择楼栋所在的网格，或在地图上标出位置。"), field="grid")
    if compound is not None and not covers([compound.scope_code], grid.code):
        raise UserError(_("网格不在该小区所属社区内。"), field="grid")
    if not permissions.can_edit(by, grid):
        raise Forbidden(_("您没有在此网格登记楼栋的权限。"))
    name = (name or "").strip()
    if not name:
        raise UserError(_("楼栋名称不能为空。"), field="name")
    try:
        with transaction.atomic():
            building = Building.objects.create(
                compound=compound,
                grid=grid,
                name=name,
                address=address.strip(),
                lon=lon,
                lat=lat,
                floors=floors,
            )
            audit(actor=by, action="registry.building_create", obj=building)
    except IntegrityError as exc:
        raise UserError(_("该小区已有同名楼栋。"), field="name") from exc
    return building


def dwelling_create(
    *, building: Building, number: str, by, entrance: str = "", floor: int | None = None
) -> Dwelling:
    """A dwelling in a building."""
    if not permissions.can_edit(by, building):
        raise Forbidden(_("您没有在此楼栋登记房屋的权限。"))
    number = (number or "").strip()
    if not number:
        raise UserError(_("房号不能为空。"), field="number")
    try:
        with transaction.atomic():
            dwelling = Dwelling.objects.create(
                building=building,
                entrance=(entrance or "").strip(),
                number=number,
                floor=floor,
                scope_code=building.scope_code,
            )
            audit(actor=by, action="registry.dwelling_create", obj=dwelling)
    except IntegrityError as exc:
        raise UserError(_("该楼栋该单元已有此房号。"), field="number") from exc
    return dwelling
