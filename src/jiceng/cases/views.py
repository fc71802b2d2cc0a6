"""Case pages: the phone report form, the case page with its stages, the staff inbox."""

from __future__ import annotations

import math

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.accounts.roles import Role
from jiceng.accounts.selectors import home_cards
from jiceng.cases import escalation, metrics, pinmap, selectors, services, workflow
from jiceng.cases.forms import ActionForm, ReportForm, StreetDefaultsForm
from jiceng.cases.models import Case, WhistleResponse
from jiceng.cases.permissions import (
    NOT_FOLLOWABLE,
    OFFERED_MAX,
    REPORTER_ROLES,
    allowed_actions,
    can_reveal_contact,
    dispatchable_units,
    editable_streets,
    followable_cases,
    nameable_grids,
    street_units,
)
from jiceng.core import paging
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.forms import submit
from jiceng.core.models import minimal_prefixes
from jiceng.core.scope import at_most, community_of, covers, level_of, visible_or_404
from jiceng.geo.codes import parse_code
from jiceng.geo.models import Division
from jiceng.partners.models import Partner

REPORTERS = REPORTER_ROLES


@page()
def report(request):
    if not request.user.has_role(*REPORTERS):
        raise Forbidden(_("只有居民和网格员可以上报问题。"))
    own_grid = services.reporter_grid(request.user)
    community = at_most(own_grid, "community") if own_grid else None
    grids = list(pinmap.grids_of(community)) if community else []
    places = pinmap.register_places(community) if grids else []
    # The grids the reporter may name are those the service accepts (a pin may fall anywhere).
    nameable = list(nameable_grids(request.user).only("code", "name").order_by("code"))
    # A grid worker on patrol reports in the grid they serve: it is chosen for them.
    patrol = request.user.has_role(Role.GRID_WORKER, Role.GRID_CHIEF)
    initial = {"grid": own_grid} if patrol and own_grid in {g.code for g in nameable} else {}
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        grids=nameable,
        own_grid=own_grid,
        initial=initial,
    )
    duplicates = []

    def again(**extra):
        """The form as it was sent, with the pin where the resident put it."""
        return render(
            request,
            "cases/report.html",
            {"form": form, "map": pinmap.pin_map(grids, pin=_pin(form), places=places), **extra},
        )

    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = {
            "lon": data["lon"] or None,
            "lat": data["lat"] or None,
            "grid": data["grid"],
            "address": data["address"],
        }
        try:
            if not data["confirm_new"]:
                duplicates = services.report_duplicates(
                    by=request.user, category=data["category"], **place
                )
            if duplicates:
                _remember_offers(request, duplicates)
                # Offer to follow the open case instead; the form comes back as it was
                # (photos must be chosen again, browsers never keep a file input).
                form.data = form.data.copy()
                form.data["confirm_new"] = "1"
                return again(duplicates=duplicates)
            case = services.case_report(
                by=request.user,
                category=data["category"],
                description=data["description"],
                **place,
                is_anonymous=data["is_anonymous"],
                contact_phone=data["contact_phone"],
                photos=request.FILES.getlist("photos"),
                client_token=data["token"] or None,
                request=request,
            )
        except UserError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已收到，案件编号 {number}。您可以在这里跟进处理进度。").format(
                    number=case.number
                ),
            )
            return redirect("cases:detail", number=case.number)
    return again()


OFFERED_SESSION_KEY = "cases_offered"


def _remember_offers(request, duplicates: list[Case]) -> None:
    """The duplicates the page offered to follow: the follow page accepts those (a resident
    who stands in another grid may follow what is reported there), nothing else."""
    kept = [n for n in request.session.get(OFFERED_SESSION_KEY, []) if isinstance(n, str)]
    fresh = [d.number for d in duplicates]
    request.session[OFFERED_SESSION_KEY] = (fresh + [n for n in kept if n not in fresh])[
        :OFFERED_MAX
    ]


def _pin(form) -> tuple[float, float] | None:
    """The point a bound form carries, if it is a valid one (else no pin is drawn)."""
    if not form.is_bound:
        return None
    try:
        lon, lat = float(form.data.get("lon", "")), float(form.data.get("lat", ""))
    except ValueError:
        return None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    return lon, lat


