"""Writes on the division tree: the real demo district and synthetic city-scale districts.

Boundaries are generated: a district outline tiled into streets, each street into its
communities, each community into its grids (Voronoi cells of random seeds clipped to the parent,
smoothed by Lloyd's relaxation). Every cell is convex, so each level tiles its parent exactly.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import MultiPoint, Polygon, mapping

from jiceng.core.errors import UserError
from jiceng.geo.codes import parse_code
from jiceng.geo.lookup import invalidate_grid_index
from jiceng.geo.models import Division, Kind, Level

DATA_DIR = Path(__file__).resolve().parent / "data"
# Approximate centre and size of each bundled district, for its generated outline.
OUTLINES = {"360602": (117.05, 28.235, 0.065, 0.06)}
SUFFIXES = re.compile(r"(社区居民委员会|居民委员会|居委会|村民委员会|村委会)$")


def short_name(name: str) -> str:
    """公园社区居民委员会 -> 公园社区; 童家村村民委员会 -> 童家村."""
    stripped = SUFFIXES.sub("", name)
    if name.endswith(("社区居民委员会",)):
        return stripped + "社区"
    if name.endswith(("居民委员会", "居委会")):
        return stripped if stripped.endswith("社区") else stripped + "社区"
    if name.endswith(("村民委员会", "村委会")):
        return stripped if stripped.endswith("村") else stripped + "村"
    return stripped


def street_kind(code: str) -> str:
    number = int(code[6:9])
    return Kind.STREET if number < 100 else Kind.TOWN if number < 200 else Kind.TOWNSHIP


def community_kind(code: str) -> str:
    return Kind.COMMUNITY if int(code[9:12]) < 200 else Kind.VILLAGE


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


def _read_bundled(code: str) -> list[dict[str, str]]:
    path = DATA_DIR / f"{code}.csv"
    if not path.exists():
        known = "、".join(sorted(p.stem for p in DATA_DIR.glob("*.csv")))
        raise UserError(
            _("没有区划代码 {code} 的数据（已内置：{known}）。").format(code=code, known=known),
            field="code",
        )
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _grid_counts(
    communities: list[dict[str, str]], total: int, rng: np.random.Generator
) -> dict[str, int]:
    """Every unit gets a grid; urban communities share the rest (villages are one grid each)."""
    if total < len(communities):
        raise UserError(
            _("网格总数 {total} 少于社区和村的数量 {n}。").format(total=total, n=len(communities))
        )
    counts = {c["code"]: 1 for c in communities}
    urban = [c["code"] for c in communities if community_kind(c["code"]) == Kind.COMMUNITY]
    spare = total - len(communities)
    targets = urban or list(counts)
    for i in range(spare):
        counts[targets[i % len(targets)]] += 1
    return counts


@transaction.atomic
def load_real_district(*, code: str = "360602", grids_total: int = 238, seed: int = 1) -> Division:
    """The bundled real district with its streets and communities, and generated grids.

    Idempotent: a district that exists is returned as it is.
    """
    code = parse_code(code)
    if len(code) != 6:
        raise UserError(_("“{code}”不是区县级代码（应为 6 位）。").format(code=code), field="code")
    existing = Division.objects.filter(code=code).first()
    if existing is not None:
        return existing
    rows = _read_bundled(code)
    district_row = next(r for r in rows if r["code"] == code)
    streets = [r for r in rows if len(r["code"]) == 9]
    communities = [r for r in rows if len(r["code"]) == 12]
    rng = np.random.default_rng(seed)
    lon, lat, hw, hh = OUTLINES.get(code, (117.0, 28.0, 0.06, 0.06))
    district_shape = outline(lon, lat, hw, hh)
    district = _division(
        code, district_row["name"], Level.DISTRICT, Kind.DISTRICT, None, district_shape
    )
    district.save()

    # Streets get room in proportion to how many communities they hold.
    street_cells = reading_order(tile(district_shape, len(streets), rng))
    street_objs = _bulk(
        [
            _division(r["code"], r["name"], Level.STREET, street_kind(r["code"]), district, shape)
            for r, shape in zip(streets, street_cells, strict=True)
        ]
    )
    grid_counts = _grid_counts(communities, grids_total, rng)
    community_objs: list[Division] = []
    community_shapes: dict[str, Polygon] = {}
    for street, shape in zip(street_objs, street_cells, strict=True):
        members = [r for r in communities if r["parent"] == street.code]
        if not members:
            continue
        for r, cell in zip(members, reading_order(tile(shape, len(members), rng)), strict=True):
            obj = _division(
                r["code"],
                short_name(r["name"]),
                Level.COMMUNITY,
                community_kind(r["code"]),
                street,
                cell,
            )
            community_objs.append(obj)
            community_shapes[r["code"]] = cell
    community_objs = _bulk(community_objs)
    _bulk(_grids_for(community_objs, community_shapes, grid_counts, rng))
    invalidate_grid_index()
    return district


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
