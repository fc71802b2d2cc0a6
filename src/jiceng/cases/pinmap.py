"""A map to drop a pin on, drawn from our own grid polygons (no tile server, no network).

The resident's community is drawn as inline SVG with its grids; the page's script turns a tap
into longitude and latitude with the projection written on the ``<svg>`` element
(``lon = lon0 + x / kx``, ``lat = lat0 - y / ky``). The server never trusts the page: the
point goes through ``jiceng.geo.lookup`` like any other location.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from shapely.geometry import shape

from jiceng.geo.models import Division

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


def pin_map(grids, *, pin: tuple[float, float] | None = None, testid: str = "pin-map") -> str:
    """These grids (``grids_of`` a community) as an SVG to tap on; ``pin`` (lon, lat) is
    drawn if given. Empty when no grid has a boundary (the page then offers the grid choice)."""
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
    marker = ""
    if pin is not None:
        x, y = proj.xy(*pin)
        marker = f"translate({x:.1f} {y:.1f})"
    return format_html(
        '<svg viewBox="0 0 {w} {h}" class="pin-map" data-testid="{testid}" role="img" '
        'aria-label="网格地图" data-lon0="{lon0}" data-lat0="{lat0}" data-kx="{kx}" '
        'data-ky="{ky}">{cells}<g class="pin" visibility="{visibility}" transform="{marker}">'
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
        visibility="visible" if pin else "hidden",
        marker=marker or "translate(0 0)",
    )


def _bounds(geoms) -> tuple[float, float, float, float]:
    xs0, ys0, xs1, ys1 = zip(*(g.bounds for g in geoms), strict=True)
    return min(xs0), min(ys0), max(xs1), max(ys1)
