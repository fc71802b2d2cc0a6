"""Console pages of service orders and micro-wishes (/console/services/orders/, /wishes/):
dispatching an order for an accepted need, acting on it, and reviewing the wishes residents
post."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.community import forms, orders, selectors, wishes
from jiceng.community.models import Need, VolunteerTeam
from jiceng.community.permissions import order_actions
from jiceng.community.views import _get
from jiceng.core.errors import NotFound
from jiceng.core.forms import submit
from jiceng.party.models import Member


@page("services")
def order_list(request):
    user = request.user
    late = request.GET.get("late") == "1"
    form = forms.OrderForm(
        request.POST if request.method == "POST" else None,
        needs=Need.objects.visible_to(user),
        members=Member.objects.visible_to(user),
        teams=VolunteerTeam.objects.visible_to(user),
    )
    if request.method == "POST":
        order = submit(form, lambda data: orders.order_dispatch(by=user, request=request, **data))
        if order is not None:
            messages.success(request, _("已派单。"))
            return redirect("services:order", pk=order.pk)
    rows = selectors.order_list(user=user, status=request.GET.get("status") or None, late=late)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "community/orders.html",
        {
            "page_obj": page_obj,
            "late": late,
            "needs": selectors.need_list(user=user, status="accepted")[:200],
            "members": Member.objects.visible_to(user).filter(is_active=True, user__isnull=False)[
                :300
            ],
            "teams": VolunteerTeam.objects.visible_to(user).filter(is_active=True)[:200],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@page("services")
def order_detail(request, pk: int):
    user = request.user
    order = selectors.order_detail(user=user, pk=pk)
    refused = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "cancel":
            form = forms.OrderCancelForm(request.POST)
        elif action == "redispatch":
            form = forms.OrderRedispatchForm(
                request.POST,
                members=Member.objects.visible_to(user),
                teams=VolunteerTeam.objects.visible_to(user),
            )
        else:
            messages.error(request, _("未知的操作。"))
            return redirect("services:order", pk=pk)
        done = submit(
            form, lambda data: orders.order_act(by=user, order=order, action=action, **data)
        )
        if done is not None:
            messages.success(request, _("已提交。"))
            return redirect("services:order", pk=pk)
        refused = {"action": action, "form": form}
    return render(
        request,
        "community/order.html",
        {
            "order": order,
            "events": order.events.select_related("actor"),
            "actions": order_actions(user, order),
            "refused": refused,
            "members": Member.objects.visible_to(user).filter(is_active=True, user__isnull=False)[
                :300
            ],
            "teams": VolunteerTeam.objects.visible_to(user).filter(is_active=True)[:200],
        },
        status=400 if refused else 200,
    )


def _wishes_page(request, *, review=None, status: int = 200):
    """The wishes list; ``review`` is a refused review drawn again beside its wish."""
    shown = request.GET.get("status", "pending")
    rows = selectors.wish_list(user=request.user, status=shown or None)
    page_obj = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/wishes.html",
        {
            "page_obj": page_obj,
            "status": shown,
            "statuses": wishes.Wish.Status.choices,
            "review": review,
        },
        status=status,
    )


@page("services")
def wish_list(request):
    return _wishes_page(request)


@page("services")
@require_POST
def wish_review(request, pk: int):
    wish = _get(selectors.wish_list(user=request.user), pk)
    if wish is None:
        raise NotFound(_("心愿不存在，或不在您的管辖范围内。"))
    form = forms.WishReviewForm(request.POST)
    if submit(form, lambda data: wishes.wish_review(by=request.user, wish=wish, **data)) is None:
        return _wishes_page(request, review={"pk": wish.pk, "form": form}, status=400)
    messages.success(request, _("已审核。"))
    return redirect(reverse("services:wishes") + "?status=pending")
