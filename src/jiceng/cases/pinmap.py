"""A map to drop a pin on, drawn from our own grid polygons (no tile server, no network).

The resident's community is drawn as inline SVG with its grids and, over them, the register's
compounds (an outline around their buildings, with the compound's name) and buildings (a mark
with the building's name), so that a resident finds where the problem is by the places they
know; the page's script turns a tap
into longitude and latitude with the projection written on the ``<svg>`` element
(``lon = lon0 + x / kx``, ``lat = lat0 - y / ky``). The server never trusts the page: the
point goes through ``jiceng.geo.lookup`` like any other location.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from shapely.geometry import MultiPoint, shape

from jiceng.geo.models import Division
from jiceng.registry.models import Building

WIDTH = 360  # SVG user units; the page scales it to the screen's width
MARGIN = 0.06  # share of the community's extent shown around it


@dataclass
class Projection:
    """Equirectangular, with longitude shrunk by cos(latitude) so that shapes are not
    stretched (a degree of longitude is ~12% shorter than a degree of latitude here)."""

    lon0: float
    lat0: float
    kx: float
    ky: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx, (self.lat0 - lat) * self.ky

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self.lon0 + x / self.kx, self.lat0 - y / self.ky


def grids_of(community_code: str):
    return (
        Division.objects.within(community_code)
        .filter(level="grid", is_active=True)
        .only("code", "name", "boundary")
        .order_by("code")
    )


# Above this many buildings a community's map marks them without their names (too small to read
# on a phone, and the page stays light).
NAMED_BUILDINGS_MAX = 120
# The outline drawn around a compound's buildings, in degrees (about 25 m here).
COMPOUND_MARGIN = 0.00025


@dataclass
class RegisterPlace:
    """A compound of the register and its buildings' points and names."""

    name: str
    buildings: list[tuple[str, float, float]]


def register_places(community_code: str) -> list[RegisterPlace]:
    """The compounds and buildings of the register in this community that have a point (one
    query); buildings outside any compound form a nameless group."""
    rows = (
        Building.objects.within(community_code)
        .filter(lon__isnull=False, lat__isnull=False)
        .order_by("compound__name", "name")
        .values_list("compound__name", "name", "lon", "lat")
    )
    places: dict[str, RegisterPlace] = {}
    for compound, name, lon, lat in rows:
        key = compound or ""
        places.setdefault(key, RegisterPlace(key, [])).buildings.append((name, lon, lat))
    return list(places.values())


def pin_map(
    grids,
    *,
    pin: tuple[float, float] | None = None,
    testid: str = "pin-map",
    places: list[RegisterPlace] = (),
) -> str:
    """These grids (``grids_of`` a community) as an SVG to tap on, with the register's
    ``places`` drawn over them; ``pin`` (lon, lat) is drawn if given. Empty when no grid has a
    boundary (the page then offers the grid choice)."""
    shapes = [(g, shape(g.boundary)) for g in grids if g.boundary]
    shapes = [(g, s) for g, s in shapes if not s.is_empty]
    if not shapes:
        return ""
    minx, miny, maxx, maxy = _bounds([s for _, s in shapes])
    dx, dy = (maxx - minx) * MARGIN, (maxy - miny) * MARGIN
    minx, miny, maxx, maxy = minx - dx, miny - dy, maxx + dx, maxy + dy
    shrink = math.cos(math.radians((miny + maxy) / 2))
    kx = WIDTH / max(maxx - minx, 1e-9)
    ky = kx / shrink
    proj = Projection(lon0=minx, lat0=maxy, kx=kx, ky=ky)
    height = round((maxy - miny) * ky, 1)

    def path(geom) -> str:
        polygons = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        parts = []
        for polygon in polygons:
            points = [proj.xy(x, y) for x, y in polygon.exterior.coords]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z")
        return " ".join(parts)

    cells = format_html_join(
        "",
        '<path d="{}" data-code="{}" data-name="{}" class="pin-grid"><title>{}</title></path>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" pointer-events="none">{}</text>',
        (
            (
                path(s),
                g.code,
                g.name,
                g.name,
                f"{proj.xy(*s.representative_point().coords[0])[0]:.1f}",
                f"{proj.xy(*s.representative_point().coords[0])[1]:.1f}",
                int(g.code[12:]),
            )
            for g, s in shapes
        ),
    )
    overlay = _register_overlay(places, proj, path)
    marker = ""
    if pin is not None:
        x, y = proj.xy(*pin)
        marker = f"translate({x:.1f} {y:.1f})"
    return format_html(
        '<svg viewBox="0 0 {w} {h}" class="pin-map" data-testid="{testid}" role="img" '
        'aria-label="网格地图" data-lon0="{lon0}" data-lat0="{lat0}" data-kx="{kx}" '
        'data-ky="{ky}">{cells}{overlay}<g class="pin" visibility="{visibility}" transform="{marker}">'
        '<path d="M0,0 L-7,-14 A8,8 0 1 1 7,-14 Z" fill="#dc2626" stroke="#fff" '
        'stroke-width="1.5"/><circle cx="0" cy="-17" r="3" fill="#fff"/></g></svg>',
        w=WIDTH,
        h=height,
        testid=testid,
        lon0=repr(proj.lon0),
        lat0=repr(proj.lat0),
        kx=repr(proj.kx),
        ky=repr(proj.ky),
        cells=cells,
        overlay=overlay,
        visibility="visible" if pin else "hidden",
        marker=marker or "translate(0 0)",
    )


def _bounds(geoms) -> tuple[float, float, float, float]:
    xs0, ys0, xs1, ys1 = zip(*(g.bounds for g in geoms), strict=True)
    return min(xs0), min(ys0), max(xs1), max(ys1)


def _register_overlay(places: list[RegisterPlace], proj: Projection, path) -> str:
    """The compounds (an outline around their buildings and their name) and the buildings (a
    small square, named when there are few), drawn over the grids. They take no taps
    (``pointer-events: none``): a tap goes through to the grid under it and the point is where
    the finger was."""
    if not places:
        return ""
    named = sum(len(p.buildings) for p in places) <= NAMED_BUILDINGS_MAX
    outlines, labels, marks = [], [], []
    for place in places:
        points = MultiPoint([(lon, lat) for _, lon, lat in place.buildings])
        if place.name:
            outline = points.convex_hull.buffer(COMPOUND_MARGIN, quad_segs=2)
            outlines.append(format_html('<path d="{}" class="pin-compound"/>', path(outline)))
            x, y = proj.xy(*outline.representative_point().coords[0])
            labels.append(
                format_html(
                    '<text x="{}" y="{}" class="pin-compound-name">{}</text>',
                    f"{x:.1f}",
                    f"{y:.1f}",
                    place.name,
                )
            )
        for name, lon, lat in place.buildings:
            x, y = proj.xy(lon, lat)
            marks.append(
                format_html(
                    '<rect x="{}" y="{}" width="5" height="5" class="pin-building"/>{}',
                    f"{x - 2.5:.1f}",
                    f"{y - 2.5:.1f}",
                    format_html(
                        '<text x="{}" y="{}" class="pin-building-name">{}</text>',
                        f"{x + 4:.1f}",
                        f"{y + 2:.1f}",
                        name,
                    )
                    if named
                    else "",
                )
            )
    return format_html(
        '<g class="register" pointer-events="none" data-testid="register-layer">{}{}{}</g>',
        format_html_join("", "{}", ((o,) for o in outlines)),
        format_html_join("", "{}", ((m,) for m in marks)),
        format_html_join("", "{}", ((t,) for t in labels)),
    )
