"""The case loop's warning sources for the warning centre: open cases past their stage's limit
(severe) and those past 80% of it (a deadline to come). The case loop tells each case's owner
itself, at the minute the light turns (``escalation.send_deadline_alerts``), so these alerts are
``told``: the centre records them for the place's staff and tells no one twice."""

from __future__ import annotations

from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone

from jiceng.cases.models import Case
from jiceng.cases.workflow import OPEN
from jiceng.core.registry import SEVERE, WARNING, Alert


def _alerts(rows, *, kind: str, title: str, severity: str) -> list[Alert]:
    return [
        Alert(
            key=f"{kind}:{number}:{started:%Y%m%d%H%M%S}",
            scope_code=scope,
            title=title.format(number=number, category=category),
            since=deadline if severity == SEVERE else warn_at,
            url=reverse("cases:detail", args=[number]),
            severity=severity,
            told=True,
        )
        for number, scope, category, started, deadline, warn_at in rows
    ]


_FIELDS = ("number", "scope_code", "category__name", "stage_started_at", "deadline_at", "warn_at")


def overdue_alerts(today: date | None = None, now: datetime | None = None) -> list[Alert]:
    now = now or timezone.now()
    rows = Case.objects.filter(status__in=OPEN, deadline_at__lt=now).values_list(*_FIELDS)
    return _alerts(
        rows, kind="cases.overdue", title="案件超时：{number}（{category}）", severity=SEVERE
    )


def deadline_alerts(today: date | None = None, now: datetime | None = None) -> list[Alert]:
    now = now or timezone.now()
    rows = Case.objects.filter(status__in=OPEN, warn_at__lte=now, deadline_at__gte=now).values_list(
        *_FIELDS
    )
    return _alerts(
        rows, kind="cases.deadline", title="案件临近时限：{number}（{category}）", severity=WARNING
    )
