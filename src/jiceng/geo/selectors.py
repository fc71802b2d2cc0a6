"""Scoped reads of the division tree."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from jiceng.core.errors import NotFound
from jiceng.core.models import minimal_prefixes
from jiceng.geo.codes import parse_code
from jiceng.geo.models import Division


def division_for(*, user, code: str) -> Division:
    """A division the user may see; anything else, malformed aside, is not found."""
    code = parse_code(code)
    division = Division.objects.visible_to(user).filter(code=code).first()
    if division is None:
        raise NotFound(_("区划 {code} 不存在，或不在您的管辖范围内。").format(code=code))
    return division


def scope_roots(*, user) -> QuerySet[Division]:
    """The divisions at the top of the user's scopes."""
    return Division.objects.filter(code__in=minimal_prefixes(user.scope_codes)).order_by("code")


def children_with_counts(*, division: Division) -> QuerySet[Division]:
    return (
        Division.objects.filter(parent=division)
        .annotate(n_children=Count("children", filter=Q(children__is_active=True)))
        .order_by("code")
    )


def grids_under(*, division: Division) -> QuerySet[Division]:
    return Division.objects.filter(level="grid", code__startswith=division.code, is_active=True)


def feature_collection(divisions) -> dict:
    """GeoJSON (RFC 7946) of divisions with their boundaries."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": d.code,
                "geometry": d.boundary,
                "properties": {"code": d.code, "name": d.name, "level": d.level, "kind": d.kind},
            }
            for d in divisions
            if d.boundary
        ],
    }
