"""The national statistical division data (统计用区划代码, 2023 edition) shipped with jiceng.

``data/divisions-2023/`` holds ``areas.csv.xz`` (provinces, cities and county-level divisions)
and one ``<province>.csv.xz`` per province (its streets, communities and villages), packed by
``scripts/pack_divisions.py`` from the china-division package (licence in ``data/LICENSE``).
Loading a district reads only its province's file.

``load_district`` is the one loader: ``jiceng setup`` calls it for a real deployment (no
boundaries), the demo calls it with generated boundaries (``geo.services.load_real_district``).
"""

from __future__ import annotations

import csv
import lzma
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import shapely.geometry
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core.errors import UserError
from jiceng.geo.codes import short_name
from jiceng.geo.lookup import invalidate_grid_index
from jiceng.geo.models import Division, Kind, Level

DATA = Path(__file__).resolve().parent / "data" / "divisions-2023"
EDITION = "2023"


def street_kind(code: str) -> str:
    """NBS rule for the 3 street digits: 001–099 街道, 100–199 镇, 200–399 乡; 400–599 are units
    like a township (开发区, 农场) that run communities as a street does: kept as streets."""
    number = int(code[6:9])
    if number < 100 or number >= 400:
        return Kind.STREET
    return Kind.TOWN if number < 200 else Kind.TOWNSHIP


def community_kind(code: str) -> str:
    """NBS rule for the 3 community digits: 001–199 居委会, 200–399 村委会, 400–499 like a
    residents' committee (生活区), 500–599 like a villagers' committee."""
    number = int(code[9:12])
    return Kind.COMMUNITY if number < 200 or 400 <= number < 500 else Kind.VILLAGE


@dataclass(frozen=True)
class DistrictData:
    """One county-level division as the shipped data has it."""

    code: str
    name: str
    city: str
    province: str
    streets: tuple[tuple[str, str], ...]  # (code, name)
    communities: tuple[tuple[str, str], ...]  # (code, full name as the data has it)

    @property
    def full_name(self) -> str:
        city = "" if self.city in ("市辖区", "县", "省直辖县级行政区划") else self.city
        return f"{self.province}{city}{self.name}"

    @property
    def villages(self) -> int:
        return sum(community_kind(c) == Kind.VILLAGE for c, _ in self.communities)


def _read(path: Path) -> list[tuple[str, str]]:
    with lzma.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        return [(row[0], row[1]) for row in reader]


@lru_cache(maxsize=1)
def upper_names() -> dict[str, str]:
    """Provinces (2 digits), cities (4) and county-level divisions (6) by code."""
    return dict(_read(DATA / "areas.csv.xz"))


def districts(prefix: str = "") -> list[tuple[str, str]]:
    """Every county-level division (code, full name) whose code starts with ``prefix``."""
    names = upper_names()
    return [
        (code, f"{names.get(code[:2], '')}{_city(names, code)}{name}")
        for code, name in names.items()
        if len(code) == 6 and code.startswith(prefix)
    ]


def _city(names: dict[str, str], code: str) -> str:
    city = names.get(code[:4], "")
    return "" if city in ("市辖区", "县", "省直辖县级行政区划") else city


def district_data(code: str) -> DistrictData:
    """The district ``code`` with its streets and communities, or a clear error."""
    code = (code or "").strip()
    names = upper_names()
    if len(code) != 6 or not code.isdigit() or code not in names:
        raise UserError(
            _(
                "{edition} 年统计用区划代码中没有区县“{code}”（应为 6 位区县级代码；"
                "jiceng setup --list 列出全部）。"
            ).format(edition=EDITION, code=code),
            field="code",
        )
    rows = [r for r in _read(DATA / f"{code[:2]}.csv.xz") if r[0].startswith(code)]
    return DistrictData(
        code=code,
        name=names[code],
        city=names.get(code[:4], ""),
        province=names.get(code[:2], ""),
        streets=tuple(r for r in rows if len(r[0]) == 9),
        communities=tuple(r for r in rows if len(r[0]) == 12),
    )


