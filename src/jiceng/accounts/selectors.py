"""Reads for the account pages, scoped through the shared scoping code."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.permissions import grantable_roles, grantable_scopes, visible_users
from jiceng.accounts.roles import Role
from jiceng.core import registry
from jiceng.core.errors import NotFound
from jiceng.core.models import minimal_prefixes
from jiceng.core.scope import covers
from jiceng.geo.models import Division
from jiceng.partners.models import Partner


def console_scopes(*, user: User) -> list[str]:
    """The scopes whose figures the console home shows."""
    return user.scope_codes or user.scopes_for(Role.SYSTEM_ADMIN)


def _place_of(user: User, role: str) -> dict[str, Any]:
    assignment = next(
        (a for a in user.active_assignments if a.role == role and a.division_id), None
    )
    if assignment is None:
        return {}
    division = assignment.division
    chain = division.ancestors() + [division]
    by_level = {d.level: d for d in chain}
    return {
        "division": division,
        "chain": chain,
        "community": by_level.get("community"),
        "grid": by_level.get("grid"),
        "street": by_level.get("street"),
    }


def resident_home(*, user: User) -> dict[str, Any]:
    """The resident's place and who serves it: grid workers of the grid, community staff."""
    place = _place_of(user, Role.RESIDENT)
    servers: list[RoleAssignment] = []
    if place.get("grid") or place.get("community"):
        codes = [d.code for d in (place.get("grid"), place.get("community")) if d]
        servers = list(
            RoleAssignment.objects.active()
            .filter(
                scope_code__in=codes,
                role__in=[Role.GRID_WORKER, Role.GRID_CHIEF, Role.COMMUNITY_SECRETARY],
            )
            .select_related("user")
            .order_by("role", "user__full_name")[:10]
        )
    return {**place, "servers": servers}


def member_home(*, user: User) -> dict[str, Any]:
    """The member's place (where they registered); the apps' cards add the rest."""
    return _place_of(user, Role.MEMBER)


def home_cards(*, user: User, home: str, place: dict[str, Any]) -> list[dict[str, Any]]:
    """The cards the apps register for a phone home, each with what its template shows."""
    cards = []
    for card in registry.home_cards(home):
        context = card.context(user, place)
        if context is not None:
            cards.append({"key": card.key, "template": card.template, "data": context})
    return cards


def user_list(*, user: User, query: str = "") -> QuerySet[User]:
    users = visible_users(user)
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    active = RoleAssignment.objects.active().select_related("division", "unit")
    return users.prefetch_related(
        Prefetch("role_assignments", queryset=active, to_attr="current")
    ).order_by("username")


def mark_endable(*, user: User, users) -> None:
    """Mark each listed assignment the manager may end (``can_end``), by the same rule as
    ``assignment_for_manager``: the page offers "end" only where ending opens."""
    scopes: dict[str, list[str]] = {}
    for listed in users:
        for a in listed.current:
            if a.role not in scopes:
                scopes[a.role] = grantable_scopes(user, a.role)
            a.can_end = covers(scopes[a.role], a.scope_code)


def assignment_for_manager(*, user: User, pk: int) -> RoleAssignment:
    """An assignment the manager may end; anything else is not found."""
    assignment = RoleAssignment.objects.select_related("user").filter(pk=pk).first()
    if assignment is None or not covers(
        grantable_scopes(user, assignment.role), assignment.scope_code
    ):
        raise NotFound(_("角色分配不存在。"))
    return assignment


def division_names(codes: list[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


def assignable_places(user) -> QuerySet:
    """The places where ``user`` may grant some role (the users page's picker); each role is
    still checked against its own scopes when the form is sent."""
    scopes = minimal_prefixes(
        [s for role in grantable_roles(user) for s in grantable_scopes(user, role)]
    )
    if not scopes:
        return Division.objects.none()
    return Division.objects.within(*scopes).filter(is_active=True).only("code", "name", "level")


UNIT_ROLES = (Role.DEPARTMENT_STAFF, Role.PARTNER_STAFF)


def assignable_unit_choices(user) -> QuerySet:
    """The units in which ``user`` may grant a unit's role (the users page's picker); none for
    a manager who grants no unit role."""
    roles = [r for r in grantable_roles(user) if r in UNIT_ROLES]
    scopes = minimal_prefixes([s for role in roles for s in grantable_scopes(user, role)])
    if not scopes:
        return Partner.objects.none()
    return Partner.objects.within(*scopes).filter(is_active=True).only("pk", "name")
