"""The map page (一张图): a place's children coloured by an indicator, the legend, the point
layers and the demonstration sites; click an area to drill down, the trail to go back up."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from jiceng.core.errors import UserError
from jiceng.core.pages import page
from jiceng.core.registry import indicators
from jiceng.core.scope import covers, enclosing
from jiceng.dashboard import map as themap
from jiceng.dashboard.snapshots import MONTH, YEAR
from jiceng.geo.models import Division


def _params(request):
    return request.GET.get("indicator"), request.GET.get("period"), request.GET.get("start")


@page("dashboard_map")
def map_page(request, code: str | None = None):
    place = themap.place_for(request.user, code)
    key, kind, start = _params(request)
    status, error = 200, ""
    try:
        ind = themap.indicator_or_error(key)
        kind, start_day = themap.period_or_error(kind, start, place.code, ind.key)
    except UserError as e:
        status, error = 400, e.message
        ind = themap.indicator_or_error(None)
        kind, start_day = themap.period_or_error(None, None, place.code, ind.key)
    query = {"indicator": ind.key, "period": kind}
    if start and start_day and not error:
        query["start"] = start_day.isoformat()
    suffix = "?" + urlencode(query)

    def link(child: str) -> str:
        return reverse("dashboard_map:place", args=[child]) + suffix

    data = themap.map_data(place, ind, kind, start_day)
    scopes = request.user.scopes_for(*themap.MAP_ROLES)
    trail_codes = [c for c in enclosing(place.code) if covers(scopes, c)]
    names = dict(Division.objects.filter(code__in=trail_codes).values_list("code", "name"))
    trail = [{"code": c, "name": names.get(c, c), "url": link(c)} for c in trail_codes]
    for a in data.areas:
        a["shown"] = themap.fmt_value(ind, a["value"])
        for part in ("numerator", "denominator"):
            v = a[part]
            a[f"{part}_shown"] = "—" if v is None else f"{v:g}"
        a["url"] = link(a["code"]) if a["drill"] else ""
    return render(
        request,
        "dashboard/map.html",
        {
            "data": data,
            "svg": themap.svg(data, width=800, link=link),
            "trail": trail,
            "place": place,
            "indicator": ind,
            "indicators": indicators(),
            "period_kind": kind,
            "periods": [(MONTH, "月"), (YEAR, "年")],
            "start": start_day,
            "error": error,
            "legend": data.classes.legend(),
            "screen_url": reverse("screen:place", args=[place.code]),
            "geojson_url": "/api/indicators/map/geojson?"
            + urlencode({"place": place.code, **query}),
        },
        status=status,
    )
