"""GeoJSON of a place's children with an indicator's stored values on each feature (the same
numbers as the snapshots, the dashboard and the big screen). Mounted at ``/api/indicators/map``."""

from __future__ import annotations

import json

from django.http import HttpResponse
from ninja import Router

from jiceng.dashboard import map as themap

router = Router(tags=["indicators"])


@router.get(
    "/geojson",
    summary="下级区划的 GeoJSON（每个要素带指标值、分子、分母和颜色分级）",
    response={200: dict},
)
def geojson(request, place: str = "", indicator: str = "", period: str = "month", start: str = ""):
    """``place``: a division code in your scope (default: the top of your scope); ``indicator``:
    an indicator key (GET /api/indicators/ lists them); ``period``: day, month or year;
    ``start``: a day of the period (YYYY-MM-DD; default the newest computed). Each feature's
    properties carry ``value`` (a share for rates), ``numerator``, ``denominator``, ``class``
    (0-4, the fixed colour class) and ``colour``; the collection's properties the legend."""
    division = themap.place_for(request.user, place or None)
    ind = themap.indicator_or_error(indicator or None)
    kind, day = themap.period_or_error(period, start or None, division.code, ind.key)
    data = themap.map_data(division, ind, kind, day, with_points=False)
    return HttpResponse(
        json.dumps(data.feature_collection(), ensure_ascii=False),
        content_type="application/geo+json",
    )
