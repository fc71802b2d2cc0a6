"""Divisions, point -> grid, and GeoJSON export. Everything is scoped; outside is 404."""

from __future__ import annotations

import json

from django.http import HttpResponse
from ninja import Router, Schema

from jiceng.core.scope import community_of, street_of
from jiceng.geo import selectors
from jiceng.geo.lookup import locate_or_error
from jiceng.geo.models import Division

router = Router(tags=["geo"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    centroid_lon: float | None
    centroid_lat: float | None


class LocateOut(Schema):
    grid_code: str
    grid_name: str
    community_code: str
    community_name: str
    street_code: str
    street_name: str


def _out(d: Division) -> dict:
    return {
        "code": d.code,
        "name": d.name,
        "level": d.level,
        "kind": d.kind,
        "parent_code": d.code[: {6: 0, 9: 6, 12: 9, 15: 12}[len(d.code)]] or None,
        "centroid_lon": d.centroid_lon,
        "centroid_lat": d.centroid_lat,
    }


@router.get("/divisions", response=list[DivisionOut], summary="我管辖范围的顶层区划")
def roots(request):
    return [_out(d) for d in selectors.scope_roots(user=request.user)]


@router.get("/divisions/{code}", response=DivisionOut, summary="一个区划")
def division(request, code: str):
    return _out(selectors.division_for(user=request.user, code=code))


@router.get("/divisions/{code}/children", response=list[DivisionOut], summary="下级区划")
def children(request, code: str):
    parent = selectors.division_for(user=request.user, code=code)
    return [_out(d) for d in Division.objects.filter(parent=parent).order_by("code")]


@router.get("/divisions/{code}/grids.geojson", summary="下辖网格的 GeoJSON", response={200: dict})
def grids_geojson(request, code: str):
    parent = selectors.division_for(user=request.user, code=code)
    body = selectors.feature_collection(
        selectors.grids_under(division=parent).only("code", "name", "level", "kind", "boundary")
    )
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/geo+json"
    )
    response["Content-Disposition"] = f'attachment; filename="grids-{parent.code}.geojson"'
    return response


@router.get("/locate", response=LocateOut, summary="经纬度所在网格")
def locate(request, lon: str, lat: str):
    code = locate_or_error(lon, lat)
    community, street = community_of(code), street_of(code)
    found = {d.code: d for d in Division.objects.filter(code__in=[code, community, street])}
    return {
        "grid_code": code,
        "grid_name": found[code].name,
        "community_code": community,
        "community_name": found[community].name,
        "street_code": street,
        "street_name": found[street].name,
    }