Shapes = Callable[[DistrictData], dict[str, object]]


@dataclass(frozen=True)
class Loaded:
    district: Division
    streets_added: int
    communities_added: int
    renamed: int


def _division(code: str, name: str, level: str, kind: str, parent, shape) -> Division:
    division = Division(code=code, name=name, level=level, kind=kind, parent=parent)
    if shape is not None:
        centroid = shape.centroid
        division.boundary = shape.__geo_interface__
        division.centroid_lon, division.centroid_lat = centroid.x, centroid.y
    return division


@transaction.atomic
def load_district(data: DistrictData, *, shapes: dict[str, object] | None = None) -> Loaded:
    """Put the district, its streets and its communities and villages in the division tree.

    Idempotent: what exists is kept (a name the data changed is updated; boundaries and grids
    are never touched), what is missing is added. ``shapes``: generated boundaries by code (the
    demo); a real deployment imports its own from its GIS.
    """
    shapes = shapes or {}
    existing = {d.code: d for d in Division.objects.filter(code__startswith=data.code)}
    district = existing.get(data.code)
    renamed = 0
    if district is None:
        district = _division(
            data.code, data.name, Level.DISTRICT, Kind.DISTRICT, None, shapes.get(data.code)
        )
        district.save()
    elif district.name != data.name:
        district.name = data.name
        district.save(update_fields=["name", "updated_at"])
        renamed += 1

    new_streets = []
    for code, name in data.streets:
        if code in existing:
            continue
        new_streets.append(
            _division(code, name, Level.STREET, street_kind(code), district, shapes.get(code))
        )
    _bulk(new_streets)
    parents = {d.code: d for d in existing.values() if d.level == Level.STREET}
    parents.update({d.code: d for d in new_streets})

    new_communities, changed = [], []
    for code, full in data.communities:
        name = short_name(full)
        found = existing.get(code)
        if found is not None:
            if found.name != name:
                found.name = name
                changed.append(found)
            continue
        new_communities.append(
            _division(
                code,
                name,
                Level.COMMUNITY,
                community_kind(code),
                parents[code[:9]],
                shapes.get(code),
            )
        )
    _bulk(new_communities)
    if changed:
        Division.objects.bulk_update(changed, ["name"])
    invalidate_grid_index()
    return Loaded(district, len(new_streets), len(new_communities), renamed + len(changed))


def _bulk(divisions: list[Division]) -> list[Division]:
    """Insert in bulk and make sure every object has its id (SQLite's bulk insert may not)."""
    created = Division.objects.bulk_create(divisions, batch_size=2000)
    if created and created[0].pk is None:
        ids = dict(
            Division.objects.filter(code__in=[d.code for d in created]).values_list("code", "pk")
        )
        for d in created:
            d.pk = ids[d.code]
    return created


@transaction.atomic
def load_places(collection: dict) -> int:
    """Put back the places of a jiceng export (``places.geojson``): each feature's code, name,
    level, kind, parent and boundary; a place that exists takes the feature's name and boundary.
    Returns how many places were added. (A district's own GIS files go through the checked
    grid import instead.)"""
    features = sorted(
        collection.get("features") or [], key=lambda f: len(str(f["properties"]["code"]))
    )
    existing = {d.code: d for d in Division.objects.all()}
    added = 0
    for feature in features:
        props = feature["properties"]
        code = str(props["code"])
        shape = feature.get("geometry")
        found = existing.get(code)
        if found is None:
            parent = existing.get(str(props.get("parent") or ""))
            found = Division(
                code=code,
                name=props["name"],
                level=props["level"],
                kind=props["kind"],
                parent=parent,
                is_active=bool(props.get("active", True)),
            )
            added += 1
        else:
            found.name = props["name"]
        if shape:
            found.boundary = shape
            centroid = _centroid(shape)
            found.centroid_lon, found.centroid_lat = centroid
        found.save()
        existing[code] = found
    invalidate_grid_index()
    return added


def _centroid(geometry: dict) -> tuple[float, float]:
    point = shapely.geometry.shape(geometry).centroid
    return point.x, point.y