@page()
@require_POST
def follow(request, number: str):
    """Follow an open case (a resident who would have reported the same problem)."""
    offered = request.session.get(OFFERED_SESSION_KEY, [])
    case = visible_or_404(
        followable_cases(request.user, offered=offered),
        number=number,
        message=NOT_FOLLOWABLE,
    )
    escalation.follow(case=case, by=request.user, offered=offered, request=request)
    messages.success(
        request, _("已关注案件 {number}，处理进展会通知您。").format(number=case.number)
    )
    return redirect("cases:detail", number=case.number)


@page()
@require_POST
def whistle(request, number: str):
    case = selectors.case_for(user=request.user, number=number)
    # Ids as sent: the service resolves them through the units the case may call.
    units = list(dict.fromkeys(request.POST.getlist("units")))
    try:
        hours = float(request.POST.get("hours") or 4)
        # A unit's own limit, where the street gave one (hours_<unit id>).
        own = {
            pk: float(request.POST[f"hours_{pk}"])
            for pk in units
            if request.POST.get(f"hours_{pk}", "").strip()
        }
        escalation.whistle(
            case=case,
            by=request.user,
            units=units,
            note=request.POST.get("note", ""),
            hours=hours,
            hours_by_unit=own,
            request=request,
        )
    except (ValueError, UserError) as exc:
        message = exc.message if isinstance(exc, UserError) else _("报到时限应为数字。")
        messages.error(request, message)
        kept = {
            "action": "whistle",
            "note": request.POST.get("note", ""),
            "hours": request.POST.get("hours", ""),
            "units": set(request.POST.getlist("units")),
        }
        return _detail(request, case, kept=kept, status=getattr(exc, "status", 400))
    messages.success(request, _("已吹哨，{n} 个单位须在时限内报到。").format(n=len(units)))
    return redirect("cases:detail", number=number)


@page()
@require_POST
def whistle_respond(request, number: str, pk: int):
    case = selectors.case_for(user=request.user, number=number)
    response = visible_or_404(
        WhistleResponse.objects.filter(whistle__case=case), message=_("报到记录不存在。"), pk=pk
    )
    try:
        escalation.whistle_respond(
            response=response, by=request.user, note=request.POST.get("note", ""), request=request
        )
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已报到。"))
    return redirect("cases:detail", number=number)


@page()
def mine(request):
    show = request.GET.get("show", "")
    cases = selectors.own_cases(user=request.user, show=show)
    page_obj = Paginator(cases, 20).get_page(request.GET.get("page"))
    followed = list(selectors.followed_cases(user=request.user)[:50])
    return render(
        request,
        "cases/mine.html",
        {
            "page_obj": page_obj,
            "followed": followed,
            "show": show if show in selectors.MINE_SHOWS else "",
        },
    )


@page()
def detail(request, number: str):
    case = selectors.case_for(user=request.user, number=number)
    return _detail(request, case)


@page()
@require_POST
def reveal_contact(request, number: str):
    """Staff who will call the reporter back see the whole number once, with a reason."""
    case = selectors.case_for(user=request.user, number=number)
    try:
        phone = services.reveal_contact(
            by=request.user, case=case, reason=request.POST.get("reason", ""), request=request
        )
    except Forbidden:
        raise
    except UserError as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", number=case.number)
    return _detail(request, case, revealed_contact=phone)


def _timeline_entry(event) -> tuple[str, str]:
    """One line of the case's timeline: the stage the event led to, and only what the stage
    does not already say (never "已上报 上报"). An event that leaves the stage where it was
    (a whistle, a review that upholds the result) is named by what happened."""
    action = event.action
    if action == "whistle":
        return _("街道吹哨"), ""
    if action == "uphold":
        return str(workflow.TRANSITIONS["uphold"].label), ""
    stage = event.get_to_status_display()
    if action == "triage":
        detail = {
            workflow.Status.FILED: _("分流为大事，待街道派遣"),
            workflow.Status.COORDINATING: _("分流为小事"),
            workflow.Status.SELF_HELP: _("分流为私事"),
        }.get(event.to_status, "")
    elif action == "dispatch" and event.handler is not None:
        detail = _("处置单位：%(unit)s") % {"unit": event.handler.name}
    else:
        detail = {
            "return": _("处置单位退回"),
            "verify_ok": _("核查通过"),
            "verify_fail": str(workflow.TRANSITIONS["verify_fail"].label),
            "guide": _("答复指引"),
            "reopen": str(workflow.TRANSITIONS["reopen"].label),
        }.get(action, "")
    return str(stage), detail


