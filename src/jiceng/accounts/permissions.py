"""Who may do what with accounts, and which pages (registered by the apps) each role may open."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import GRANTS, ROLES, Role
from jiceng.core import registry
from jiceng.core.models import minimal_prefixes
from jiceng.partners.models import Partner


def grantable_scopes(user, role: str) -> list[str]:
    """The scopes in which ``user`` may grant ``role``."""
    if user is None or not user.is_authenticated:
        return []
    granting = [r for r, grants in GRANTS.items() if role in grants]
    return minimal_prefixes(user.scopes_for(*granting))


def grantable_roles(user) -> list[str]:
    roles = user.roles
    return [r for r in Role.values if any(r in GRANTS.get(g, ()) for g in roles)]


def can_manage_accounts(user) -> bool:
    return bool(user.is_authenticated and user.roles & set(GRANTS))


def visible_users(user) -> QuerySet:
    """Users who hold a role inside the scopes where ``user`` may grant roles."""
    scopes = minimal_prefixes(user.scopes_for(*GRANTS)) if user.is_authenticated else []
    if not scopes:
        return User.objects.none()
    held = RoleAssignment.objects.within(*scopes).values("user_id")
    return User.objects.filter(pk__in=held)


def assignable_users(user) -> QuerySet:
    """The accounts ``user`` may give a role to: those they see (holding a role in their scopes)
    and new accounts that hold no role yet. An account that serves only elsewhere reads as
    missing, so that a username does not tell who works in another place."""
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    holding = RoleAssignment.objects.active().values("user_id")
    return User.objects.filter(Q(pk__in=visible_users(user).values("pk")) | ~Q(pk__in=holding))


def assignable_units(user, role: str) -> QuerySet:
    """The units in which ``user`` may grant ``role`` (their scope holds the unit's place)."""
    scopes = grantable_scopes(user, role)
    return Partner.objects.within(*scopes) if scopes else Partner.objects.none()


STAFF = frozenset(r for r, info in ROLES.items() if info.staff and not info.admin)
PLACE_STAFF = frozenset(
    r for r, info in ROLES.items() if info.staff and info.levels and not info.admin
)


# The console's navigation is what the apps register (core.registry, each app's manifest.py):
# each page shows only for the roles that may use it, and the views check the same item
# (page_allowed), so a link and its page never disagree.


def page_allowed(user, key: str) -> bool:
    return bool(user.is_authenticated and registry.nav_allowed(user.roles, key))


def navigation_for(user) -> list[registry.NavItem]:
    if not user.is_authenticated:
        return []
    return registry.navigation_for(user.roles)
