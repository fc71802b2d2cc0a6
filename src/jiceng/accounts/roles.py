"""The roles, what each is scoped to, who may grant it, and where each lands after login.

Kept as data so that a district can read and change it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    MEMBER = "member", _("党员")
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_CHIEF = "grid_chief", _("网格长")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    COMMUNITY_SECRETARY = "community_secretary", _("社区党委书记")
    STREET_STAFF = "street_staff", _("街道工作人员")
    DEPARTMENT_STAFF = "department_staff", _("职能部门工作人员")
    PARTNER_STAFF = "partner_staff", _("共建单位工作人员")
    DISTRICT_STAFF = "district_staff", _("区委组织部工作人员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


@dataclass(frozen=True)
class RoleInfo:
    # The division levels this role may be scoped to; "unit" roles are scoped to a partner unit.
    levels: tuple[str, ...]
    unit_kinds: tuple[str, ...] = ()
    # Staff roles see the records of their scope in lists; residents and members see their own.
    sees_scope: bool = True
    staff: bool = True
    admin: bool = False
    home: str = "console:home"


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# The staff who manage the records of their place (party, community services, venues): the
# community's, and the street and the district above it.
MANAGER_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_STAFF,
    Role.DISTRICT_STAFF,
)
UNIT_PARTNER_KINDS = (
    "agency",
    "enterprise",
    "social_org",
    "property_company",
    "owners_committee",
)

ROLES: dict[str, RoleInfo] = {
    Role.RESIDENT: RoleInfo(
        ("grid", "community"), sees_scope=False, staff=False, home="resident_home"
    ),
    Role.MEMBER: RoleInfo(("community", "grid"), sees_scope=False, staff=False, home="member_home"),
    Role.GRID_WORKER: RoleInfo(("grid",)),
    Role.GRID_CHIEF: RoleInfo(("grid", "community")),
    Role.COMMUNITY_WORKER: RoleInfo(("community",)),
    Role.COMMUNITY_SECRETARY: RoleInfo(("community",)),
    Role.STREET_STAFF: RoleInfo(("street",)),
    Role.DEPARTMENT_STAFF: RoleInfo((), unit_kinds=("department",), sees_scope=False),
    Role.PARTNER_STAFF: RoleInfo((), unit_kinds=UNIT_PARTNER_KINDS, sees_scope=False),
    Role.DISTRICT_STAFF: RoleInfo(("district",)),
    # The three administrators (三员分立) configure, manage accounts, and read the audit log;
    # none of them reads the business records of the district through lists.
    Role.SYSTEM_ADMIN: RoleInfo(("district",), sees_scope=False, admin=True),
    # Each lands on the console home: what their administration needs today (locked accounts,
    # the backup's age, configuration changes to read), then their pages.
    Role.SECURITY_ADMIN: RoleInfo(("district",), sees_scope=False, admin=True),
    Role.AUDIT_ADMIN: RoleInfo(("district",), sees_scope=False, admin=True),
}

# Who may grant which roles, inside the scope of the granting assignment.
GRANTS: dict[str, frozenset[str]] = {
    Role.SECURITY_ADMIN: frozenset(Role.values),
    Role.STREET_STAFF: frozenset(
        {Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER, Role.GRID_CHIEF, Role.GRID_WORKER}
    ),
    Role.COMMUNITY_SECRETARY: frozenset(
        {Role.COMMUNITY_WORKER, Role.GRID_CHIEF, Role.GRID_WORKER, Role.MEMBER, Role.RESIDENT}
    ),
}

# The order in which a person holding several roles lands on a home page.
HOME_ORDER = [
    Role.AUDIT_ADMIN,
    Role.SECURITY_ADMIN,
    Role.SYSTEM_ADMIN,
    Role.DISTRICT_STAFF,
    Role.STREET_STAFF,
    Role.COMMUNITY_SECRETARY,
    Role.COMMUNITY_WORKER,
    Role.GRID_CHIEF,
    Role.GRID_WORKER,
    Role.DEPARTMENT_STAFF,
    Role.PARTNER_STAFF,
    Role.MEMBER,
    Role.RESIDENT,
]
