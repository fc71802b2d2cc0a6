"""Community services' warning source for the warning centre: service orders nobody has
accepted, severe once their service time has passed (the community was told of those by
``orders.notify_late_orders``, so the centre does not tell again), a warning within a day of
it."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from jiceng.community.models import ServiceOrder
from jiceng.community.workflow import OrderStatus
from jiceng.core.registry import SEVERE, WARNING, Alert


def unaccepted_order_alerts(today: date | None = None) -> list[Alert]:
    now = timezone.now()
    rows = ServiceOrder.objects.filter(
        status=OrderStatus.DISPATCHED, due_at__lt=now + timedelta(days=1)
    ).values_list("pk", "scope_code", "title", "due_at", "created_at", "late_notified_at")
    return [
        Alert(
            key=f"community.orders:{pk}:{created:%Y%m%d%H%M%S}",
            scope_code=scope,
            title=f"工单无人接单：{title}",
            since=created,
            url=reverse("services:order", args=[pk]),
            severity=SEVERE if due < now else WARNING,
            body=f"服务时间 {timezone.localtime(due):%m-%d %H:%M}，至今无人接单。",
            told=late is not None,
        )
        for pk, scope, title, due, created, late in rows
    ]
