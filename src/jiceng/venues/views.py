"""Venue pages: the console (venues, requests to decide, week view, closures) and the phone
pages residents and organizations book from (list, week view with the booking form, my
bookings), plus the public iCalendar feed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.forms import submit
from jiceng.core.inputs import check_day
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.venues import forms, selectors, services
from jiceng.venues.models import WEEKDAYS, Booking, Venue
from jiceng.venues.permissions import (
    MANAGER_ROLES,
    can_manage,
    can_reveal_contact,
    partner_units,
)

# --- helpers ----------------------------------------------------------------------------------


def _week_start(request) -> date:
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    return selectors.monday_of(check_day(day, "week"))


def _week_context(venue: Venue, monday: date, user, all_pending: bool = False) -> dict:
    return {
        "days": selectors.week(venue=venue, monday=monday, user=user, all_pending=all_pending),
        "monday": monday,
        "prev_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
        "this_week": selectors.monday_of(timezone.localdate()),
    }


def _windows_by_day(venue: Venue | None) -> list[dict]:
    rows = []
    for d, label in enumerate(WEEKDAYS):
        text = ""
        if venue is not None:
            text = ",".join(
                f"{w.starts:%H:%M}-{w.ends:%H:%M}" for w in venue.windows.all() if w.weekday == d
            )
        rows.append({"day": d, "label": label, "value": text})
    return rows


def _division_choices(user):
    scopes = user.scopes_for(*MANAGER_ROLES)
    units = Partner.objects.filter(pk__in=partner_units(user))
    codes = scopes + [u.scope_code for u in units]
    if not codes:
        return Division.objects.none()
    return (
        Division.objects.within(*codes)
        .filter(level__in=["community", "grid"], is_active=True)
        .order_by("code")
    )


# --- console ----------------------------------------------------------------------------------


@page("venues")
def home(request):
    return _home_page(request)


def _home_page(request, decided: dict | None = None, status: int = 200):
    query = request.GET.get("q", "").strip()
    rows = selectors.venue_list(user=request.user, query=query)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = selectors.pending_counts([v.pk for v in page_obj])
    for v in page_obj:
        v.pending = counts.get(v.pk, 0)
    # all the requests waiting, 50 a page (``pp``): the home's to-do counts them all
    pending_page = Paginator(selectors.pending_requests(user=request.user), 50).get_page(
        request.GET.get("pp")
    )
    pending = list(pending_page)
    can_create = bool(request.user.scopes_for(*MANAGER_ROLES) or partner_units(request.user))
    return render(
        request,
        "venues/home.html",
        {
            "page_obj": page_obj,
            "query": query,
            "pending": pending,
            "pending_page": pending_page,
            "can_create": can_create,
            "decided": _on_page(decided, pending),
        },
        status=status,
    )


def _on_page(decided: dict | None, bookings) -> dict | None:
    """A refused decision, marked with whether its booking is among those the page lists (its
    errors are drawn beside it, else above the list)."""
    if decided is not None:
        decided["on_page"] = any(b.pk == decided["pk"] for b in bookings)
    return decided


@page("venues")
def venue_new(request):
    divisions = _division_choices(request.user)
    units = Partner.objects.filter(pk__in=partner_units(request.user))
    if request.method != "POST":
        form = forms.VenueForm(divisions=divisions, units=units)
        return _venue_form_page(request, form, divisions=divisions, units=units)
    form = forms.VenueForm(request.POST, divisions=divisions, units=units)
    venue = submit(
        form,
        lambda data: services.venue_create(
            by=request.user,
            division=data["division"],
            owner_partner=data["owner_partner"],
            request=request,
            **form.venue_fields(),
        ),
    )
    if venue is None:
        return _venue_form_page(request, form, divisions=divisions, units=units, status=400)
    messages.success(request, _("场地已登记。"))
    return redirect("venues:detail", venue.pk)


@page("venues")
def venue_edit(request, pk: int):
    venue = selectors.venue_detail(user=request.user, pk=pk)
    if not can_manage(request.user, venue):
        raise Forbidden(_("只有场地的管理方可以修改场地。"))
    if request.method != "POST":
        initial = {
            f: getattr(venue, f)
            for f in (
                "name",
                "address",
                "capacity",
                "kind",
                "facilities",
                "description",
                "approval_required",
                "residents_only",
                "closed_on_holidays",
                "max_days_ahead",
                "is_active",
            )
        }
        # Shown masked; sent back unchanged it keeps the number (services.venue_update).
        initial["contact_phone"] = venue.contact_phone_masked
        for row in _windows_by_day(venue):
            initial[f"w{row['day']}"] = row["value"]
        return _venue_form_page(request, forms.VenueForm(initial=initial), venue=venue)
    form = forms.VenueForm(request.POST)
    done = submit(
        form,
        lambda data: services.venue_update(
            by=request.user,
            venue=venue,
            is_active=data["is_active"],
            request=request,
            **form.venue_fields(),
        ),
    )
    if done is None:
        return _venue_form_page(request, form, venue=venue, status=400)
    messages.success(request, _("场地已保存。"))
    return redirect("venues:detail", venue.pk)


def _venue_form_page(request, form, *, venue=None, divisions=None, units=None, status=200):
    windows = [{**row, "field": form[f"w{row['day']}"]} for row in _windows_by_day(None)]
    return render(
        request,
        "venues/venue_form.html",
        {
            "venue": venue,
            "form": form,
            "divisions": divisions[:500] if divisions is not None else [],
            "units": units,
            "windows": windows,
            "kinds": Venue.Kind.choices,
            "creating": venue is None,
        },
        status=status,
    )


@page("venues")
def venue_detail(request, pk: int):
    venue = selectors.venue_detail(user=request.user, pk=pk)
    return _detail_page(request, venue, forms.ClosureForm())


def _detail_page(
    request, venue: Venue, closure_form, status: int = 200, decided: dict | None = None
):
    monday = _week_start(request)
    upcoming = list(
        selectors.venue_bookings(venue=venue, since=timezone.now()).exclude(
            status__in=[Booking.Status.DECLINED, Booking.Status.CANCELLED]
        )[:100]
    )
    return render(
        request,
        "venues/detail.html",
        {
            "venue": venue,
            "can_manage": can_manage(request.user, venue),
            "upcoming": upcoming,
            "closures": venue.closures.filter(ends_on__gte=timezone.localdate()),
            "closure_form": closure_form,
            "decided": _on_page(decided, upcoming),
            "feed_url": request.build_absolute_uri(reverse("venues_m:feed", args=[venue.pk])),
            **_week_context(
                venue, monday, request.user, all_pending=can_manage(request.user, venue)
            ),
        },
        status=status,
    )


@page("venues")
@require_POST
def closure_add(request, pk: int):
    venue = selectors.venue_detail(user=request.user, pk=pk)
    form = forms.ClosureForm(request.POST)
    done = submit(
        form,
        lambda data: services.closure_add(
            by=request.user,
            venue=venue,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"] or data["starts_on"],
            reason=data["reason"],
            request=request,
        ),
    )
    if done is None:
        return _detail_page(request, venue, form, status=400)
    _closure, cancelled = done
    messages.success(
        request,
        ngettext(
            "已安排闭馆，取消了 {n} 个预约并通知了预约人。",
            "已安排闭馆，取消了 {n} 个预约并通知了预约人。",
            cancelled,
        ).format(n=cancelled),
    )
    return redirect("venues:detail", venue.pk)


@page("venues")
@require_POST
def booking_decide(request, pk: int, action: str):
    booking = selectors.booking_for_console(user=request.user, pk=pk)
    deciding = {
        "approve": (
            lambda data: services.booking_approve(
                by=request.user, booking=booking, request=request
            ),
            _("已批准。"),
        ),
        "decline": (
            lambda data: services.booking_decline(
                by=request.user, booking=booking, reason=data["reason"], request=request
            ),
            _("已退回，预约人会收到原因。"),
        ),
        "cancel": (
            lambda data: services.booking_cancel(
                by=request.user, booking=booking, reason=data["reason"], request=request
            ),
            _("已取消，预约人会收到通知。"),
        ),
    }
    if action not in deciding:
        raise NotFound(_("页面不存在。"))
    form = forms.DecisionForm(request.POST)
    decide, done = deciding[action]
    # The services return the booking (a cancel may return nothing): success is "not refused".
    refused = submit(form, lambda data: decide(data) or True) is None
    nxt = form.cleaned_data.get("next", "")
    if refused:
        # Drawn again where it was chosen, the error beside the booking and the reason kept.
        decided = {"pk": booking.pk, "action": action, "form": form}
        if nxt == reverse("venues:detail", args=[booking.venue_id]):
            venue = selectors.venue_detail(user=request.user, pk=booking.venue_id)
            return _detail_page(request, venue, forms.ClosureForm(), 400, decided)
        return _home_page(request, decided, status=400)
    messages.success(request, done)
    if nxt.startswith("/console/venues/"):
        return redirect(nxt)
    return redirect("venues:home")


# --- phone pages ------------------------------------------------------------------------------


def _parse_date(value, label: str) -> date:
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise UserError(_("{what}格式不正确。").format(what=label)) from exc
    return check_day(day)


def _parse_moment(day: str, hhmm: str, label: str) -> datetime:
    try:
        moment = time.fromisoformat((hhmm or "").strip())
    except ValueError as exc:
        raise UserError(
            _("请填写{what}（如 19:00）。").format(what=label), field="starts_at"
        ) from exc
    return datetime.combine(
        _parse_date(day, _("日期")), moment, tzinfo=timezone.get_current_timezone()
    )


@page()
def m_list(request):
    query = request.GET.get("q", "").strip()
    rows = selectors.bookable_venues(user=request.user, query=query)
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "venues/m_list.html", {"page_obj": page_obj, "query": query})


@page()
def m_venue(request, pk: int):
    venue = selectors.bookable_venue(user=request.user, pk=pk)
    units = list(Partner.objects.filter(pk__in=partner_units(request.user)))
    form = {
        "day": request.GET.get("day", ""),
        "start": request.GET.get("start", ""),
        "end": request.GET.get("end", ""),
        "attendees": "",
    }
    status = 200
    error = ""
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in request.POST if k != "csrfmiddlewaretoken"}
        try:
            organization = None
            if request.POST.get("organization"):
                organization = selectors.booking_unit(
                    user=request.user, pk=request.POST["organization"]
                )
            booking = services.booking_create_series(
                by=request.user,
                venue=venue,
                weeks=form.get("weeks") or 1,
                starts_at=_parse_moment(
                    form.get("day"), form.get("start"), pgettext("field label", "开始时间")
                ),
                ends_at=_parse_moment(
                    form.get("day"), form.get("end"), pgettext("field label", "结束时间")
                ),
                title=form.get("title", ""),
                attendees=form.get("attendees") or 0,
                notes=form.get("notes", ""),
                contact_phone=form.get("contact_phone", ""),
                organization=organization,
                request=request,
            )
        except UserError as exc:
            error, status = exc.message, exc.status
        else:
            n = len(booking)
            if booking[0].status == Booking.Status.APPROVED:
                done = _("预约成功（共 {n} 次）。") if n > 1 else _("预约成功。")
            else:
                done = (
                    _("已提交预约申请（共 {n} 次），审批结果会通知您。")
                    if n > 1
                    else _("已提交预约申请，审批结果会通知您。")
                )
            messages.success(request, done.format(n=n))
            return redirect("venues_m:mine")
    try:
        monday = selectors.monday_of(check_day(date.fromisoformat(form.get("day") or "")))
    except ValueError:
        monday = _week_start(request)
    return render(
        request,
        "venues/m_venue.html",
        {
            "venue": venue,
            "can_reveal_contact": can_reveal_contact(request.user, venue),
            "form": form,
            "error": error,
            "units": units,
            "windows": _windows_by_day(venue),
            "repeat_choices": range(2, services.MAX_REPEAT_WEEKS + 1),
            **_week_context(venue, monday, request.user),
        },
        status=status,
    )


@page()
def m_mine(request):
    upcoming = request.GET.get("show") == "upcoming"
    rows = selectors.my_bookings(user=request.user, upcoming=upcoming)
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "venues/m_mine.html",
        {"page_obj": page_obj, "now": timezone.now(), "upcoming": upcoming},
    )


@page()
@require_POST
def m_cancel(request, pk: int):
    booking = selectors.my_bookings(user=request.user).filter(pk=pk).first()
    if booking is None:
        raise NotFound(_("预约不存在。"))
    try:
        services.booking_cancel(by=request.user, booking=booking, request=request)
    except UserError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消预约，该时段已释放。"))
    return redirect("venues_m:mine")


def feed(request, pk: int):
    """The venue's approved bookings for calendar apps (no login: times and activity names)."""
    venue = Venue.objects.filter(pk=pk, is_active=True).first()
    if venue is None:
        raise NotFound(_("场地不存在。"))
    version, body = selectors.ical_cached(venue=venue)
    etag = f'"{version}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="venue-{venue.pk}.ics"'
    response["ETag"] = etag
    response["Cache-Control"] = "max-age=300"
    return response


# --- contact phones, whole only with a reason -------------------------------------------------


def _reveal(request, obj: Venue | Booking, back: str):
    """Show one contact phone whole once, with the reason given (audited), as the register
    shows a person's number."""
    try:
        phone = services.reveal_contact(
            by=request.user, obj=obj, reason=request.POST.get("reason", ""), request=request
        )
    except UserError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        messages.error(request, exc.message)
        return redirect(back)
    response = render(request, "venues/contact.html", {"obj": obj, "phone": phone, "back": back})
    response["Cache-Control"] = "no-store"  # the whole number stays out of caches and history
    return response


@page("venues")
@require_POST
def booking_contact(request, pk: int):
    booking = selectors.booking_for_console(user=request.user, pk=pk)
    return _reveal(request, booking, reverse("venues:home"))


@page()
@require_POST
def venue_contact(request, pk: int):
    venue = selectors.bookable_venue(user=request.user, pk=pk)
    return _reveal(request, venue, reverse("venues_m:venue", args=[venue.pk]))
