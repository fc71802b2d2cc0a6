"""The small checks every write of community services shares: the manager, a text, a community."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from jiceng.community.permissions import can_manage
from jiceng.core.errors import Forbidden, UserError
from jiceng.geo.models import Division

MAX_TEXT = 2000


def _require_manager(by, obj) -> None:
    if not can_manage(by, obj):
        raise Forbidden(_("您无权管理该社区的服务事项。"))


def _text(value: Any, what: str, field: str, *, required: bool = True, limit: int = 100) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        raise UserError(_("请填写{what}。").format(what=what), field=field)
    if len(value) > limit:
        raise UserError(
            _("{what}不能超过 {most} 字（现有 {n} 字）。").format(
                what=what, most=limit, n=len(value)
            ),
            field=field,
        )
    return value


def _community(community: Division | str | None) -> Division:
    if isinstance(community, Division):
        if community.level != "community":
            raise UserError(_("请选择社区。"), field="community")
        return community
    found = Division.objects.filter(code=str(community or ""), level="community").first()
    if found is None:
        raise UserError(_("请选择社区。"), field="community")
    return found


def first_of_month(day: date) -> date:
    return day.replace(day=1)
