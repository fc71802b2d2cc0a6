"""Who sees which service records and who may manage or act on them.

Community staff (and the street, the district above them) manage the records of their scope
through the shared scoping; a grid chief reads. Residents, members and partner staff see what is
public (published activities and projects, the wish wall) and their own records.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import MANAGER_ROLES, Role
from jiceng.community import workflow
from jiceng.community.models import ServiceOrder, TeamMember, Wish
from jiceng.core.scope import community_of, user_covers
from jiceng.party.models import Member

# The roles that live in a community and use the phone pages.
PEOPLE_ROLES = (Role.RESIDENT, Role.MEMBER, Role.GRID_WORKER, Role.GRID_CHIEF)


def can_manage(user, obj) -> bool:
    """May ``user`` manage service records of ``obj``'s community (a Division or a record)?"""
    return user_covers(user, MANAGER_ROLES, getattr(obj, "scope_code", None) or obj.code)


def home_communities(user) -> list[str]:
    """The communities (12-digit codes) a resident or member lives or is registered in."""
    if not getattr(user, "is_authenticated", False):
        return []
    codes = [community_of(c) for c in user.scopes_for(*PEOPLE_ROLES)]
    return list(dict.fromkeys(c for c in codes if c))


def member_of(user) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(user=user, is_active=True).first()


def leads_team(user, team_id: int | None) -> bool:
    if team_id is None or not getattr(user, "is_authenticated", False):
        return False
    return TeamMember.objects.filter(
        team_id=team_id, user=user, is_leader=True, left_on__isnull=True
    ).exists()


def team_candidates(user) -> QuerySet:
    """The people a staff member may put in a volunteer team: those who hold a role (resident,
    member, grid worker, a unit's staff) inside the places they manage. Anyone else reads like an
    unknown username."""
    scopes = user.scopes_for(*MANAGER_ROLES) if getattr(user, "is_authenticated", False) else []
    if not scopes:
        return User.objects.none()
    held = RoleAssignment.objects.active().within(*scopes).values("user_id")
    return User.objects.filter(pk__in=held, is_active=True)


def can_act_on_order(user, action: str, order: ServiceOrder) -> bool:
    """May ``user`` take ``action`` on ``order`` (the status aside)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    actor = workflow.TRANSITIONS[action].actor
    if actor == workflow.COMMUNITY:
        return can_manage(user, order)
    if actor == workflow.ASSIGNEE:
        if order.member_id is not None:
            return order.member.user_id == user.pk
        return leads_team(user, order.team_id)
    if actor == workflow.RESIDENT:
        return order.resident_id == user.pk
    return False


def order_actions(user, order: ServiceOrder) -> list[str]:
    return [
        name
        for name, t in workflow.TRANSITIONS.items()
        if order.status in t.sources and can_act_on_order(user, name, order)
    ]


def visible_orders(user) -> QuerySet[ServiceOrder]:
    """Staff see their scope's orders; a member the orders sent to them; a team leader the
    team's; a resident the orders that serve them."""
    if not getattr(user, "is_authenticated", False):
        return ServiceOrder.objects.none()
    condition = ServiceOrder.objects.scope_q(*user.scope_codes)
    own = Q(resident=user) | Q(member__user=user)
    teams = list(
        TeamMember.objects.filter(user=user, is_leader=True, left_on__isnull=True).values_list(
            "team_id", flat=True
        )
    )
    if teams:
        own |= Q(team_id__in=teams)
    condition = own if condition is None else condition | own
    return ServiceOrder.objects.filter(condition)


def can_claim_wish(user) -> bool:
    """Members and partner staff light wishes (点亮微心愿)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.has_role(Role.MEMBER, Role.PARTNER_STAFF) or member_of(user) is not None)
    )


def visible_wishes(user) -> QuerySet[Wish]:
    """Staff see their scope's wishes; everyone else the public wall and their own."""
    public = Q(
        status__in=[
            Wish.Status.OPEN,
            Wish.Status.CLAIMED,
            Wish.Status.FULFILLED,
            Wish.Status.CONFIRMED,
        ]
    )
    if not getattr(user, "is_authenticated", False):
        return Wish.objects.filter(public)
    condition = public | Q(poster=user) | Q(claimed_by=user)
    scoped = Wish.objects.scope_q(*user.scope_codes)
    if scoped is not None:
        condition |= scoped
    return Wish.objects.filter(condition)


def can_act_on_wish(user, action: str, wish: Wish) -> bool:
    """May ``user`` take ``action`` on ``wish`` (the status aside)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    actor = workflow.WISH_TRANSITIONS[action].actor
    if actor == workflow.COMMUNITY:
        return can_manage(user, wish)
    if actor == workflow.HELPER:
        return can_claim_wish(user)
    if actor == workflow.CLAIMANT:
        return wish.claimed_by_id == user.pk
    if actor == workflow.POSTER:
        return wish.poster_id == user.pk
    return False


def can_act_on_need(user, action: str, need) -> bool:
    """Needs are reviewed by the community's staff (and the street above)."""
    return workflow.NEED_TRANSITIONS[action].actor == workflow.COMMUNITY and can_manage(user, need)


def can_act_on_signup(user, action: str, signup) -> bool:
    """A sign-up is the signed-up person's own; the system moves the waiting up."""
    actor = workflow.SIGNUP_TRANSITIONS[action].actor
    return (
        actor == workflow.SELF
        and getattr(user, "is_authenticated", False)
        and signup.user_id == user.pk
    )
