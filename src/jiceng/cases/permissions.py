"""Who sees which cases and who may take which action on a case."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiceng.accounts.roles import Role
from jiceng.cases import workflow
from jiceng.cases.models import Case

COMMUNITY_ROLES = (Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY)
VERIFIER_ROLES = (Role.GRID_WORKER, Role.GRID_CHIEF, *COMMUNITY_ROLES)
UNIT_ROLES = (Role.DEPARTMENT_STAFF, Role.PARTNER_STAFF)
# Who reports cases (and so sees their own wherever they are).
REPORTER_ROLES = (Role.RESIDENT, Role.GRID_WORKER, Role.GRID_CHIEF)


def _covers(codes: list[str], scope: str) -> bool:
    return any(scope.startswith(code) for code in codes)


def visible_cases(user) -> QuerySet[Case]:
    """Staff see the cases of their scope, a unit those dispatched to it, a resident their own."""
    if not user.is_authenticated:
        return Case.objects.none()
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
        return Case.objects.none()
    condition = conditions[0]
    for extra in conditions[1:]:
        condition |= extra
    return Case.objects.filter(condition)


def can_act(user, action: str, case: Case) -> bool:
    """May ``user`` take ``action`` on ``case`` (the stage aside)?"""
    if not user.is_authenticated:
        return False
    actor = workflow.TRANSITIONS[action].actor
    community = user.scopes_for(*COMMUNITY_ROLES, Role.STREET_STAFF)
    if actor == workflow.COMMUNITY:
        return _covers(community, case.scope_code)
    if actor == workflow.STREET:
        return _covers(user.scopes_for(Role.STREET_STAFF), case.scope_code)
    if actor == workflow.HANDLER:
        if case.handler_id is None:  # a minor matter the community handles itself
            return _covers(community, case.scope_code)
        return any(
            a.unit_id == case.handler_id for a in user.active_assignments if a.role in UNIT_ROLES
        )
    if actor == workflow.VERIFIER:
        return _covers(user.scopes_for(*VERIFIER_ROLES), case.scope_code)
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
    if not getattr(user, "is_authenticated", False):
        return False
    return _covers(user.scopes_for(*VERIFIER_ROLES), case.scope_code)
