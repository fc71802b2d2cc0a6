"""Who sees which meetings, issues and matters, and who manages them.

The community's staff (and the street and district above it) manage the deliberation of their
scope; a grid chief reads it. Residents and members see the meetings of the community they live
in (and those they were invited to), their own issues, and every community's matters on its
public page.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiceng.accounts.roles import MANAGER_ROLES, Role
from jiceng.community.permissions import home_communities
from jiceng.core.scope import user_covers
from jiceng.deliberation.models import Issue, Matter, Meeting, Participant

READER_ROLES = (*MANAGER_ROLES, Role.GRID_CHIEF)
CONSOLE_ROLES = frozenset(READER_ROLES)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_manage(user, obj) -> bool:
    """May ``user`` manage the deliberation of ``obj``'s community (a record or a Division)?"""
    return user_covers(user, MANAGER_ROLES, getattr(obj, "scope_code", None) or obj.code)


def staff_meetings(user) -> QuerySet[Meeting]:
    """The console's meetings: those of the staff's scope."""
    if not _signed_in(user) or not user.has_role(*READER_ROLES):
        return Meeting.objects.none()
    return Meeting.objects.visible_to(user)


def visible_meetings(user) -> QuerySet[Meeting]:
    """Every meeting ``user`` may open: the scope's (staff), their community's (residents and
    members) and those they take part in."""
    if not _signed_in(user):
        return Meeting.objects.none()
    condition = Q(pk__in=Participant.objects.filter(user=user).values("meeting_id"))
    staff = Meeting.objects.scope_q(*user.scopes_for(*READER_ROLES))
    if staff is not None:
        condition |= staff
    homes = home_communities(user)
    if homes:
        condition |= Q(scope_code__in=homes)
    return Meeting.objects.filter(condition)


def staff_issues(user) -> QuerySet[Issue]:
    if not _signed_in(user) or not user.has_role(*READER_ROLES):
        return Issue.objects.none()
    return Issue.objects.visible_to(user)


def visible_issues(user) -> QuerySet[Issue]:
    """Issues of the staff's scope, and a resident's own."""
    if not _signed_in(user):
        return Issue.objects.none()
    condition = Q(raised_by=user)
    staff = Issue.objects.scope_q(*user.scopes_for(*READER_ROLES))
    if staff is not None:
        condition |= staff
    return Issue.objects.filter(condition)


def visible_matters(user) -> QuerySet[Matter]:
    if not _signed_in(user) or not user.has_role(*READER_ROLES):
        return Matter.objects.none()
    return Matter.objects.visible_to(user)


def may_act(user, action: str, record) -> bool:
    """Every transition of an issue or a matter is the community's staff's."""
    return can_manage(user, record)


def may_see_issue(user, issue: Issue) -> bool:
    return issue.raised_by_id == getattr(user, "pk", None) or user_covers(
        user, READER_ROLES, issue.scope_code
    )


def may_see_matter(user, matter: Matter) -> bool:
    return user_covers(user, READER_ROLES, matter.scope_code)


def participant_of(user, meeting: Meeting) -> Participant | None:
    if not _signed_in(user):
        return None
    return Participant.objects.filter(meeting=meeting, user=user).first()
