"""Who sees which cases and who may take which action on a case."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import Role
from jiceng.cases import workflow
from jiceng.cases.models import Case, private_q
from jiceng.core.scope import community_of, covers, district_of, user_covers
from jiceng.geo.models import Division, Level
from jiceng.partners.models import Partner

# One answer for each kind of thing a request names, whether it is missing or outside what the
# actor may use, so that the answer never tells which.
NOT_FOLLOWABLE = _("案件不存在、已办结，或不在您可以关注的范围内。")
UNIT_UNAVAILABLE = _("所选单位不存在或不可选，请重新选择。")
NO_MERGE_TARGET = _("没有找到要合并到的案件：编号不存在，或不在您的管辖范围内。")

COMMUNITY_ROLES = (Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY)
VERIFIER_ROLES = (Role.GRID_WORKER, Role.GRID_CHIEF, *COMMUNITY_ROLES)
UNIT_ROLES = (Role.DEPARTMENT_STAFF, Role.PARTNER_STAFF)
# Who reports cases (and so sees their own wherever they are).
REPORTER_ROLES = (Role.RESIDENT, Role.GRID_WORKER, Role.GRID_CHIEF)


def visible_cases(user) -> QuerySet[Case]:
    """Staff see the cases of their scope, a unit those dispatched to it, a resident their own."""
    condition = visible_cases_q(user)
    return Case.objects.none() if condition is None else Case.objects.filter(condition)


def visible_cases_q(user) -> Q | None:
    """The condition ``visible_cases`` filters by (None: no case at all), for a list that puts it
    in one filter with its own conditions."""
    if not user.is_authenticated:
        return None
    conditions: list[Q] = []
    if user.has_role(*REPORTER_ROLES):
        conditions.append(Q(reporter=user))
    scoped = Case.objects.scope_q(*user.scope_codes)
    if scoped is not None:
        conditions.append(scoped)
    units = [a.unit_id for a in user.active_assignments if a.role in UNIT_ROLES and a.unit_id]
    if units:
        conditions.append(Q(handler_id__in=units))
    if not conditions:
        return None
    condition = conditions[0]
    for extra in conditions[1:]:
        condition |= extra
    return condition


def followable_cases(user, *, offered: Iterable[str] = ()) -> QuerySet[Case]:
    """The open cases ``user`` may follow: any they may see already; for a resident also the
    public cases of the grid they live in and those offered to them as duplicates of what
    they were reporting (``offered``: the numbers the report page showed them)."""
    if not user.is_authenticated:
        return Case.objects.none()
    condition = Q(pk__in=visible_cases(user).values("pk"))
    home = Case.objects.scope_q(*user.scopes_for(Role.RESIDENT))
    if home is not None:
        condition |= home & ~private_q()
    offered = [n for n in offered if isinstance(n, str)][:OFFERED_MAX]
    if offered and user.has_role(*REPORTER_ROLES):
        condition |= Q(number__in=offered)
    return Case.objects.filter(condition, status__in=workflow.OPEN)


# How many duplicate offers a session remembers (each report page shows at most five).
OFFERED_MAX = 20


def dispatchable_units(case: Case) -> QuerySet[Partner]:
    """The units a case may be dispatched to or called to by a whistle: the active departments
    and partner units of the case's district (what the case page lists)."""
    return Partner.objects.filter(is_active=True).within(district_of(case.scope_code))


def nameable_grids(user) -> QuerySet[Division]:
    """The grids a reporter may file into by naming one, without a point: a resident those of
    the community they live in (the grids the report page draws and lists), a grid worker or
    chief the grids of their own assignments. A point decides its grid wherever it is (where
    the reporter stands)."""
    if not user.is_authenticated:
        return Division.objects.none()
    homes = [community_of(code) for code in user.scopes_for(Role.RESIDENT)]
    codes = homes + user.scopes_for(Role.GRID_WORKER, Role.GRID_CHIEF)
    return Division.objects.within(*codes).filter(level=Level.GRID, is_active=True)


def can_act(user, action: str, case: Case) -> bool:
    """May ``user`` take ``action`` on ``case`` (the stage aside)?"""
    if not user.is_authenticated:
        return False
    actor = workflow.TRANSITIONS[action].actor
    community = user.scopes_for(*COMMUNITY_ROLES, Role.STREET_STAFF)
    if actor == workflow.COMMUNITY:
        return covers(community, case.scope_code)
    if actor == workflow.STREET:
        return covers(user.scopes_for(Role.STREET_STAFF), case.scope_code)
    if actor == workflow.HANDLER:
        if case.handler_id is None:  # a minor matter the community handles itself
            return covers(community, case.scope_code)
        return any(
            a.unit_id == case.handler_id for a in user.active_assignments if a.role in UNIT_ROLES
        )
    if actor == workflow.VERIFIER:
        return covers(user.scopes_for(*VERIFIER_ROLES), case.scope_code)
    if actor == workflow.REPORTER:
        return case.reporter_id == user.pk
    return False


def allowed_actions(user, case: Case) -> list[str]:
    """The actions ``user`` may take on ``case`` in its current stage (for the page's buttons)."""
    return [
        name
        for name, t in workflow.TRANSITIONS.items()
        if case.status in t.sources
        and can_act(user, name, case)
        and (name != "dispatch" or case.triage == workflow.Triage.MAJOR)
    ]


def can_reveal_contact(user, case: Case) -> bool:
    """The community's staff (and the grid's) call a reporter back; units and the street do
    not need the number."""
    return user_covers(user, VERIFIER_ROLES, case.scope_code)


# Who keeps the streets' default handling units (the street for itself, the district for all).
DEFAULTS_ROLES = (Role.STREET_STAFF, Role.DISTRICT_STAFF)


def editable_streets(user) -> QuerySet[Division]:
    """The streets whose default handling units ``user`` may set: those their street or
    district role covers."""
    if not user.is_authenticated:
        return Division.objects.none()
    codes = user.scopes_for(*DEFAULTS_ROLES)
    if not codes:
        return Division.objects.none()
    return Division.objects.within(*codes).filter(level=Level.STREET, is_active=True)


def street_units(street: Division) -> QuerySet[Partner]:
    """The units a street may name as a default: the district's departments and the street's
    own partner units (a subset of ``dispatchable_units`` for its cases)."""
    return Partner.objects.filter(is_active=True).filter(
        Q(scope_code=district_of(street.code)) | Partner.objects.scope_q(street.code)
    )
