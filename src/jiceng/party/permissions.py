"""Who sees which party records and who may manage them.

Staff of the party page see the records of their scope (the shared ``visible_to``); partner
staff see their unit's members. Managing (members, meetings, dues, registrations) is for the
community staff, the street and the district inside their scope; a grid chief only reads.
A member sees their own record through ``user.party_member``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.core.scope import user_covers
from jiceng.party.models import Meeting, Member, PartyOrg, Registration


def can_manage(user, obj) -> bool:
    """May ``user`` change records of ``obj``'s place (an org, member, meeting, registration)?"""
    return user_covers(user, MANAGER_ROLES, obj.scope_code)


def visible_orgs(user) -> QuerySet[PartyOrg]:
    if not getattr(user, "is_authenticated", False):
        return PartyOrg.objects.none()
    condition = PartyOrg.objects.scope_q(*user.scope_codes)
    if user.unit_ids:
        unit = Q(partner_id__in=user.unit_ids)
        condition = unit if condition is None else condition | unit
    return PartyOrg.objects.none() if condition is None else PartyOrg.objects.filter(condition)


def manageable_orgs(user) -> QuerySet[PartyOrg]:
    """The organizations whose records ``user`` may change (meetings, members, dues)."""
    if not getattr(user, "is_authenticated", False):
        return PartyOrg.objects.none()
    condition = PartyOrg.objects.scope_q(*user.scopes_for(*MANAGER_ROLES))
    if condition is None:
        return PartyOrg.objects.none()
    return PartyOrg.objects.filter(condition, is_active=True).order_by("scope_code", "kind", "id")


def visible_members(user) -> QuerySet[Member]:
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    condition = Member.objects.scope_q(*user.scope_codes)
    if user.unit_ids:
        unit = Q(partner_id__in=user.unit_ids) | Q(org__partner_id__in=user.unit_ids)
        condition = unit if condition is None else condition | unit
    return Member.objects.none() if condition is None else Member.objects.filter(condition)


def visible_meetings(user) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user)


def visible_registrations(user) -> QuerySet[Registration]:
    return Registration.objects.visible_to(user)


def member_of(user) -> Member | None:
    """The member record of the logged-in person, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return Member.objects.select_related("org").get(user=user, is_active=True)
    except Member.DoesNotExist:
        return None
