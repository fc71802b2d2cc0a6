"""Who sees which venues and bookings, who manages a venue, and who may book it.

A venue owned by a partner unit is managed by that unit's staff (approve, decline, edit); a
venue of a community by the community's staff, the street and the district above it. Staff
with a place see every venue of their scope in the console (community staff see the partner
rooms of their community but do not decide on them: 403). Anyone with an account may book an
active venue, unless it takes only its own community's people.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.accounts.roles import ADMIN_ROLES, MANAGER_ROLES, Role
from jiceng.core.scope import community_of, street_of, user_covers
from jiceng.venues import workflow
from jiceng.venues.models import Booking, Venue


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def partner_units(user) -> list[int]:
    """The partner units ``user`` works for (their rooms are theirs to manage)."""
    if not _authenticated(user):
        return []
    return [
        a.unit_id for a in user.active_assignments if a.role == Role.PARTNER_STAFF and a.unit_id
    ]


def visible_venues(user) -> QuerySet[Venue]:
    """The console's venues: those of the user's scope and those of the user's units."""
    if not _authenticated(user):
        return Venue.objects.none()
    condition = Venue.objects.scope_q(*user.scope_codes)
    units = partner_units(user)
    if units:
        unit = Q(owner_partner_id__in=units)
        condition = unit if condition is None else condition | unit
    return Venue.objects.none() if condition is None else Venue.objects.filter(condition)


def can_manage(user, venue: Venue) -> bool:
    if not _authenticated(user):
        return False
    if venue.owner_partner_id:
        return venue.owner_partner_id in partner_units(user)
    return user_covers(user, MANAGER_ROLES, venue.scope_code)


def can_reveal_contact(user, obj: Venue | Booking) -> bool:
    """Who may see a contact phone whole (with a reason): a booker's, the managers of the venue
    who call about the request; a venue's, its managers and whoever holds an open booking of it
    (they may need to call the venue about it)."""
    if not _authenticated(user):
        return False
    if isinstance(obj, Booking):
        return can_manage(user, obj.venue)
    if can_manage(user, obj):
        return True
    return Booking.objects.filter(
        venue=obj,
        booker=user,
        status__in=(Booking.Status.PENDING, Booking.Status.APPROVED),
        ends_at__gt=timezone.now(),
    ).exists()


def can_create_in(user, division, owner_partner=None) -> bool:
    """May ``user`` list a venue at ``division`` (for ``owner_partner``, or the community)?"""
    if not _authenticated(user):
        return False
    if owner_partner is not None and owner_partner.pk in partner_units(user):
        return True
    return user_covers(user, MANAGER_ROLES, division.code)


def home_communities(user) -> list[str]:
    """The community codes a person belongs to: through any role with a place, or their unit's."""
    if not _authenticated(user):
        return []
    codes = {community_of(a.scope_code) for a in user.active_assignments if a.division_id}
    codes |= {community_of(a.unit.scope_code) for a in user.active_assignments if a.unit_id}
    return sorted(c for c in codes if c)


def home_streets(user) -> list[str]:
    """The street codes a person lives or works in (a unit placed at a street counts)."""
    if not _authenticated(user):
        return []
    codes = {street_of(a.scope_code) for a in user.active_assignments if a.division_id}
    codes |= {street_of(a.unit.scope_code) for a in user.active_assignments if a.unit_id}
    return sorted(c for c in codes if c)


def may_book(user, venue: Venue) -> bool:
    """The venue takes bookings from ``user`` (a venue for its own community only, or open)."""
    if not _authenticated(user) or not venue.is_active:
        return False
    if not user.roles or user.roles <= ADMIN_ROLES:
        return False  # an account with no role yet, or only an administrator's
    if not venue.residents_only:
        return True
    return venue.community_code in home_communities(user) or can_manage(user, venue)


def visible_bookings(user) -> QuerySet[Booking]:
    """The console's bookings: those of the venues the user sees."""
    return Booking.objects.filter(venue__in=visible_venues(user))


def can_cancel(user, booking: Booking) -> bool:
    return _authenticated(user) and (
        booking.booker_id == user.pk or can_manage(user, booking.venue)
    )


def can_act_on_booking(user, action: str, booking: Booking) -> bool:
    """May ``user`` take ``action`` on ``booking`` (the status aside)?"""
    actor = workflow.TRANSITIONS[action].actor
    if actor == workflow.MANAGER:
        return _authenticated(user) and can_manage(user, booking.venue)
    if actor == workflow.BOOKER_OR_MANAGER:
        return can_cancel(user, booking)
    return False
