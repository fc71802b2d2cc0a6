"""The big screen (数据大屏) of a place for the command hall: dark, 1920×1080, the map in the
centre, the key indicators (from the snapshots), live counts of open and overdue cases and of
this month's work (the apps' figures), and the warnings; it refreshes itself every minute from
a small JSON answer. Only staff of that place or above see it (404 elsewhere)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.pages import page
from jiceng.core.registry import SEVERE, count_all, figures_for, indicator
from jiceng.core.scope import covers, level_of
from jiceng.dashboard import map as themap
from jiceng.dashboard import snapshots
from jiceng.dashboard.models import Warning
from jiceng.dashboard.warnings import LIVE, STAFF_ROLES, counts_by_place

KEY_INDICATORS = (
    "party.members",
    "party.dues_on_time",
    "party.theme_day_rate",
    "cases.closure_rate",
    "cases.satisfaction_rate",
    "community.activities",
    "community.volunteer_hours",
    "community.wish_fulfilment_rate",
)
LIVE_FIGURES = (
    "cases.open",
    "cases.overdue",
    "services.activities_month",
    "services.orders_late",
    "services.wishes_claimed_month",
    "venues.bookings_month",
)


def screen_data(place_code: str) -> dict:
    """What the screen shows that changes during the day: two queries (the counts together,
    the latest warnings) and one for the indicators."""
    wanted = {f.key: f for f in figures_for(set(STAFF_ROLES)) if f.key in LIVE_FIGURES}
    figures = [wanted[k] for k in LIVE_FIGURES if k in wanted]
    warnings = Warning.objects.within(place_code).filter(state__in=LIVE)
    counted = count_all(
        [*(f.source([place_code]) for f in figures), warnings, warnings.filter(severity=SEVERE)]
    )
    latest = list(
        warnings.order_by("severity", "-since").values_list(  # "severe" sorts before "warning"
            "pk", "title", "severity", "since"
        )[:8]
    )
    level = {"district": "street", "street": "community", "community": "grid"}.get(
        level_of(place_code) or ""
    )
    by_place = counts_by_place(warnings, level=level)[:8] if level else []
    month = snapshots.latest_start(snapshots.MONTH, place_code)
    stored = (
        snapshots.place_values(place_code, snapshots.MONTH, month, KEY_INDICATORS) if month else {}
    )
    shown = []
    for key in KEY_INDICATORS:
        ind = indicator(key)
        if ind is None:
            continue
        v = stored.get(key)
        shown.append(
            {
                "key": key,
                "name": str(ind.name),
                "value": themap.fmt_value(ind, v.value if v else None),
            }
        )
    return {
        "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "month": month.strftime("%Y-%m") if month else "",
        "figures": [
            {"key": f.key, "label": str(f.label), "value": int(v)}
            for f, v in zip(figures, counted, strict=False)
        ],
        "warnings": {
            "live": int(counted[-2]),
            "severe": int(counted[-1]),
            "latest": [
                {
                    "id": pk,
                    "title": title,
                    "severity": severity,
                    "since": timezone.localtime(since).strftime("%m-%d"),
                }
                for pk, title, severity, since in latest
            ],
            "by_place": [
                {"code": p.code, "name": p.name, "total": p.total, "severe": p.severe}
                for p in by_place
            ],
        },
        "indicators": shown,
    }


@page("screen")
def screen_home(request):
    place = themap.place_for(request.user, None)
    return redirect("screen:place", place.code)


@page("screen")
def screen(request, code: str):
    place = themap.place_for(request.user, code)
    ind = themap.indicator_or_error(request.GET.get("indicator") or None)
    kind, start = themap.period_or_error(snapshots.MONTH, None, place.code, ind.key)
    data = themap.map_data(place, ind, kind, start)

    def link(child: str) -> str:
        return reverse("screen:place", args=[child]) + f"?indicator={ind.key}"

    return render(
        request,
        "dashboard/screen.html",
        {
            "place": place,
            "indicator": ind,
            "svg": themap.svg(data, width=900, link=link, dark=True),
            # the month the map shows: the key indicators' month, or the one before while the
            # map's rate has no value yet in the new month
            "map_month": start.strftime("%Y-%m") if start else "",
            "legend": data.classes.legend(),
            "layers": data.layers,
            "data": screen_data(place.code),
            "data_url": reverse("screen:data", args=[place.code]),
            "map_url": reverse("dashboard_map:place", args=[place.code]),
            "parent_url": link(place.parent.code)
            if place.parent_id
            and covers(request.user.scopes_for(*themap.MAP_ROLES), place.parent.code)
            else "",
            "title": _("{place}数据大屏").format(place=place.name),
        },
    )


@page("screen")
def screen_json(request, code: str):
    place = themap.place_for(request.user, code)
    return JsonResponse(screen_data(place.code), json_dumps_params={"ensure_ascii": False})
