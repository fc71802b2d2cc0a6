"""What the warning centre watches in projects: a monthly report that is late (last month has no
report and the month is over) and every rectification item not yet verified (its owner is told
besides the place's staff)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone

from jiceng.core.registry import SEVERE, WARNING, Alert
from jiceng.projects.models import Rectification
from jiceng.projects.selectors import late_reports
from jiceng.projects.services import month_of


def late_report_alerts(today: date | None = None) -> list[Alert]:
    today = today or timezone.localdate()
    month = month_of(today)
    rows = late_reports(today).values_list("pk", "scope_code", "title", "owner_id")
    return [
        Alert(
            key=f"projects.reports:{pk}:{month:%Y%m}",
            scope_code=scope,
            title=f"项目月报逾期：{title}",
            since=month,
            url=reverse("projects:project", args=[pk]),
            body="上月进展月报未报告。",
        )
        for pk, scope, title, _owner in rows
    ]


def open_item_alerts(today: date | None = None) -> list[Alert]:
    today = today or timezone.localdate()
    rows = (
        Rectification.objects.exclude(status=Rectification.Status.VERIFIED)
        .select_related("owner", "supervision")
        .order_by("id")
    )
    alerts = []
    for item in rows:
        title = f"督查整改未销号：{item.text}"[:100]
        url = reverse("projects:supervision", args=[item.supervision_id])
        body = f"整改责任人 {item.owner.full_name or item.owner.username}，期限 {item.deadline:%Y-%m-%d}。"
        alerts.append(
            Alert(
                key=f"projects.rectify:{item.pk}",
                scope_code=item.scope_code,
                title=title,
                since=item.supervision.created_at,
                url=url,
                severity=SEVERE if item.deadline < today else WARNING,
                body=body,
                also_tell=([item.owner], title, body, url),
            )
        )
    return alerts
