"""Writes on the division tree: the real demo district and synthetic city-scale districts.

Boundaries are generated: a district outline tiled into streets, each street into its
communities, each community into its grids (Voronoi cells of random seeds clipped to the parent,
smoothed by Lloyd's relaxation). Every cell is convex, so each level tiles its parent exactly.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import MultiPoint, Polygon, mapping

from jiceng.core.errors import UserError
from jiceng.geo.codes import parse_code, short_name  # noqa: F401 (re-exported)
from jiceng.geo.divisions import (
    DistrictData,
    community_kind,
    district_data,
    load_district,
    street_kind,  # noqa: F401 (re-exported)
)
from jiceng.geo.lookup import invalidate_grid_index
from jiceng.geo.models import Division, Kind, Level

# Approximate centre and half size (degrees) of the case studies' districts, for their
# generated outlines.
OUTLINES = {
    "360602": (117.05, 28.235, 0.065, 0.06),  # 月湖区, 鹰潭
    "330212": (121.55, 29.76, 0.16, 0.13),  # 鄞州区, 宁波
    "610822": (110.75, 39.20, 0.35, 0.30),  # 府谷县, 榆林
    "450204": (109.36, 24.28, 0.08, 0.07),  # 柳南区, 柳州
    "320213": (120.30, 31.57, 0.05, 0.045),  # 梁溪区, 无锡
}
CASE_STUDY_GRIDS = {"360602": 238}  # Yuehu's 2018 case study counts 238 grids
# Roughly the middle of each province, for the outline of any other district's demo.
PROVINCE_CENTRES = {
    "11": (116.4, 39.9), "12": (117.2, 39.1), "13": (114.5, 38.0), "14": (112.5, 37.9),
    "15": (111.7, 40.8), "21": (123.4, 41.8), "22": (125.3, 43.9), "23": (126.6, 45.8),
    "31": (121.5, 31.2), "32": (118.8, 32.1), "33": (120.2, 30.3), "34": (117.3, 31.9),
    "35": (119.3, 26.1), "36": (115.9, 28.7), "37": (117.0, 36.7), "41": (113.7, 34.8),
    "42": (114.3, 30.6), "43": (113.0, 28.2), "44": (113.3, 23.1), "45": (108.3, 22.8),
    "46": (110.3, 20.0), "50": (106.5, 29.6), "51": (104.1, 30.7), "52": (106.7, 26.6),
    "53": (102.7, 25.0), "54": (91.1, 29.7), "61": (108.9, 34.3), "62": (103.8, 36.1),
    "63": (101.8, 36.6), "64": (106.3, 38.5), "65": (87.6, 43.8),
}  # fmt: skip


def outline(
    lon: float, lat: float, half_width: float, half_height: float, sides: int = 10
) -> Polygon:
    """A convex outline around a centre, a little irregular so that it looks like a place."""
    rng = np.random.default_rng(int(lon * 1000 + lat * 1000))
    angles = np.linspace(0, 2 * math.pi, sides, endpoint=False)
    scale = 0.85 + 0.15 * rng.random(sides)
    points = [
        (lon + half_width * s * math.cos(a), lat + half_height * s * math.sin(a))
        for a, s in zip(angles, scale, strict=True)
    ]
    return MultiPoint(points).convex_hull


def _random_points(parent: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = parent.bounds
    found: list[np.ndarray] = []
    total = 0
    while total < n:
        xs = rng.uniform(minx, maxx, n * 3)
        ys = rng.uniform(miny, maxy, n * 3)
        inside = shapely.contains_xy(parent, xs, ys)
        chosen = np.column_stack([xs[inside], ys[inside]])
        found.append(chosen)
        total += len(chosen)
    return np.concatenate(found)[:n]


def tile(parent: Polygon, n: int, rng: np.random.Generator, relax: int = 2) -> list[Polygon]:
    """Cut a convex polygon into ``n`` convex cells that cover it exactly."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if n == 1:
        return [parent]
    seeds = _random_points(parent, n, rng)
    cells: list[Polygon] = []
    for round_ in range(relax + 1):
        regions = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=parent, ordered=True)
        cells = [cell.intersection(parent) for cell in regions.geoms]
        if round_ < relax:  # Lloyd's relaxation: move each seed to its cell's centroid
            seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    return [c for c in cells if isinstance(c, Polygon) and not c.is_empty]


