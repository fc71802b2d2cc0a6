"""Places from a district's GIS: grid boundaries (and street and community boundaries where the
file has them) read from GeoJSON or a zipped Shapefile, converted to WGS-84 from the declared
coordinate system, checked whole, and only then written.

Reading (``read_file``): a GeoJSON FeatureCollection, or a .zip holding one Shapefile (.shp,
.shx, .dbf; .cpg names the text encoding, GBK when absent, as Chinese GIS software writes it),
read by pyshp, a pure-Python reader. Each feature is a row of the report, numbered from 1.

Checking (``check``), before anything is written; every problem one row of the report:
- the geometry is a polygon, in longitude/latitude (not projected metres), valid;
- the code is well formed (``codes.parse_code``) and belongs to the district; a street or a
  community must already exist (``jiceng setup`` loads them), a grid's community too; a grid
  without a code is matched to the community it lies in and numbered after the last one;
- the file lies in the district: when most of it falls outside what is known of the district
  (its boundary, or its places' boundaries), the file is refused whole — the usual cause is a
  wrong coordinate system;
- every grid lies inside its community (and every community inside its street) but for
  ``TOLERANCE`` of its area; grids overlapping by more than that are refused; a community left
  uncovered by more than that is reported as a warning (a gap is allowed, a point in it is
  "in no grid").

Writing (``apply``): new grids inserted in bulk (``core.bulk.bulk_insert``), changed boundaries
updated, unchanged ones left alone, so that importing the same file again changes nothing.
"""

from __future__ import annotations

import io
import json
import math
import struct
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapefile
import shapely
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely import STRtree
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from jiceng.core.bulk import LineError, Tally, bulk_insert
from jiceng.core.errors import UserError
from jiceng.geo import coords
from jiceng.geo.codes import parse_code
from jiceng.geo.lookup import invalidate_grid_index
from jiceng.geo.models import CODE_LENGTH, Division, Kind, Level

MAX_BYTES = 50 * 1024 * 1024
MAX_FEATURES = 20_000
MAX_UNPACKED = 200 * 1024 * 1024
# The share of a grid's area that may lie outside its community, or over a neighbour, and the
# share of a community that may stay uncovered, before it is reported: 1 % (digitising slack).
TOLERANCE = getattr(settings, "JICENG_GIS_TOLERANCE", 0.01)
# A file is refused whole when more than half of its places lie this far outside the district.
OUTSIDE_MARGIN = 0.01  # degrees, about 1 km
DIGITS = 7  # coordinates kept to 1e-7 degree, about 1 cm

CODE_KEYS = ("code", "CODE", "Code", "编码", "代码", "区划代码", "网格编码", "网格代码", "WGBM")
NAME_KEYS = ("name", "NAME", "Name", "名称", "网格名称", "WGMC")
LEVEL_LABEL = {Level.STREET: "街道", Level.COMMUNITY: "社区", Level.GRID: "网格"}


@dataclass
class Place:
    """One checked feature, in WGS-84, ready to write."""

    row: int
    code: str
    name: str
    level: str
    parent: str  # the enclosing division's code
    geom: Any  # shapely Polygon / MultiPolygon


@dataclass
class Checked:
    places: list[Place] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    warnings: list[LineError] = field(default_factory=list)
    features: int = 0

    @property
    def failed_rows(self) -> set[int]:
        return {e.row for e in self.errors}

    def good(self) -> list[Place]:
        bad = self.failed_rows
        return [p for p in self.places if p.row not in bad]


# --- reading ------------------------------------------------------------------------------------


def _refuse_format() -> UserError:
    return UserError(
        _("无法读取该文件：请上传 GeoJSON（.geojson/.json）或打包成 .zip 的 Shapefile。"),
        field="file",
    )


def read_file(data: bytes, file_name: str) -> list[tuple[dict, dict | None]]:
    """(properties, GeoJSON geometry) of each feature, in the file's order."""
    if len(data) > MAX_BYTES:
        raise UserError(_("文件超过 50 MB。"), field="file")
    if not data:
        raise _refuse_format()
    features = _read_shapefile(data) if data[:2] == b"PK" else _read_geojson(data)
    if not features:
        raise UserError(_("文件中没有任何图形。"), field="file")
    if len(features) > MAX_FEATURES:
        raise UserError(
            _("文件中图形超过 {n} 个，请拆分后导入。").format(n=MAX_FEATURES), field="file"
        )
    return features


