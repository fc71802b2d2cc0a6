"""Console pages of community activities (/console/services/activities/): publishing one, its
participants and ratings, cancelling it, and the QR shown on the day."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.community import forms, selectors, services
from jiceng.community.models import Project, VolunteerTeam
from jiceng.community.permissions import can_manage
from jiceng.community.views import _communities, _get
from jiceng.core.errors import Forbidden, NotFound
from jiceng.core.forms import submit


@page("services")
def activity_list(request):
    user = request.user
    month = selectors.parse_month(request.GET.get("month"))
    form = forms.ActivityForm(
        request.POST if request.method == "POST" else None,
        projects=Project.objects.visible_to(user),
        teams=VolunteerTeam.objects.visible_to(user),
    )
    if request.method == "POST":
        a = submit(form, lambda data: services.activity_create(by=user, **data))
        if a is not None:
            messages.success(request, _("活动已发布。"))
            return redirect("services:activity", pk=a.pk)
    rows = selectors.activity_list(user=user, month=month)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "community/activities.html",
        {
            "page_obj": page_obj,
            "month": month,
            "form": form,
            "communities": _communities(user),
            "projects": Project.objects.visible_to(user).filter(month=month)[:100],
            "teams": VolunteerTeam.objects.visible_to(user)[:200],
        },
        status=400 if form.errors else 200,
    )


def _visible_activity(request, pk: int):
    a = _get(selectors.activity_list(user=request.user), pk)
    if a is None:
        raise NotFound(_("活动不存在，或不在您的管辖范围内。"))
    return a


@page("services")
def activity_detail(request, pk: int):
    a = _visible_activity(request, pk)
    form = forms.ActivityCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and submit(
        form, lambda data: services.activity_cancel(by=request.user, activity=a, **data)
    ):
        messages.success(request, _("活动已取消，已报名的人会收到通知。"))
        return redirect("services:activity", pk=pk)
    return render(
        request,
        "community/activity.html",
        {
            "activity": a,
            "participants": selectors.activity_participants(a),
            "rating": selectors.activity_rating(a),
            "can_manage": can_manage(request.user, a),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@page("services")
def activity_qr(request, pk: int):
    """The code shown at the activity: a fresh signed check-in (or check-out) code each minute."""
    import segno

    a = _visible_activity(request, pk)
    if not can_manage(request.user, a):
        raise Forbidden(_("只有活动组织者可以展示签到码。"))
    kind = "out" if request.GET.get("kind") == "out" else "in"
    url = request.build_absolute_uri(
        reverse("m_services:checkin") + "?c=" + services.checkin_code(a, kind)
    )
    return render(
        request,
        "community/activity_qr.html",
        {
            "activity": a,
            "kind": kind,
            "svg": segno.make(url, error="m").svg_inline(scale=6),
            "url": url,
            "refresh": services.CHECKIN_REFRESH,
        },
    )