def reading_order(cells: list[Polygon]) -> list[Polygon]:
    """Number cells west to east in rows from north to south (the local standard)."""
    per_row = max(1, math.ceil(math.sqrt(len(cells))))
    by_north = sorted(cells, key=lambda c: -c.centroid.y)
    ordered: list[Polygon] = []
    for start in range(0, len(by_north), per_row):
        ordered.extend(sorted(by_north[start : start + per_row], key=lambda c: c.centroid.x))
    return ordered


def _division(
    code: str, name: str, level: str, kind: str, parent: Division | None, shape: Polygon
) -> Division:
    centroid = shape.centroid
    return Division(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=parent,
        boundary=mapping(shape),
        centroid_lon=centroid.x,
        centroid_lat=centroid.y,
    )


def _bulk(divisions: list[Division]) -> list[Division]:
    created = Division.objects.bulk_create(divisions, batch_size=2000)
    if created and created[0].pk is None:
        ids = dict(
            Division.objects.filter(code__in=[d.code for d in created]).values_list("code", "pk")
        )
        for d in created:
            d.pk = ids[d.code]
    return created


def demo_grids_total(data: DistrictData) -> int:
    """How many grids the demo gives a district: Yuehu's case study counts 238 for its 94
    communities and villages; elsewhere one per village and about 2.8 per urban community."""
    if data.code in CASE_STUDY_GRIDS:
        return CASE_STUDY_GRIDS[data.code]
    urban = len(data.communities) - data.villages
    return len(data.communities) + round(1.8 * urban)


def _grid_counts(
    communities: list[tuple[str, str]], total: int, rng: np.random.Generator
) -> dict[str, int]:
    """Every unit gets a grid; urban communities share the rest (villages are one grid each)."""
    if total < len(communities):
        raise UserError(
            _("网格总数 {total} 少于社区和村的数量 {n}。").format(total=total, n=len(communities))
        )
    counts = {code: 1 for code, _name in communities}
    urban = [code for code, _name in communities if community_kind(code) == Kind.COMMUNITY]
    spare = total - len(communities)
    targets = urban or list(counts)
    for i in range(spare):
        counts[targets[i % len(targets)]] += 1
    return counts


def _outline_of(data: DistrictData) -> Polygon:
    if data.code in OUTLINES:
        lon, lat, hw, hh = OUTLINES[data.code]
    else:  # any other district: near its province's centre, sized by its number of places
        lon, lat = PROVINCE_CENTRES.get(data.code[:2], (113.0, 32.0))
        lon += (int(data.code[2:4]) % 7 - 3) * 0.15
        lat += (int(data.code[4:6]) % 7 - 3) * 0.12
        hw = hh = 0.0067 * math.sqrt(max(len(data.communities), 4))
    return outline(lon, lat, hw, hh)