def _read_geojson(data: bytes) -> list[tuple[dict, dict | None]]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _refuse_format() from exc
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise _refuse_format()
    crs = ((doc.get("crs") or {}).get("properties") or {}).get("name", "")
    if crs and not any(k in str(crs) for k in ("4326", "4490", "CRS84")):
        raise UserError(
            _(
                "文件声明的坐标参考系是 {crs}，不是经纬度；请在 GIS 软件中导出为 "
                "WGS-84 或 CGCS2000 经纬度（EPSG:4326 / 4490）后再导入。"
            ).format(crs=str(crs)[:60]),
            field="file",
        )
    out = []
    for feature in doc.get("features") or []:
        if not isinstance(feature, dict):
            continue
        props = feature.get("properties") or {}
        out.append((props if isinstance(props, dict) else {}, feature.get("geometry")))
    return out


def _read_shapefile(data: bytes) -> list[tuple[dict, dict | None]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _refuse_format() from exc
    if sum(i.file_size for i in infos) > MAX_UNPACKED or len(infos) > 1000:
        raise UserError(_("压缩包解压后过大。"), field="file")
    by_ext: dict[str, str] = {}
    for info in infos:
        name = info.filename
        if "__MACOSX" in name or name.endswith("/"):
            continue
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        by_ext.setdefault(ext, name)
    if "shp" not in by_ext or "dbf" not in by_ext:
        raise UserError(
            _("压缩包中没有完整的 Shapefile（至少需要 .shp 和 .dbf 文件）。"), field="file"
        )
    prj = archive.read(by_ext["prj"]).decode("latin-1") if "prj" in by_ext else ""
    if prj and "PROJCS" in prj.upper():
        raise UserError(
            _(
                "Shapefile 是投影坐标（.prj 为 PROJCS），不是经纬度；请在 GIS 软件中导出为 "
                "WGS-84 或 CGCS2000 经纬度后再导入。"
            ),
            field="file",
        )
    encoding = "gbk"
    if "cpg" in by_ext:
        encoding = archive.read(by_ext["cpg"]).decode("latin-1").strip() or "gbk"
    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(archive.read(by_ext["shp"])),
            shx=io.BytesIO(archive.read(by_ext["shx"])) if "shx" in by_ext else None,
            dbf=io.BytesIO(archive.read(by_ext["dbf"])),
            encoding=encoding,
            encodingErrors="replace",
        )
        names = [f[0] for f in reader.fields[1:]]
        out = []
        for record in reader.iterShapeRecords():
            geometry = record.shape.__geo_interface__ if record.shape.points else None
            out.append((dict(zip(names, list(record.record), strict=False)), geometry))
        return out
    except (shapefile.ShapefileException, LookupError, ValueError, struct.error) as exc:
        raise _refuse_format() from exc


# --- checking -----------------------------------------------------------------------------------


def _prop(props: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = props.get(key)
        if value not in (None, ""):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value).strip()
    return ""


def _to_wgs84(geom, system: str):
    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = coords.to_wgs84(system, xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), DIGITS)

    return shapely.transform(geom, convert)


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "100%"


def _reference(district: Division, codes_in_file: set[str]):
    """What is known of the district's extent: its boundary, or its places' boundaries."""
    if district.boundary:
        return shape(district.boundary)
    known = [
        shape(b)
        for b in Division.objects.filter(code__startswith=district.code, boundary__isnull=False)
        .exclude(code__in=codes_in_file)
        .values_list("boundary", flat=True)
        if b
    ]
    return unary_union(known) if known else None


