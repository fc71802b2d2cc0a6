"""Who sees which part of the register, who may change it, and which columns each role needs.

Kept as data: a district that wants street staff to see phone numbers changes one table here.
"""

from __future__ import annotations

from django.db.models import QuerySet

from jiceng.accounts.roles import Role
from jiceng.core.scope import at_most, user_covers
from jiceng.registry.models import Building, CareTag, Compound, Dwelling, Person

# Who reads the register in their scope (the navigation table says the same).
READ_ROLES = (
    Role.GRID_WORKER,
    Role.GRID_CHIEF,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_STAFF,
    Role.DISTRICT_STAFF,
)
# Who keeps it current: the people who know the households.
EDIT_ROLES = (Role.GRID_WORKER, Role.GRID_CHIEF, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY)
# Who may show one ID or phone number whole (with a reason, audited): those who serve in person.
REVEAL_ROLES = EDIT_ROLES
# Who sees care tags (elderly living alone, disabled, ...): the roles that serve those people.
CARE_ROLES = EDIT_ROLES
# Who may import a workbook (a community's whole book, or a grid's).
IMPORT_ROLES = EDIT_ROLES

# The columns of lists and exports, by what the viewer does (PIPL: only what the role needs).
# Street and district staff plan and supervise: no contact data, no ID numbers, no care tags.
BASIC_COLUMNS = ("name", "gender", "age", "residence_type", "status", "grid", "address")
SERVING_COLUMNS = (*BASIC_COLUMNS, "id_number", "phone", "relation", "care_tags")


def read_scopes(user) -> list[str]:
    return user.scopes_for(*READ_ROLES) if user.is_authenticated else []


def edit_scopes(user) -> list[str]:
    return user.scopes_for(*EDIT_ROLES) if user.is_authenticated else []


def visible_people(user) -> QuerySet[Person]:
    return Person.objects.within(*read_scopes(user))


def visible_dwellings(user) -> QuerySet[Dwelling]:
    return Dwelling.objects.within(*read_scopes(user))


def visible_buildings(user) -> QuerySet[Building]:
    return Building.objects.within(*read_scopes(user))


def visible_compounds(user) -> QuerySet[Compound]:
    # A compound's scope is its community; a grid worker sees the compounds around their grid.
    scopes = [at_most(code, "community") for code in read_scopes(user)]
    return Compound.objects.within(*scopes)


def can_edit(user, obj) -> bool:
    return user_covers(user, EDIT_ROLES, obj.scope_code)


def can_reveal(user, person: Person) -> bool:
    return user_covers(user, REVEAL_ROLES, person.scope_code)


def can_see_care(user, scope_code: str) -> bool:
    return user_covers(user, CARE_ROLES, scope_code)


def visible_care_tags(user) -> QuerySet[CareTag]:
    return CareTag.objects.within(*user.scopes_for(*CARE_ROLES)).filter(ended_at__isnull=True)


def columns_for(user) -> tuple[str, ...]:
    """Columns of lists and exports: the serving roles need contact data, the others do not."""
    if user.is_authenticated and user.scopes_for(*REVEAL_ROLES):
        return SERVING_COLUMNS
    return BASIC_COLUMNS


def user_sees_any_care(user) -> bool:
    return bool(user.is_authenticated and user.scopes_for(*CARE_ROLES))