@transaction.atomic
def load_real_district(
    *, code: str = "360602", grids_total: int | None = None, seed: int = 1
) -> Division:
    """A real district from the shipped division data (the same loader as ``jiceng setup``),
    with generated boundaries for it, its streets and communities, and generated grids (the
    demo). Idempotent: a district that exists is returned as it is.
    """
    code = parse_code(code)
    if len(code) != 6:
        raise UserError(_("“{code}”不是区县级代码（应为 6 位）。").format(code=code), field="code")
    existing = Division.objects.filter(code=code).first()
    if existing is not None:
        return existing
    data = district_data(code)
    if not data.streets or not data.communities:
        raise UserError(
            _("区县 {code} 在区划数据中没有街道或社区。").format(code=code), field="code"
        )
    rng = np.random.default_rng(seed)
    grid_counts = _grid_counts(
        list(data.communities),
        demo_grids_total(data) if grids_total is None else grids_total,
        rng,
    )
    district_shape = _outline_of(data)
    shapes: dict[str, object] = {code: district_shape}
    # Streets in reading order; each street's communities tile its cell.
    street_cells = reading_order(tile(district_shape, len(data.streets), rng))
    for (street_code, _name), cell in zip(data.streets, street_cells, strict=True):
        shapes[street_code] = cell
        members = [c for c, _n in data.communities if c.startswith(street_code)]
        if members:
            for member, sub in zip(
                members, reading_order(tile(cell, len(members), rng)), strict=True
            ):
                shapes[member] = sub
    loaded = load_district(data, shapes=shapes)
    communities = list(
        Division.objects.filter(level=Level.COMMUNITY, code__startswith=code).order_by("code")
    )
    _bulk(_grids_for(communities, shapes, grid_counts, rng))
    invalidate_grid_index()
    return loaded.district


def _grids_for(
    communities: list[Division],
    shapes: dict[str, Polygon],
    counts: dict[str, int],
    rng: np.random.Generator,
) -> list[Division]:
    grids = []
    for community in communities:
        cells = reading_order(tile(shapes[community.code], counts[community.code], rng))
        for number, cell in enumerate(cells, start=1):
            grids.append(
                _division(
                    f"{community.code}{number:03d}",
                    f"{community.name}第{number}网格",
                    Level.GRID,
                    Kind.GRID,
                    community,
                    cell,
                )
            )
    return grids


# The code of the benchmarks' synthetic district (`jiceng generate`): no real district has
# province 99. The generators of every app default to it.
SYNTHETIC_DISTRICT = "990101"


@transaction.atomic
def build_synthetic_district(
    *,
    code: str,
    name: str,
    streets: int = 10,
    communities_per_street: int = 10,
    grids_per_community: int = 10,
    seed: int = 1,
) -> Division:
    """A synthetic district of the given size with generated names and boundaries (benchmarks)."""
    code = parse_code(code)
    if len(code) != 6:
        raise UserError(_("“{code}”不是区县级代码（应为 6 位）。").format(code=code), field="code")
    if Division.objects.filter(code=code).exists():
        raise UserError(_("区划 {code} 已存在。").format(code=code), field="code")
    if not (
        1 <= streets <= 99
        and 1 <= communities_per_street <= 199
        and 1 <= grids_per_community <= 999
    ):
        raise UserError(_("规模超出编码范围：街道 1–99，每街道社区 1–199，每社区网格 1–999。"))
    rng = np.random.default_rng(seed)
    side = 0.02 * math.sqrt(streets * communities_per_street)
    district_shape = outline(116.5, 28.5, side, side * 0.9, sides=12)
    district = _division(code, name, Level.DISTRICT, Kind.DISTRICT, None, district_shape)
    district.save()
    street_cells = reading_order(tile(district_shape, streets, rng, relax=3))
    street_objs = _bulk(
        [
            _division(f"{code}{i:03d}", f"第{i}街道", Level.STREET, Kind.STREET, district, shape)
            for i, shape in enumerate(street_cells, start=1)
        ]
    )
    community_objs, shapes = [], {}
    for street, shape in zip(street_objs, street_cells, strict=True):
        cells = reading_order(tile(shape, communities_per_street, rng))
        for i, cell in enumerate(cells, start=1):
            c = _division(
                f"{street.code}{i:03d}",
                f"{street.name}第{i}社区",
                Level.COMMUNITY,
                Kind.COMMUNITY,
                street,
                cell,
            )
            community_objs.append(c)
            shapes[c.code] = cell
    community_objs = _bulk(community_objs)
    counts = {c.code: grids_per_community for c in community_objs}
    _bulk(_grids_for(community_objs, shapes, counts, rng))
    invalidate_grid_index()
    return district
