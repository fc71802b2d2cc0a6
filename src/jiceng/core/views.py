"""The audit log page, the working calendar page and the health check."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import selectors
from jiceng.core.forms import DeadlineForm
from jiceng.core.inputs import check_day
from jiceng.core.models import Notification
from jiceng.core.pages import page
from jiceng.core.registry import audit_action_label
from jiceng.core.workdays import WorkingCalendar

# The role that reads the audit log, by the name accounts gives it: core knows roles only as
# names (as core.adminsite does), it does not import accounts.
AUDIT_ADMIN = "audit_admin"


@page("audit")
def audit_view(request):
    filters = {
        k: request.GET.get(k, "").strip()
        for k in ("actor", "action", "object_type", "scope", "since", "until")
    }
    entries, error = selectors.audit_list(
        scopes=request.user.scopes_for(AUDIT_ADMIN), filters=filters
    )
    page_obj = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page_obj:
        entry.action_label = audit_action_label(entry.action)
    # The filter lists each action in words (the code stays the value), in the reader's order.
    actions = sorted(
        ((code, audit_action_label(code)) for code in selectors.audit_actions()),
        key=lambda pair: (pair[1] == pair[0], pair[1]),
    )
    return render(
        request,
        "core/audit.html",
        {"page_obj": page_obj, "filters": filters, "error": error, "actions": actions},
    )


@page("calendar")
def calendar_view(request):
    """The working days of a month and a deadline calculator that staff can check by hand."""
    today = timezone.localdate()
    try:
        month = date.fromisoformat((request.GET.get("month") or today.strftime("%Y-%m")) + "-01")
    except ValueError:
        month = today.replace(day=1)
    check_day(month, "month")  # year 9999 or 0001: refused (400), not a month past the calendar
    cal = WorkingCalendar.load()
    days = []
    d = month
    while d.month == month.month:
        days.append({"date": d, "working": cal.is_working_day(d), "weekend": d.weekday() >= 5})
        d += timedelta(days=1)
    result = None
    start_s, hours_s = request.GET.get("start", ""), request.GET.get("hours", "")
    error = ""
    if start_s and hours_s:
        form = DeadlineForm(request.GET)
        if form.is_valid():
            result = cal.add_working_hours(
                form.cleaned_data["start"], float(form.cleaned_data["hours"])
            )
        else:
            error = _("请填写正确的开始时间和工作小时数。")
    missing = cal.years_without_data([today.year, today.year + 1])
    prev_month = (month - timedelta(days=1)).replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "core/calendar.html",
        {
            "month": month,
            "days": days,
            "lead": range(month.weekday()),
            "result": result,
            "start": start_s,
            "hours": hours_s,
            "error": error,
            "missing_years": missing,
            "prev_month": prev_month,
            "next_month": next_month,
            "windows": settings.WORKING_HOURS,
            "default_start": datetime.combine(today, time(9, 0)).strftime("%Y-%m-%dT%H:%M"),
        },
    )


def healthz(request):
    """200 when the database (and Redis, when configured) answer; 503 with the failing part."""
    checks: dict[str, str] = {}
    ok = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is what the check reports
        ok, checks["database"] = False, f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "1", 5)
            if cache.get("healthz") != "1":
                raise RuntimeError("no answer")
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            ok, checks["redis"] = False, f"error: {exc.__class__.__name__}"
    return JsonResponse(
        {"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503
    )


@page()
def notifications_view(request):
    """The person's messages, newest first; opening the page marks them read."""
    rows = Notification.objects.filter(user=request.user)
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    unread = [n.pk for n in page_obj if n.read_at is None]
    response = render(
        request, "core/notifications.html", {"page_obj": page_obj, "unread": set(unread)}
    )
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return response


def favicon(request):
    """Browsers ask for /favicon.ico where a document names no icon (an image, a PDF or JSON
    opened from a link): send them to the icon every page names instead of a 404."""
    return HttpResponsePermanentRedirect(static("jiceng/favicon.svg"))


def livez(request):
    """Liveness for a load balancer: the process answers, nothing else is checked."""
    return JsonResponse({"status": "ok"})
