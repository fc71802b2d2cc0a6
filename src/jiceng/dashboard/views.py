"""The dashboard pages: a place's indicators for a period against the last period and the same
period last year, its children ranked on any indicator, a 12-period trend, drill-down with
breadcrumbs; the indicators' definitions; the button that recomputes the snapshots now.

Every figure comes from the snapshots (``selectors`` reads ``snapshots``), never from records.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.inputs import check_day
from jiceng.core.registry import RATE, indicator, indicators
from jiceng.dashboard import classification, permissions, selectors, services, snapshots
from jiceng.dashboard.models import PeriodKind, Snapshot
from jiceng.dashboard.snapshots import DAY, MONTH, YEAR

PERIOD_FORMATS = {MONTH: "%Y-%m", YEAR: "%Y", DAY: "%Y-%m-%d"}


def parse_period(params, code: str) -> tuple[str, date]:
    """``kind`` (month, year, day) and ``period`` (2026-05, 2026, 2026-05-17) from a query
    string; no period: the newest one stored for the place (or the current one)."""
    kind = params.get("kind") or MONTH
    if kind not in PERIOD_FORMATS:
        raise UserError(_("未知的统计周期：{kind}").format(kind=kind), field="kind")
    text = (params.get("period") or "").strip()
    if not text:
        latest = snapshots.latest_start(kind, code)
        return kind, latest or snapshots.period_start(kind, timezone.localdate())
    try:
        if kind == YEAR:
            day = date(int(text), 1, 1) if text.isdigit() and len(text) == 4 else None
        elif kind == MONTH:
            year, month = text.split("-")
            day = date(int(year), int(month), 1)
        else:
            day = date.fromisoformat(text)
    except (ValueError, TypeError):
        day = None
    if day is None:
        raise UserError(_("统计周期的格式不对：{text}").format(text=text), field="period")
    return kind, check_day(day, "period")


def _periods(code: str, kind: str, key: str) -> list[date]:
    """The periods stored for the place (newest first): the picker's choices."""
    return list(
        Snapshot.objects.filter(scope_code=code, period_kind=kind, indicator=key)
        .order_by("-period_start")
        .values_list("period_start", flat=True)[:36]
    )


def _chosen(params, name: str, default: str) -> str:
    key = params.get(name) or default
    if indicator(key) is None:
        raise UserError(_("未知的指标：{key}").format(key=key), field=name)
    return key


@page("dashboard")
def dashboard(request, code: str | None = None):
    place = permissions.place_for(request.user, code)
    kind, start = parse_period(request.GET, place.code)
    keys = [i.key for i in indicators()]
    rank_key = _chosen(request.GET, "rank", keys[0] if keys else "")
    kids = selectors.children(place)
    ranking = selectors.ranking(place, kids, rank_key, kind, start) if kids else []
    trend = selectors.trend(place, rank_key, kind, start)
    begin, end = snapshots.period_bounds(kind, start)
    domains = selectors.figures(place, kind, start)
    for domain in domains:
        for group in domain["categories"]:
            for fig in group["figures"]:
                fig.records = (
                    fig.indicator.records(request.user, place.code, begin, end)
                    if fig.indicator.records
                    else None
                )
    rank_ind = indicator(rank_key)
    stored = _periods(place.code, kind, rank_key)
    if start not in stored:
        stored = sorted({*stored, start}, reverse=True)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "place": place,
            "level": selectors.level_label(place.code),
            "crumbs": selectors.breadcrumbs(permissions.scopes(request.user), place),
            "kind": kind,
            "kinds": PeriodKind.choices,
            "start": start,
            "period_text": start.strftime(PERIOD_FORMATS[kind]),
            "period_label": selectors.period_label(kind, start),
            "periods": [
                (p.strftime(PERIOD_FORMATS[kind]), selectors.period_label(kind, p)) for p in stored
            ],
            "domains": domains,
            "rank_key": rank_key,
            "rank_ind": rank_ind,
            "rank_is_rate": rank_ind is not None and rank_ind.kind == RATE,
            "ranking": ranking,
            "child_level": selectors.level_label(kids[0].code) if kids else "",
            "all_indicators": indicators(),
            "chart": {
                "trend": trend,
                "ranking": [
                    {
                        "name": row["place"].name,
                        "value": None
                        if row["value"] is None or row["value"].value is None
                        else (
                            round(row["value"].value * 100, 1)
                            if rank_ind.kind == RATE
                            else row["value"].value
                        ),
                    }
                    for row in ranking
                ],
                "unit": "%"
                if rank_ind and rank_ind.kind == RATE
                else str(rank_ind.unit if rank_ind else ""),
                "name": str(rank_ind.name) if rank_ind else "",
            },
            "can_refresh": permissions.can_refresh(request.user),
            "query_kind": f"kind={kind}&period={start.strftime(PERIOD_FORMATS[kind])}",
        },
    )


@page("dashboard")
def definitions(request):
    """Every indicator's written definition, by domain and category."""
    return render(
        request,
        "dashboard/definitions.html",
        {"domains": classification.tree(), "rate": RATE},
    )


@require_POST
@page("dashboard")
def refresh(request):
    """District staff: compute this month's, this year's and today's snapshots now (a task)."""
    if not permissions.can_refresh(request.user):
        raise Forbidden(_("只有区委组织部工作人员可以重新计算指标。"))
    services.snapshots_requested(by=request.user, request=request)
    messages.success(request, _("已开始重新计算指标，稍后刷新页面即可看到新数字。"))
    return redirect(reverse("dashboard:home"))
