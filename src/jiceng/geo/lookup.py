"""Point -> grid through a spatial index (shapely 2 STRtree), vectorised for many points."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import shapely
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from shapely import STRtree
from shapely.geometry import shape

from jiceng.core.errors import UserError
from jiceng.geo.models import Division

OUTSIDE = ""


class GridIndex:
    """An immutable index of grid polygons; build once, query many points at once."""

    def __init__(self, codes: Sequence[str], polygons: Sequence[shapely.Geometry]):
        order = np.argsort(np.asarray(codes, dtype=object))  # the lowest code wins on a shared edge
        self.codes = np.asarray(codes, dtype=object)[order]
        self.polygons = np.asarray(polygons, dtype=object)[order]
        shapely.prepare(self.polygons)
        self.tree = STRtree(self.polygons)

    @classmethod
    def from_queryset(cls, grids) -> GridIndex:
        rows = [
            (code, shape(boundary))
            for code, boundary in grids.values_list("code", "boundary")
            if boundary
        ]
        return cls([r[0] for r in rows], [r[1] for r in rows])

    def __len__(self) -> int:
        return len(self.codes)

    def locate_many(self, lons, lats) -> np.ndarray:
        """Grid codes for each point; '' where a point lies outside every grid."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        result = np.full(len(points), OUTSIDE, dtype=object)
        if len(self.codes) == 0 or len(points) == 0:
            return result
        point_idx, grid_idx = self.tree.query(points, predicate="intersects")
        if len(point_idx):
            # A point on a shared edge touches two grids: keep the one with the lowest code.
            order = np.lexsort((grid_idx, point_idx))
            point_idx, grid_idx = point_idx[order], grid_idx[order]
            _, first = np.unique(point_idx, return_index=True)
            result[point_idx[first]] = self.codes[grid_idx[first]]
        return result

    def locate(self, lon: float, lat: float) -> str | None:
        code = self.locate_many([lon], [lat])[0]
        return code or None


_lock = threading.Lock()
_state: dict[str, object] = {"index": None, "fingerprint": None, "checked": 0.0}
RECHECK_SECONDS = 10.0


def _fingerprint() -> tuple:
    agg = Division.objects.filter(level="grid", is_active=True).aggregate(
        n=Count("id"), latest=Max("updated_at"), top=Max("id")
    )
    return (agg["n"], agg["latest"], agg["top"])


def grid_index() -> GridIndex:
    """The process-wide index of active grids, rebuilt when grids change (checked every 10 s,
    at once in the process that changed them)."""
    now = time.monotonic()
    with _lock:
        index = _state["index"]
        if index is not None and now - float(_state["checked"]) < RECHECK_SECONDS:
            return index  # type: ignore[return-value]
        fingerprint = _fingerprint()
        if index is None or fingerprint != _state["fingerprint"]:
            index = GridIndex.from_queryset(Division.objects.filter(level="grid", is_active=True))
            _state["index"], _state["fingerprint"] = index, fingerprint
        _state["checked"] = now
        return index  # type: ignore[return-value]


def invalidate_grid_index() -> None:
    with _lock:
        _state["index"] = None


def parse_point(lon, lat) -> tuple[float, float]:
    """Coordinates as numbers in range, or a clear error."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise UserError(_("经纬度必须是数字。"), field="location") from exc
    if not (np.isfinite(x) and np.isfinite(y)) or not (-180 <= x <= 180 and -90 <= y <= 90):
        raise UserError(_("经纬度超出范围（经度 -180～180，纬度 -90～90）。"), field="location")
    return x, y


def locate_or_error(lon, lat) -> str:
    """The grid code of a point, or a clear error when it is in no grid of this district."""
    x, y = parse_point(lon, lat)
    code = grid_index().locate(x, y)
    if code is None:
        raise UserError(_("该位置不在本区任何网格内，请在地图上重新选择位置。"), field="location")
    return code
