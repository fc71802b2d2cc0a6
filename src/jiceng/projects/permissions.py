"""Who sees and who acts on projects.

The community's staff (and the street and district above it) manage the projects of their scope;
a project's owner (a secretary, a 第一书记: any account) reports its progress and sees it even
outside a staff scope. Supervision (督查) is opened by the street or the district; a
rectification item is closed by its owner or the community's staff, and verified by the street
or the district (never by the one who closed it). Residents follow their community's projects on
the public page.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiceng.accounts.roles import MANAGER_ROLES, Role
from jiceng.core.scope import user_covers
from jiceng.projects.models import Commitment, Project, Rectification, Supervision

CONSOLE_ROLES = frozenset(MANAGER_ROLES)
SUPERVISOR_ROLES = (Role.STREET_STAFF, Role.DISTRICT_STAFF)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_manage(user, obj) -> bool:
    """May ``user`` manage the projects of ``obj``'s place (a record or a Division)?"""
    return user_covers(user, MANAGER_ROLES, getattr(obj, "scope_code", None) or obj.code)


def can_supervise(user, obj) -> bool:
    return user_covers(user, SUPERVISOR_ROLES, getattr(obj, "scope_code", None) or obj.code)


def may_report(user, project: Project) -> bool:
    return _signed_in(user) and (project.owner_id == user.pk or can_manage(user, project))


def staff_projects(user) -> QuerySet[Project]:
    if not _signed_in(user) or not user.has_role(*MANAGER_ROLES):
        return Project.objects.none()
    return Project.objects.within(*user.scopes_for(*MANAGER_ROLES))


def visible_projects(user) -> QuerySet[Project]:
    """The staff's scope and the projects one owns."""
    if not _signed_in(user):
        return Project.objects.none()
    condition = Q(owner=user)
    staff = Project.objects.scope_q(*user.scopes_for(*MANAGER_ROLES))
    if staff is not None:
        condition |= staff
    return Project.objects.filter(condition)


def visible_supervisions(user) -> QuerySet[Supervision]:
    """The staff's scope, and the supervisions where one inspects or owns an item."""
    if not _signed_in(user):
        return Supervision.objects.none()
    condition = Q(inspector=user) | Q(items__owner=user)
    staff = Supervision.objects.scope_q(*user.scopes_for(*MANAGER_ROLES))
    if staff is not None:
        condition |= staff
    return Supervision.objects.filter(pk__in=Supervision.objects.filter(condition).values("pk"))


def visible_items(user) -> QuerySet[Rectification]:
    if not _signed_in(user):
        return Rectification.objects.none()
    return Rectification.objects.filter(supervision__in=visible_supervisions(user))


def may_close_item(user, item: Rectification) -> bool:
    return _signed_in(user) and (
        item.owner_id == user.pk or user_covers(user, MANAGER_ROLES, item.scope_code)
    )


def may_verify_item(user, item: Rectification) -> bool:
    return _signed_in(user) and (
        item.supervision.inspector_id == user.pk
        or user_covers(user, SUPERVISOR_ROLES, item.scope_code)
    )


def visible_commitments(user) -> QuerySet[Commitment]:
    if not _signed_in(user):
        return Commitment.objects.none()
    condition = Q(person=user)
    staff = Commitment.objects.scope_q(*user.scopes_for(*MANAGER_ROLES))
    if staff is not None:
        condition |= staff
    return Commitment.objects.filter(condition)
