"""Demonstration sites (示范点): who sees them (every staff member of their place or above; the
map shows them), who keeps them (the district's staff), and the writes, each audited."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.accounts.roles import Role
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.photos import prepare_photos
from jiceng.core.registry import register_audit_actions
from jiceng.core.scope import user_covers
from jiceng.dashboard.models import DemoSite, DemoSitePhoto
from jiceng.dashboard.warnings import STAFF_ROLES

register_audit_actions(
    {
        "site.create": gettext_lazy("示范点：登记"),
        "site.update": gettext_lazy("示范点：修改"),
    }
)

FIELDS = ("name", "domain", "level", "division", "lon", "lat", "story", "year", "is_active")


def visible_sites(user) -> QuerySet[DemoSite]:
    if not getattr(user, "is_authenticated", False):
        return DemoSite.objects.none()
    return DemoSite.objects.within(*user.scopes_for(*STAFF_ROLES))


def can_keep(user, code: str | None = None) -> bool:
    """The district's staff keep the sites (of their district)."""
    if code is None:
        return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.DISTRICT_STAFF)
    return user_covers(user, (Role.DISTRICT_STAFF,), code)


def may_see_photo(user, name: str) -> bool:
    return visible_sites(user).filter(photos__image=name).exists()


def _check(by, data: dict[str, Any]) -> None:
    division = data["division"]
    if not can_keep(by, division.code):
        raise Forbidden(_("只有区委组织部工作人员可以登记和修改示范点。"))
    level_needs = {"street": "street", "community": "community"}
    need = level_needs.get(data["level"])
    if need and division.level != need:
        raise UserError(
            _("“{level}”应选一个{need}。").format(
                level=DemoSite(level=data["level"]).get_level_display(),
                need=_("街道") if need == "street" else _("社区"),
            ),
            field="division",
        )
    if (data.get("lon") is None) != (data.get("lat") is None):
        raise UserError(_("经度和纬度要么都填，要么都不填。"), field="lon")


def _save(site: DemoSite, *, by, data, photos, action: str, request=None) -> DemoSite:
    prepared = prepare_photos(photos or [])
    try:
        with transaction.atomic():
            for name in FIELDS:
                setattr(site, name, data.get(name))
            site.is_active = bool(data.get("is_active", True))
            site.save()
            for content in prepared:
                photo = DemoSitePhoto(site=site)
                photo.image.save(content.name, content, save=True)
            audit(
                actor=by,
                action=action,
                obj=site,
                request=request,
                detail={"name": site.name, "domain": site.domain, "photos": len(prepared)},
            )
    except IntegrityError:
        raise UserError(_("该区划已有同名的示范点。"), field="name") from None
    return site


def site_create(*, by, data: dict[str, Any], photos=None, request=None) -> DemoSite:
    _check(by, data)
    return _save(
        DemoSite(created_by=by),
        by=by,
        data=data,
        photos=photos,
        action="site.create",
        request=request,
    )


def site_update(*, by, site: DemoSite, data: dict[str, Any], photos=None, request=None) -> DemoSite:
    if not can_keep(by, site.scope_code):
        raise Forbidden(_("只有区委组织部工作人员可以登记和修改示范点。"))
    _check(by, data)
    return _save(site, by=by, data=data, photos=photos, action="site.update", request=request)
