"""The map (一张图, 七彩地图): a place's children coloured by an indicator read from the snapshots,
with colour classes fixed for the indicator and period across every level (so a colour means the
same for a street, a community and a grid), the apps' point layers (core.registry.map_layers) and
the demonstration sites by domain colour; as GeoJSON (the API) and as an inline SVG (the pages
and the big screen: no map library, no tile server, light on a phone)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from shapely.geometry import shape

from jiceng.core.errors import NotFound, UserError
from jiceng.core.registry import COUNT, RATE, Indicator, indicator, indicators, map_layers
from jiceng.core.scope import covers, level_of
from jiceng.dashboard import snapshots
from jiceng.dashboard.models import DOMAIN_COLOURS, DemoSite, SiteDomain, Snapshot
from jiceng.geo.models import Division

DEFAULT_INDICATOR = "cases.closure_rate"
# From "needs attention" to "good": the same five colours for every indicator and level.
PALETTE = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"]
NO_DATA = "#e5e7eb"
# Rates: fixed bands of the share, whatever the period and the place.
RATE_BREAKS = [0.2, 0.4, 0.6, 0.8]
MAP_ROLES = ("community_worker", "community_secretary", "street_staff", "district_staff")


@dataclass
class Classes:
    """Four breaks make five classes; ``colour(v)`` follows ``higher_is_better``."""

    breaks: list[float]
    higher_is_better: bool = True
    kind: str = COUNT

    def index(self, value: float | None) -> int | None:
        if value is None:
            return None
        i = sum(1 for b in self.breaks if value >= b)
        return i if self.higher_is_better else len(self.breaks) - i

    def colour(self, value: float | None) -> str:
        i = self.index(value)
        return NO_DATA if i is None else PALETTE[min(i, len(PALETTE) - 1)]

    def legend(self) -> list[dict[str, str]]:
        def fmt(v: float) -> str:
            return f"{v * 100:.0f}%" if self.kind == RATE else f"{v:g}"

        edges = [None, *self.breaks, None]
        rows = []
        for i in range(len(edges) - 1):
            lo, hi = edges[i], edges[i + 1]
            if lo is None:
                label = _("低于 {v}").format(v=fmt(hi))
            elif hi is None:
                label = _("{v} 及以上").format(v=fmt(lo))
            else:
                label = f"{fmt(lo)} – {fmt(hi)}"
            colour = PALETTE[i if self.higher_is_better else len(PALETTE) - 1 - i]
            rows.append({"label": label, "colour": colour})
        return rows


def classes_for(ind: Indicator, period_kind: str, start: date) -> Classes:
    """Rates: fixed bands. Counts: the quintile breaks of the indicator over every place of
    every level for the period (one query), so that the same number has the same colour at
    every level."""
    if ind.kind == RATE:
        return Classes(RATE_BREAKS, ind.higher_is_better, RATE)
    numbers = sorted(
        Snapshot.objects.filter(
            indicator=ind.key, period_kind=period_kind, period_start=start
        ).values_list("numerator", flat=True)
    )
    if not numbers:
        return Classes([1, 2, 3, 4], ind.higher_is_better, COUNT)
    breaks: list[float] = []
    for q in (0.2, 0.4, 0.6, 0.8):
        v = numbers[min(len(numbers) - 1, int(q * len(numbers)))]
        v = float(round(v, 1))
        if v <= 0:
            v = 1.0
        breaks.append(max(v, breaks[-1] + 1) if breaks else v)
    return Classes(breaks, ind.higher_is_better, COUNT)


# --- what a request names --------------------------------------------------------------------


def indicator_or_error(key: str | None) -> Indicator:
    found = indicator(key or DEFAULT_INDICATOR)
    if found is None and not key:
        found = next(iter(indicators()), None)
    if found is None:
        raise UserError(_("没有这个指标：{key}").format(key=key), field="indicator")
    return found


def period_or_error(
    kind: str | None, start: str | None, code: str, key: str | None = None
) -> tuple[str, date | None]:
    """The period asked for, or the newest in which the indicator ``key`` has a value at
    ``code``."""
    kind = kind or snapshots.MONTH
    if kind not in (snapshots.MONTH, snapshots.YEAR, snapshots.DAY):
        raise UserError(_("周期只能是日、月或年。"), field="period")
    if start:
        try:
            day = date.fromisoformat(start)
        except ValueError:
            raise UserError(_("日期格式不对：{v}").format(v=start), field="start") from None
        if not 1900 <= day.year <= 2100:
            raise UserError(_("日期超出范围：{v}").format(v=start), field="start")
        return kind, snapshots.period_start(kind, day)
    return kind, snapshots.latest_start(kind, code, key)


def place_for(user, code: str | None) -> Division:
    """The place the viewer names (or the top of their own scope), through what they see."""
    scopes = user.scopes_for(*MAP_ROLES)
    if not code:
        if not scopes:
            raise NotFound(_("您没有可查看的区划。"))
        code = min(scopes, key=len)
    if not code.isdigit() or level_of(code) is None or not covers(scopes, code):
        raise NotFound(_("区划 {code} 不存在，或不在您的管辖范围内。").format(code=code))
    place = Division.objects.filter(code=code, is_active=True).first()
    if place is None:
        raise NotFound(_("区划 {code} 不存在，或不在您的管辖范围内。").format(code=code))
    return place


# --- the map's content -----------------------------------------------------------------------


@dataclass
class MapData:
    place: Division
    indicator: Indicator
    period_kind: str
    period_start: date | None
    classes: Classes
    areas: list[dict[str, Any]]
    points: list[dict[str, Any]] = field(default_factory=list)
    layers: list[dict[str, Any]] = field(default_factory=list)

    def feature_collection(self) -> dict:
        return {
            "type": "FeatureCollection",
            "properties": {
                "place": self.place.code,
                "indicator": self.indicator.key,
                "kind": self.indicator.kind,
                "period_kind": self.period_kind,
                "period_start": self.period_start.isoformat() if self.period_start else None,
                "legend": self.classes.legend(),
            },
            "features": [
                {
                    "type": "Feature",
                    "id": a["code"],
                    "geometry": a["geometry"],
                    "properties": {k: v for k, v in a.items() if k not in ("geometry", "shape")},
                }
                for a in self.areas
            ],
        }


def map_data(
    place: Division,
    ind: Indicator,
    period_kind: str,
    start: date | None,
    *,
    with_points: bool = True,
) -> MapData:
    """The place's children (the place itself when it has none) with the indicator's stored
    values and colours, and the points of every layer inside it."""
    children = list(
        Division.objects.filter(parent=place, is_active=True)
        .only("code", "name", "level", "boundary", "centroid_lon", "centroid_lat")
        .order_by("code")
    )
    shown = children or [place]
    stored = snapshots.values(ind.key, [d.code for d in shown], period_kind, start) if start else {}
    classes = classes_for(ind, period_kind, start) if start else Classes(RATE_BREAKS)
    areas = []
    for d in shown:
        v = stored.get(d.code)
        value = v.value if v is not None else None
        areas.append(
            {
                "code": d.code,
                "name": d.name,
                "level": d.level,
                "value": value,
                "numerator": v.numerator if v is not None else None,
                "denominator": v.denominator if v is not None else None,
                "colour": classes.colour(value),
                "class": classes.index(value),
                "drill": bool(children) and d.level != "grid",
                "geometry": d.boundary,
                "lon": d.centroid_lon,
                "lat": d.centroid_lat,
            }
        )
    data = MapData(place, ind, period_kind, start, classes, areas)
    if with_points:
        _add_points(data, shown)
    return data


def _jitter(key: str, n: int) -> tuple[float, float]:
    """A small fixed offset so that points of one place do not sit on each other."""
    h = (sum(ord(c) * (i + 7) for i, c in enumerate(key)) + n * 37) % 360
    r = 0.0012 + (n % 4) * 0.0006
    return r * math.cos(math.radians(h)), r * math.sin(math.radians(h))


def _add_points(data: MapData, shown: list[Division]) -> None:
    centres = {d.code: (d.centroid_lon, d.centroid_lat) for d in shown}
    if data.place.centroid_lon is not None:
        centres.setdefault(data.place.code, (data.place.centroid_lon, data.place.centroid_lat))
    missing: set[str] = set()
    pending: list[tuple[str, str, str, str, str, float | None, float | None, str]] = []
    for layer in map_layers():
        data.layers.append({"key": layer.key, "label": str(layer.label), "colour": layer.colour})
        for p in layer.points(data.place.code):
            pending.append(
                (layer.key, layer.colour, p.name, p.url, p.scope_code, p.lon, p.lat, p.key)
            )
    sites = DemoSite.objects.within(data.place.code).filter(is_active=True)
    domains = dict(SiteDomain.choices)
    for s in sites.values_list("pk", "name", "domain", "scope_code", "lon", "lat"):
        pk, name, domain, scope, lon, lat = s
        pending.append(
            (
                f"site:{domain}",
                DOMAIN_COLOURS.get(domain, "#6b7280"),
                name,
                reverse("sites:detail", args=[pk]),
                scope,
                lon,
                lat,
                str(pk),
            )
        )
    for domain, label in domains.items():
        data.layers.append(
            {
                "key": f"site:{domain}",
                "label": _("示范点·{d}").format(d=label),
                "colour": DOMAIN_COLOURS[domain],
                "site": True,
            }
        )
    for *_rest, scope, lon, _lat, _key in pending:
        if lon is None and scope not in centres:
            missing.add(scope)
    if missing:
        for code, lon, lat in Division.objects.filter(code__in=missing).values_list(
            "code", "centroid_lon", "centroid_lat"
        ):
            centres[code] = (lon, lat)
    counter: dict[str, int] = {}
    for layer_key, colour, name, url, scope, lon, lat, key in pending:
        if lon is None or lat is None:
            base = centres.get(scope)
            if base is None or base[0] is None:
                continue
            n = counter.get(scope, 0)
            counter[scope] = n + 1
            dx, dy = _jitter(layer_key + key, n)
            lon, lat = base[0] + dx, base[1] + dy
        data.points.append(
            {"layer": layer_key, "colour": colour, "name": name, "url": url, "lon": lon, "lat": lat}
        )


# --- drawing ---------------------------------------------------------------------------------


def _rings(geom) -> list:
    if geom.geom_type == "Polygon":
        return [geom.exterior]
    if geom.geom_type == "MultiPolygon":
        return [g.exterior for g in geom.geoms]
    return []


def svg(data: MapData, *, width: int = 800, link=None, dark: bool = False) -> str:
    """The map as an inline SVG: each area a link to drill down (``link(code)``), coloured by
    its class, labelled with its name and value; the points on top with their names as titles."""
    shapes = [(a, shape(a["geometry"])) for a in data.areas if a["geometry"]]
    if not shapes:
        return ""
    xs0, ys0, xs1, ys1 = zip(*(s.bounds for _a, s in shapes), strict=True)
    minx, miny, maxx, maxy = min(xs0), min(ys0), max(xs1), max(ys1)
    k = math.cos(math.radians((miny + maxy) / 2))  # metres east per degree, relative
    scale = width / max((maxx - minx) * k, 1e-9)
    height = max(int((maxy - miny) * scale) + 1, 1)

    def xy(x: float, y: float) -> tuple[str, str]:
        return f"{(x - minx) * k * scale:.1f}", f"{(maxy - y) * scale:.1f}"

    def path(geom) -> str:
        return " ".join(
            "M" + " L".join(",".join(xy(x, y)) for x, y in ring.coords) + " Z"
            for ring in _rings(geom)
        )

    stroke = "#0f172a" if dark else "#ffffff"
    text = "#f8fafc" if dark else "#1f2937"
    font = max(12, min(26, width // 34))
    parts = []
    for a, s in shapes:
        value = _fmt_value(data.indicator, a["value"])
        title = f"{a['name']}：{value}"
        p = s.representative_point()
        tx, ty = xy(p.x, p.y)
        inner = format_html(
            '<path d="{}" fill="{}" stroke="{}" stroke-width="1.5" data-code="{}" data-colour="{}">'
            "<title>{}</title></path>"
            '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}" class="map-label">{}</text>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}" class="map-value">{}</text>',
            path(s),
            a["colour"],
            stroke,
            a["code"],
            a["colour"],
            title,
            tx,
            ty,
            font,
            text,
            _short(a),
            tx,
            f"{float(ty) + font * 1.15:.1f}",
            int(font * 0.9),
            text,
            value,
        )
        if a["drill"] and link is not None:
            inner = format_html(
                '<a href="{}" data-testid="area-{}" class="map-area">{}</a>',
                link(a["code"]),
                a["code"],
                inner,
            )
        else:
            inner = format_html(
                '<g data-testid="area-{}" class="map-area">{}</g>', a["code"], inner
            )
        parts.append(inner)
    r = max(3, width // 220)
    dots = format_html_join(
        "",
        '<a href="{}" class="map-point" data-layer="{}"><circle cx="{}" cy="{}" r="{}" fill="{}" '
        'stroke="{}" stroke-width="1.5"><title>{}</title></circle></a>',
        (
            (
                pt["url"] or "#",
                pt["layer"],
                *xy(pt["lon"], pt["lat"]),
                r + (3 if pt["layer"].startswith("site:") else 0),
                pt["colour"],
                stroke,
                pt["name"],
            )
            for pt in data.points
            if minx <= pt["lon"] <= maxx and miny <= pt["lat"] <= maxy
        ),
    )
    return format_html(
        '<svg viewBox="0 0 {} {}" class="map-svg" role="img" aria-label="{}" data-testid="map-svg">'
        "{}{}</svg>",
        width,
        height,
        _("地图"),
        format_html_join("", "{}", ((p,) for p in parts)),
        dots,
    )


def _short(area: dict) -> str:
    if area["level"] == "grid":
        return str(int(area["code"][12:]))
    return area["name"]


def _fmt_value(ind: Indicator, value: float | None) -> str:
    if value is None:
        return "—"
    if ind.kind == RATE:
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


fmt_value = _fmt_value