def check(*, district: Division, features: list[tuple[dict, dict | None]], system: str) -> Checked:
    """Every feature checked against the district and each other; nothing is written."""
    if system not in coords.System.values:
        raise UserError(_("请选择文件的坐标系。"), field="system")
    out = Checked(features=len(features))

    def bad(row: int, code: str, name: str, reason: str, warning: bool = False) -> None:
        (out.warnings if warning else out.errors).append(
            LineError(row, code or _("（无编码）"), reason, name)
        )

    # 1. each feature on its own: geometry, coordinates, code
    seen: dict[str, int] = {}
    read: list[Place] = []
    for row, (props, geometry) in enumerate(features, start=1):
        code, name = _prop(props, CODE_KEYS), _prop(props, NAME_KEYS)[:100]
        try:
            geom = shape(geometry) if geometry else None
        except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException):
            geom = None
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            bad(row, code, name, _("不是面（多边形），无法作为边界。"))
            continue
        xy = shapely.get_coordinates(geom)
        if not np.isfinite(xy).all() or not (
            (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()
        ):
            bad(row, code, name, _("坐标不是经纬度（可能是以米为单位的投影坐标）。"))
            continue
        geom = _to_wgs84(geom, system)
        if not geom.is_valid:
            bad(row, code, name, _("边界无效（{why}）。").format(why=shapely.is_valid_reason(geom)))
            continue
        level = Level.GRID
        if code:
            try:
                code = parse_code(code)
            except UserError as exc:
                bad(row, code, name, exc.message)
                continue
            level = {9: Level.STREET, 12: Level.COMMUNITY, 15: Level.GRID}.get(len(code), "")
            if not code.startswith(district.code) or not level:
                bad(
                    row,
                    code,
                    name,
                    _("不是本区（{district}）的街道、社区或网格编码。").format(
                        district=district.code
                    ),
                )
                continue
            if code in seen:
                bad(row, code, name, _("与第 {row} 个图形的编码重复。").format(row=seen[code]))
                continue
            seen[code] = row
        read.append(Place(row, code, name, level, "", geom))

    # 2. the file as a whole lies in the district (or the coordinate system is wrong)
    reference = _reference(district, set(seen))
    if read:
        points = shapely.points([p.geom.representative_point().coords[0] for p in read])
        if reference is not None:
            near = shapely.prepared.prep(reference.buffer(OUTSIDE_MARGIN))
            outside = sum(1 for pt in points if not near.contains(pt))
        else:
            bounds = shapely.total_bounds(shapely.GeometryCollection([p.geom for p in read]))
            outside = (
                len(read)
                if (bounds[2] - bounds[0] > 2 or bounds[3] - bounds[1] > 2)
                or not coords._in_china(np.array([bounds[0]]), np.array([bounds[1]]))[0]
                else 0
            )
        if outside * 2 > len(read):
            raise UserError(
                _(
                    "文件中 {outside} 个图形（共 {n} 个）不在本区（{district}）范围内。"
                    "请确认所选坐标系与文件一致（GIS 部门的文件多为 WGS-84 / CGCS2000，"
                    "高德、腾讯地图为 GCJ-02，百度地图为 BD-09），以及文件确属本区。"
                ).format(outside=outside, n=len(read), district=district.name),
                field="system",
            )

    # 3. parents: what the database holds, replaced by what the file brings
    names: dict[str, str] = {}
    known: dict[str, tuple[str, str, Any]] = {}
    for code, level, parent, boundary, name in Division.objects.filter(
        code__startswith=district.code
    ).values_list("code", "level", "parent__code", "boundary", "name"):
        known[code] = (level, parent, boundary)
        names[code] = name
    shapes_of: dict[str, Any] = {c: shape(b) for c, (_l, _p, b) in known.items() if b}
    for p in read:
        if p.level != Level.GRID:
            shapes_of[p.code] = p.geom
    community_codes = [c for c, (lvl, _p, _b) in known.items() if lvl == Level.COMMUNITY]
    community_shapes = [(c, shapes_of[c]) for c in community_codes if c in shapes_of]
    community_tree = STRtree([s for _c, s in community_shapes]) if community_shapes else None
    next_number: dict[str, int] = defaultdict(int)
    for c, (lvl, parent, _b) in known.items():
        if lvl == Level.GRID:
            next_number[parent] = max(next_number[parent], int(c[12:]))
    for p in read:
        if p.code:
            parent = p.code[: {Level.STREET: 6, Level.COMMUNITY: 9, Level.GRID: 12}[p.level]]
            if p.level != Level.GRID and p.code not in known:
                bad(
                    p.row,
                    p.code,
                    p.name,
                    _("本区没有编码为 {code} 的{level}；请先用 jiceng setup 载入区划。").format(
                        code=p.code, level=LEVEL_LABEL[p.level]
                    ),
                )
                continue
            if parent not in known:
                bad(
                    p.row,
                    p.code,
                    p.name,
                    _("所属的{level} {code} 不存在。").format(
                        code=parent, level=_("社区") if p.level == Level.GRID else _("街道")
                    ),
                )
                continue
            p.parent = parent
        else:  # a grid with no code: the community it lies in
            found = ""
            if community_tree is not None:
                hits = community_tree.query(p.geom.representative_point(), predicate="within")
                if len(hits):
                    found = community_shapes[int(hits[0])][0]
            if not found:
                bad(p.row, "", p.name, _("没有编码，且不在本区任何已知边界的社区之内。"))
                continue
            p.parent = found
            existing = [
                c
                for c, (lvl, par, _b) in known.items()
                if lvl == Level.GRID and par == found and p.name and names[c] == p.name
            ]
            if existing:
                p.code = existing[0]
            else:
                next_number[found] += 1
                if next_number[found] > 999:
                    bad(p.row, "", p.name, _("社区的网格编号已满（最多 999 个）。"))
                    continue
                p.code = f"{found}{next_number[found]:03d}"
        out.places.append(p)

    # 4. inside the parent
    for p in out.places:
        container = shapes_of.get(p.parent)
        if container is None or p.level == Level.STREET:
            continue
        area = p.geom.area
        outside = p.geom.difference(container).area
        if outside > TOLERANCE * area:
            bad(
                p.row,
                p.code,
                p.name,
                _("有 {share} 的面积在所属{level}（{parent}）之外。").format(
                    share=_share(outside, area),
                    level=_("社区") if p.level == Level.GRID else _("街道"),
                    parent=p.parent,
                ),
            )

    # 5. grids overlapping each other (the file's, and the district's grids it does not replace)
    grids = [p for p in out.places if p.level == Level.GRID]
    in_file = {p.code for p in grids}
    others = [
        (c, shapes_of[c])
        for c, (lvl, _p, _b) in known.items()
        if lvl == Level.GRID and c not in in_file and c in shapes_of
    ]
    shapes = [p.geom for p in grids] + [s for _c, s in others]
    if shapes:
        tree = STRtree(shapes)
        left, right = tree.query(shapes, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j or i >= len(grids):
                continue
            a, b = shapes[i], shapes[j]
            overlap = a.intersection(b).area
            if overlap <= TOLERANCE * min(a.area, b.area):
                continue
            if j < len(grids):  # two of the file's: reported on the later one
                p = grids[j]
                other = _("第 {row} 个图形（{code}）").format(row=grids[i].row, code=grids[i].code)
            else:
                p = grids[i]
                other = _("已有网格 {code}").format(code=others[j - len(grids)][0])
            bad(
                p.row,
                p.code,
                p.name,
                _("与{other}重叠 {share}。").format(
                    other=other, share=_share(overlap, min(a.area, b.area))
                ),
            )

    # 6. communities left uncovered (a warning: a point there is in no grid)
    by_community: dict[str, list] = defaultdict(list)
    for p in grids:
        by_community[p.parent].append(p.geom)
    for c, s in others:
        if known[c][1] in by_community:
            by_community[known[c][1]].append(s)
    for community, pieces in by_community.items():
        container = shapes_of.get(community)
        if container is None:
            continue
        gap = container.difference(unary_union(pieces)).area
        if gap > TOLERANCE * container.area:
            bad(
                min(p.row for p in grids if p.parent == community),
                community,
                "",
                _("社区有 {share} 的面积不在任何网格内（该处上报的事件找不到网格）。").format(
                    share=_share(gap, container.area)
                ),
                warning=True,
            )
    out.errors.sort(key=lambda e: e.row)
    return out


# --- writing ------------------------------------------------------------------------------------


def _same(old: dict | None, new) -> bool:
    if not old:
        return False
    try:
        return shape(old).equals_exact(new, 10 ** (-DIGITS))
    except (ValueError, TypeError, shapely.errors.GEOSException):
        return False


def apply(places: list[Place]) -> Tally:
    """Write the checked places (the caller holds the transaction and audits)."""
    tally = Tally()
    existing = {d.code: d for d in Division.objects.filter(code__in=[p.code for p in places])}
    parents = {
        d.code: d for d in Division.objects.filter(code__in={p.parent for p in places if p.parent})
    }
    new: list[Division] = []
    changed: list[Division] = []
    now = timezone.now()
    # streets and communities first, so that their grids see them
    for p in sorted(places, key=lambda p: CODE_LENGTH[p.level]):
        centroid = p.geom.representative_point() if p.geom.geom_type != "Polygon" else None
        centroid = centroid or p.geom.centroid
        division = existing.get(p.code)
        if division is None:
            new.append(
                Division(
                    code=p.code,
                    name=p.name
                    or _("{community}第{n}网格").format(
                        community=parents[p.parent].name, n=int(p.code[12:])
                    ),
                    level=Level.GRID,
                    kind=Kind.GRID,
                    parent=parents[p.parent],
                    boundary=mapping(p.geom),
                    centroid_lon=centroid.x,
                    centroid_lat=centroid.y,
                )
            )
            continue
        name = p.name or division.name
        if _same(division.boundary, p.geom) and name == division.name:
            tally.unchanged += 1
            continue
        division.boundary = mapping(p.geom)
        division.centroid_lon, division.centroid_lat = centroid.x, centroid.y
        division.name = name
        division.updated_at = now  # the grid index notices the change by it
        changed.append(division)
    bulk_insert(Division, new)
    Division.objects.bulk_update(
        changed, ["boundary", "centroid_lon", "centroid_lat", "name", "updated_at"], batch_size=500
    )
    tally.created, tally.updated = len(new), len(changed)
    invalidate_grid_index()
    return tally


def area_km2(geom) -> float:
    """Rough area in km² (degrees scaled at the centroid's latitude), for the preview."""
    lat = geom.centroid.y
    return geom.area * (111.32**2) * math.cos(math.radians(lat))