def _detail(
    request,
    case: Case,
    *,
    kept: dict | None = None,
    status: int = 200,
    revealed_contact: str | None = None,
):
    """The case page; ``kept`` is what the user just sent when it was refused, put back in its
    form (nothing a user wrote is lost)."""
    events = list(case.events.select_related("actor", "handler"))
    for event in events:
        event.title, event.detail = _timeline_entry(event)
    actions = allowed_actions(request.user, case)
    staff_view = request.user.is_staff_role
    can_whistle = escalation.can_whistle(request.user, case)
    units = (
        dispatchable_units(case).order_by("kind", "name")
        if "dispatch" in actions or can_whistle
        else []
    )
    whistles = escalation.whistle_board(case)
    my_units = set(request.user.unit_ids)
    grid = Division.objects.filter(code=case.scope_code).values_list("name", flat=True).first()
    place_map = (
        pinmap.pin_map(
            pinmap.grids_of(community_of(case.scope_code)),
            pin=(case.lon, case.lat),
            testid="case-map",
            places=pinmap.register_places(community_of(case.scope_code)),
        )
        if case.lon is not None and case.lat is not None
        else ""
    )
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "can_reveal_contact": can_reveal_contact(request.user, case),
            "revealed_contact": revealed_contact,
            "events": events,
            "actions": [(a, workflow.TRANSITIONS[a]) for a in actions],
            "photos": list(case.photos.all()),
            "light": selectors.light(case),
            "staff_view": staff_view,
            "units": units,
            "default_unit": selectors.default_unit_id(case) if "dispatch" in actions else None,
            "triage_choices": workflow.Triage.choices,
            "rating_choices": Case.Rating.choices,
            "show_reporter": staff_view and not case.is_anonymous,
            "can_whistle": can_whistle,
            "whistles": whistles,
            "my_units": my_units,
            "grid_name": grid or case.scope_code,
            "map": place_map,
            "kept": kept or {},
            # What was sent for a form this page no longer offers: shown to copy, not lost.
            "kept_aside": bool(
                kept
                and kept.get("note")
                and kept.get("action") not in actions
                and not (kept.get("action") == "whistle" and can_whistle)
            ),
        },
        status=status,
    )


@page()
@require_POST
def act(request, number: str, action: str):
    case = selectors.case_for(user=request.user, number=number)
    if action not in workflow.TRANSITIONS:
        raise UserError(_("未知的操作。"))
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("表单已过期，请刷新页面后重试。"))
        return redirect("cases:detail", number=number)
    data = form.cleaned_data
    try:
        services.case_act(
            case=case,
            action=action,
            by=request.user,
            expected_version=data["version"],
            note=data["note"],
            triage=data["triage"],
            to_unit_id=data["to_unit"],
            rating=data["rating"],
            into_number=data["into"],
            photos=request.FILES.getlist("photos"),
            request=request,
        )
    except UserError as exc:
        messages.error(request, exc.message)
        case = selectors.case_for(user=request.user, number=number)  # as it is now
        return _detail(
            request, case, kept={"action": action, "note": data["note"]}, status=exc.status
        )
    messages.success(request, _("已{action}。").format(action=workflow.TRANSITIONS[action].label))
    return redirect("cases:detail", number=number)


@page("cases")
def inbox(request):
    filters = selectors.InboxFilters.from_params(request.GET)
    cases = selectors.inbox(user=request.user, filters=filters, with_total=True)
    page_obj = paging.get_page(cases, request.GET.get("page"), 50)
    now = timezone.now()
    rows = [(c, selectors.light(c, now)) for c in page_obj]
    # the unit's name as the cases the viewer sees carry it (no lookup of an id outside them)
    handler_name = next((c.handler.name for c, _light in rows if c.handler), "")
    return render(
        request,
        "cases/inbox.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "filters": filters,
            "handler_name": handler_name if filters.handler is not None else "",
            "statuses": workflow.Status.choices,
            "pending_whistles": selectors.pending_whistles(user=request.user),
            "now": now,
        },
    )


def _default_period() -> tuple[str, str]:
    today = timezone.localdate()
    return today.replace(day=1).isoformat(), today.isoformat()


