"""Notifications: an in-app row per person, copies sent through pluggable channels.

A channel is a class with a ``name`` and ``send(notification)``; settings list the enabled ones
(JICENG_NOTIFY_CHANNELS, dotted paths). Sending runs in the task queue with retries, after the
transaction that caused it commits; a periodic sweep sends what the queue never got (Redis down
when it was enqueued) or gave up on.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from jiceng.core.models import Notification

log = logging.getLogger("jiceng.notify")


class Channel(Protocol):
    name: str

    def send(self, notification: Notification) -> None: ...


class ConsoleChannel:
    """Writes each notification to the log (the embedded default)."""

    name = "console"

    def send(self, notification: Notification) -> None:
        log.warning(
            "通知 %s：%s %s %s",
            notification.user_id,
            notification.title,
            notification.body,
            notification.url,
        )


class WebhookChannel:
    """POSTs each notification as JSON to a gateway (an SMS or WeChat template-message relay
    the district runs): {"user", "title", "body", "url"}; the gateway knows the addresses."""

    name = "webhook"

    def __init__(self, url: str | None = None, timeout: float = 5.0):
        self.url = url or settings.NOTIFY_WEBHOOK_URL
        self.timeout = timeout

    def send(self, notification: Notification) -> None:
        if not self.url:
            raise RuntimeError("JICENG_NOTIFY_WEBHOOK_URL is not set")
        payload = json.dumps(
            {
                "user": notification.user.username,
                "title": notification.title,
                "body": notification.body,
                "url": notification.url,
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(
            self.url, data=payload, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if response.status >= 300:
                raise RuntimeError(f"gateway answered {response.status}")


def channels() -> list[Any]:
    return [import_string(path)() for path in settings.NOTIFY_CHANNELS]


def in_stored_language() -> translation.override:
    """Notifications are kept and sent (SMS, WeChat templates) in the district's language,
    whatever language the person acting reads: build their text inside this."""
    return translation.override(settings.LANGUAGE_CODE)


def notify(
    *, users: Iterable[Any], title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """Tell each of ``users`` (once each); copies go out through the channels after commit."""
    unique = {u.pk: u for u in users if u is not None and getattr(u, "pk", None)}
    rows = Notification.objects.bulk_create(
        Notification(user=u, title=title[:100], body=body[:500], url=url[:200])
        for u in unique.values()
    )
    if rows and rows[0].pk is None:
        rows = list(
            Notification.objects.filter(user__in=unique, title=title[:100]).order_by("-id")[
                : len(unique)
            ]
        )
    for row in rows:
        transaction.on_commit(lambda pk=row.pk: queue(pk))
    return rows


def queue(notification_id: int) -> None:
    """Hand one notification to the task queue. When the queue is down (Redis stopped) the
    in-app row is kept all the same and nothing fails: ``resend_unsent`` sends it later."""
    # Imported here: the task module imports this one (the task runs ``deliver``).
    from jiceng.core.tasks import send_notification

    try:
        send_notification(notification_id)
    except Exception:  # noqa: BLE001 - whatever the broker raises, the row stays and is swept
        log.warning("通知 %s 未能排队，稍后由定时任务补发", notification_id, exc_info=True)


# A notification is swept this long after it was made (its own task has retried by then) and
# until it is this old (a channel that stays broken longer is a matter for the operator).
SWEEP_AFTER = timedelta(minutes=10)
SWEEP_UNTIL = timedelta(days=2)


def unsent(*, now: datetime | None = None) -> list[int]:
    """Notifications of the sweep window that some enabled channel has not carried yet."""
    now = now or timezone.now()
    names = {channel.name for channel in channels()}
    if not names:
        return []
    rows = Notification.objects.filter(
        created_at__gte=now - SWEEP_UNTIL, created_at__lte=now - SWEEP_AFTER
    ).values_list("pk", "sent")
    return [pk for pk, sent in rows.iterator() if not names <= set(sent or [])]


def resend_unsent(*, now: datetime | None = None) -> int:
    """Send what the queue lost (an enqueue while Redis was down, a task that ran out of
    retries): each channel still once per notification."""
    sent = 0
    for pk in unsent(now=now):
        try:
            deliver(pk)
        except Exception:  # noqa: BLE001 - one broken channel must not stop the others
            log.warning("通知 %s 补发失败，下次再试", pk, exc_info=True)
        else:
            sent += 1
    return sent


def deliver(notification_id: int) -> list[str]:
    """Send one notification through every channel it has not gone through yet."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return []
    for channel in channels():
        if channel.name in notification.sent:
            continue
        channel.send(notification)  # an error here makes the task retry the rest later
        notification.sent = [*notification.sent, channel.name]
        Notification.objects.filter(pk=notification.pk).update(sent=notification.sent)
    return notification.sent
