"""Divisions drawn as an inline SVG map (server-side; no map library on the page)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from shapely.geometry import shape

PALETTE = ["#fde2e2", "#fef3c7", "#dcfce7", "#dbeafe", "#ede9fe", "#fce7f3", "#e0f2fe", "#f5f5f4"]


def division_map(divisions, width: int = 640, *, linked: bool = True, marked=()) -> str:
    """The divisions on a map; ``linked``: each a link to its page (off for a preview of places
    not yet written); ``marked``: codes drawn in red (places with errors)."""
    shapes = [(d, shape(d.boundary)) for d in divisions if d.boundary]
    if not shapes:
        return ""
    xs0, ys0, xs1, ys1 = zip(*(s.bounds for _, s in shapes), strict=True)
    minx, miny, maxx, maxy = min(xs0), min(ys0), max(xs1), max(ys1)
    scale = width / max(maxx - minx, 1e-9)
    height = int((maxy - miny) * scale) + 1

    def path(geom) -> str:
        pts = [
            f"{(x - minx) * scale:.1f},{(maxy - y) * scale:.1f}" for x, y in geom.exterior.coords
        ]
        return "M" + " L".join(pts) + " Z"

    marked = set(marked)
    items = format_html_join(
        "",
        '<a href="{}"><path d="{}" fill="{}" stroke="#9f1239" stroke-width="1" data-code="{}">'
        '<title>{}</title></path><text x="{}" y="{}" text-anchor="middle" font-size="13" '
        'fill="#4c0519">{}</text></a>',
        (
            (
                reverse("geo:division", args=[d.code]) if linked else "#" + d.code,
                path(s),
                "#f87171" if d.code in marked else PALETTE[i % len(PALETTE)],
                d.code,
                f"{d.name} {d.code}",
                f"{(s.representative_point().x - minx) * scale:.1f}",
                f"{(maxy - s.representative_point().y) * scale:.1f}",
                _label(d),
            )
            for i, (d, s) in enumerate(shapes)
            if s.geom_type == "Polygon"
        ),
    )
    return format_html(
        '<svg viewBox="0 0 {} {}" role="img" aria-label="地图">{}</svg>', width, height, items
    )


def _label(division) -> str:
    """The grid number for grids, the name for everything else."""
    return str(int(division.code[12:])) if division.level == "grid" else division.name
