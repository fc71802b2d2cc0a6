"""Venues' warning source for the warning centre: booking requests still waiting for a
decision when their time is two days away or less (severe within the day)."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from jiceng.core.registry import SEVERE, WARNING, Alert
from jiceng.venues.models import Booking


def waiting_booking_alerts(today: date | None = None) -> list[Alert]:
    now = timezone.now()
    rows = Booking.objects.filter(
        status=Booking.Status.PENDING, starts_at__gt=now, starts_at__lt=now + timedelta(days=2)
    ).values_list("pk", "scope_code", "venue_id", "venue__name", "title", "starts_at", "created_at")
    return [
        Alert(
            key=f"venues.bookings:{pk}",
            scope_code=scope,
            title=f"场地预约待审批：{venue_name}（{title}）",
            since=created,
            url=reverse("venues:detail", args=[venue_id])
            + f"?week={timezone.localtime(starts):%Y-%m-%d}",
            severity=SEVERE if starts < now + timedelta(days=1) else WARNING,
            body=f"{timezone.localtime(starts):%m-%d %H:%M} 开始，尚未审批。",
        )
        for pk, scope, venue_id, venue_name, title, starts, created in rows
    ]
