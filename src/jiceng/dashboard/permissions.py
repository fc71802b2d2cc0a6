"""Who sees which place's dashboard: district, street and community staff, each the places
inside their scope (the district, its streets, communities and grids)."""

from __future__ import annotations

from jiceng.accounts.roles import Role
from jiceng.core.models import minimal_prefixes
from jiceng.core.scope import visible_or_404
from jiceng.geo.models import Division

DASHBOARD_ROLES = frozenset(
    {
        Role.DISTRICT_STAFF,
        Role.STREET_STAFF,
        Role.COMMUNITY_SECRETARY,
        Role.COMMUNITY_WORKER,
    }
)
REFRESH_ROLES = frozenset({Role.DISTRICT_STAFF})


def scopes(user) -> list[str]:
    return minimal_prefixes(user.scopes_for(*DASHBOARD_ROLES)) if user.is_authenticated else []


def visible_places(user):
    """The places whose dashboards ``user`` may open."""
    return Division.objects.within(*scopes(user)) if scopes(user) else Division.objects.none()


def place_for(user, code: str | None) -> Division:
    """The place ``code`` names, if the user may see it (else 404); no code: the user's own
    place (the widest of their scopes)."""
    if not code:
        own = scopes(user)
        code = min(own, key=len) if own else None
    return visible_or_404(visible_places(user), code=code)


def can_refresh(user) -> bool:
    return user.is_authenticated and user.has_role(*REFRESH_ROLES)
