"""What accounts gives the shared surfaces: how many people hold roles in a scope."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.roles import Role
from jiceng.core.registry import register_figure


def _count(role: str, scopes: list[str]) -> int:
    return RoleAssignment.objects.active().within(*scopes).filter(role=role).count()


register_figure("accounts.residents", _("居民账号"), lambda scopes: _count(Role.RESIDENT, scopes))
register_figure(
    "accounts.grid_workers", _("网格员"), lambda scopes: _count(Role.GRID_WORKER, scopes)
)
