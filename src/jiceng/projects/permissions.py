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

from jiceng.accounts.roles import MANAGER_ROLES, ROLES, Role
from jiceng.community.permissions import home_communities
from jiceng.core.scope import community_of, user_covers
from jiceng.geo.models import Division
from jiceng.projects.models import Commitment, Project, Rectification, Supervision

CONSOLE_ROLES = frozenset(MANAGER_ROLES)
SUPERVISOR_ROLES = (Role.STREET_STAFF, Role.DISTRICT_STAFF)
# Who gives the year-end evaluation's two scores: the community's staff and the street's (or the
# district's), never the person evaluated.
COMMUNITY_SCORERS = (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER)
STREET_SCORERS = SUPERVISOR_ROLES


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


def staff_commitments(user) -> QuerySet[Commitment]:
    """The commitments of the places a staff member manages (the console's list)."""
    if not _signed_in(user) or not user.has_role(*MANAGER_ROLES):
        return Commitment.objects.none()
    return Commitment.objects.within(*user.scopes_for(*MANAGER_ROLES))


def may_score(user, commitment: Commitment) -> dict[str, bool]:
    """Which of the two scores ``user`` may give ``commitment`` (never one's own)."""
    own = not _signed_in(user) or commitment.person_id == user.pk
    return {
        "community_score": not own and user_covers(user, COMMUNITY_SCORERS, commitment.scope_code),
        "street_score": not own and user_covers(user, STREET_SCORERS, commitment.scope_code),
    }


def commitment_places(user) -> QuerySet[Division]:
    """The communities where ``user`` may write their own commitment: those where they hold a
    role (a member's, a resident's, a staff member's at or below the community) and those of the
    projects they own (a 第一书记 posted there)."""
    if not _signed_in(user):
        return Division.objects.none()
    codes = {community_of(code) for code in user.scopes_for(*ROLES)}
    codes |= {
        community_of(code)
        for code in Project.objects.filter(owner=user).values_list("scope_code", flat=True)
    }
    return Division.objects.filter(code__in=[c for c in codes if c], level="community")


def community_projects(user) -> QuerySet[Project]:
    """What a signed-in person may open on the phone: the projects they see as staff or own,
    and their home communities' projects (residents follow them; cancelled ones left out)."""
    if not _signed_in(user):
        return Project.objects.none()
    condition = Q(pk__in=visible_projects(user).values("pk"))
    homes = Project.objects.scope_q(*home_communities(user))
    if homes is not None:
        condition |= homes & ~Q(status=Project.Status.CANCELLED)
    return Project.objects.filter(condition)


def may_commit(user) -> bool:
    """Does the phone home offer ``user`` the commitments page: a party member or a staff
    member (a secretary, a 第一书记), or anyone who has written one?"""
    if not _signed_in(user):
        return False
    return (
        user.has_role(Role.MEMBER, *MANAGER_ROLES)
        or Commitment.objects.filter(person=user).exists()
    )
