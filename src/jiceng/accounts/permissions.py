"""Who may do what with accounts, and which pages each role's navigation shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import GRANTS, ROLES, Role
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


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    roles: frozenset[str]


STAFF = frozenset(r for r, info in ROLES.items() if info.staff and not info.admin)
PLACE_STAFF = frozenset(
    r for r, info in ROLES.items() if info.staff and info.levels and not info.admin
)

# The console's navigation: each page shows only for the roles that may use it; the views check
# the same table (page_allowed), so a link and its page never disagree.
NAVIGATION = [
    # Patrol reporting is the grid staff's main job: the first thing their navigation offers.
    NavItem(
        "report", _("上报问题"), "cases:report", frozenset({Role.GRID_WORKER, Role.GRID_CHIEF})
    ),
    NavItem("console", _("工作台"), "console:home", STAFF | {Role.SYSTEM_ADMIN}),
    NavItem(
        "cases",
        _("诉求与事件"),
        "cases:inbox",
        frozenset(
            {
                Role.GRID_WORKER,
                Role.GRID_CHIEF,
                Role.COMMUNITY_WORKER,
                Role.COMMUNITY_SECRETARY,
                Role.STREET_STAFF,
                Role.DEPARTMENT_STAFF,
                Role.PARTNER_STAFF,
                Role.DISTRICT_STAFF,
            }
        ),
    ),
    NavItem("divisions", _("区划与网格"), "geo:divisions", PLACE_STAFF),
    NavItem(
        "registry",
        _("人房网格地址"),
        "registry:home",
        frozenset(
            {
                Role.GRID_WORKER,
                Role.GRID_CHIEF,
                Role.COMMUNITY_WORKER,
                Role.COMMUNITY_SECRETARY,
                Role.STREET_STAFF,
                Role.DISTRICT_STAFF,
            }
        ),
    ),
    NavItem(
        "party",
        _("党组织与党员"),
        "party:home",
        frozenset(
            {
                Role.GRID_CHIEF,
                Role.COMMUNITY_WORKER,
                Role.COMMUNITY_SECRETARY,
                Role.STREET_STAFF,
                Role.DISTRICT_STAFF,
                Role.PARTNER_STAFF,
            }
        ),
    ),
    NavItem(
        "services",
        _("社区服务"),
        "services:home",
        frozenset(
            {
                Role.GRID_CHIEF,
                Role.COMMUNITY_WORKER,
                Role.COMMUNITY_SECRETARY,
                Role.STREET_STAFF,
                Role.DISTRICT_STAFF,
                Role.PARTNER_STAFF,
            }
        ),
    ),
    NavItem(
        "venues",
        _("共享阵地"),
        "venues:home",
        frozenset(
            {
                Role.COMMUNITY_WORKER,
                Role.COMMUNITY_SECRETARY,
                Role.STREET_STAFF,
                Role.DISTRICT_STAFF,
                Role.PARTNER_STAFF,
            }
        ),
    ),
    NavItem("users", _("账号与角色"), "accounts:users", frozenset(GRANTS)),
    NavItem("audit", _("审计日志"), "core:audit", frozenset({Role.AUDIT_ADMIN})),
    NavItem("calendar", _("工作日历"), "core:calendar", STAFF | {Role.SYSTEM_ADMIN}),
    NavItem("admin", _("系统配置"), "admin:index", frozenset({Role.SYSTEM_ADMIN})),
]
_BY_KEY = {item.key: item for item in NAVIGATION}


def page_allowed(user, key: str) -> bool:
    return bool(user.is_authenticated and user.roles & _BY_KEY[key].roles)


def navigation_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    roles = user.roles
    return [item for item in NAVIGATION if roles & item.roles]