@page("cases")
def metrics_view(request):
    """Figures of the viewer's scope for any period, grouped by street, community, grid or
    handler."""
    scopes = minimal_prefixes(request.user.scope_codes)
    if not scopes and request.user.unit_ids:
        return _unit_metrics(request)
    if not scopes:
        raise Forbidden(_("您的角色没有区划范围。"))
    default_start, default_end = _default_period()
    start, end = request.GET.get("start") or default_start, request.GET.get("end") or default_end
    scope = request.GET.get("scope") or scopes[0]
    if not covers(scopes, scope):
        raise NotFound(_("不在您的管辖范围内。"))
    by = request.GET.get("by") or {"district": "street", "street": "community"}.get(
        level_of(scope), "grid"
    )
    error = ""
    try:
        total = metrics.compute(start=start, end=end, scope=scope)
        groups = metrics.compute_grouped(start=start, end=end, scope=scope, by=by)
    except UserError as exc:
        error, total, groups = exc.message, None, []
    if by == "handler":
        names = dict(
            Partner.objects.filter(pk__in=[g.key for g in groups]).values_list("pk", "name")
        )
        names = {str(k): v for k, v in names.items()}
    else:
        names = dict(
            Division.objects.filter(code__in=[g.key for g in groups]).values_list("code", "name")
        )
    return render(
        request,
        "cases/metrics.html",
        {
            "total": total,
            "groups": [(g, names.get(g.key, g.key)) for g in groups],
            "start": start,
            "end": end,
            "scope": scope,
            "places": _metric_places(scopes),
            "by": by,
            "error": error,
            "stages": dict(workflow.Status.choices),
        },
    )


def _metric_places(scopes: list[str]):
    """The places the viewer may read figures of, for the page's picker: their own and those
    below, down to communities (and grids, for a community's staff or a grid's)."""
    levels = ["district", "street", "community"]
    if any(level_of(code) in ("community", "grid") for code in scopes):
        levels.append("grid")
    return list(
        Division.objects.within(*scopes)
        .filter(level__in=levels, is_active=True)
        .only("code", "name", "level")
        .order_by("code")
    )


def _unit_metrics(request):
    """A department's or partner's own figures: the cases their unit handled in the period, one
    row per unit they serve (they see no place, so there is no place to choose or group by)."""
    default_start, default_end = _default_period()
    start, end = request.GET.get("start") or default_start, request.GET.get("end") or default_end
    units = list(Partner.objects.filter(pk__in=request.user.unit_ids).order_by("pk"))
    error, total, groups = "", None, []
    try:
        figures = [(metrics.compute(start=start, end=end, handler_id=u.pk), u.name) for u in units]
    except UserError as exc:
        error = exc.message
    else:
        if len(figures) == 1:
            total = figures[0][0]
        else:
            groups = figures
    return render(
        request,
        "cases/metrics.html",
        {
            "total": total,
            "groups": groups,
            "start": start,
            "end": end,
            "units": units,
            "error": error,
            "stages": dict(workflow.Status.choices),
        },
    )


def public_metrics(request, code: str):
    """A community's figures for residents: no login, no personal data."""
    community = Division.objects.filter(code=parse_code(code), level="community").first()
    if community is None:
        raise NotFound(_("社区不存在。"))
    today = timezone.localdate()
    start = today - timezone.timedelta(days=29)
    figures = metrics.compute(start=start, end=today, scope=community.code, public=True)
    return render(
        request,
        "cases/public_metrics.html",
        {
            "community": community,
            "figures": figures,
            "start": start,
            "end": today,
            "stages": dict(workflow.Status.choices),
            # what the other apps publish about the community (the dashboard's public
            # indicators, deliberation's matters ...)
            "cards": home_cards(
                user=request.user, home="public_community", place={"division": community}
            ),
        },
    )


@page("dispatch_defaults")
def dispatch_defaults(request):
    """A street's default handling unit per category, which the dispatch form preselects; the
    district picks the street, a street's staff see their own."""
    streets = list(editable_streets(request.user).order_by("code"))
    if not streets:
        raise Forbidden(_("您的角色没有可设置的街道。"))
    code = request.GET.get("street") or streets[0].code
    street = visible_or_404(editable_streets(request.user), _("街道不存在。"), code=code)
    categories, chosen = selectors.street_defaults(street)
    units = list(street_units(street).order_by("kind", "name"))
    form = StreetDefaultsForm(
        request.POST or None, categories=categories, units=units, chosen=chosen
    )
    if request.method == "POST":
        changed = submit(
            form,
            lambda _data: services.street_defaults_save(
                street=street, units=form.chosen_units(), by=request.user, request=request
            ),
        )
        if changed is not None:
            messages.success(request, _("已保存，{n} 项有变化。").format(n=changed))
            return redirect(f"{request.path}?street={street.code}")
    return render(
        request,
        "cases/dispatch_defaults.html",
        {"form": form, "street": street, "streets": streets},
        status=400 if form.errors else 200,
    )
