"""Periodic housekeeping run by the task worker."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jiceng.core.notify import deliver, resend_unsent


@db_periodic_task(crontab(hour="3", minute="10"), retries=3, retry_delay=60)
def clear_expired_sessions() -> int:
    """Delete expired database sessions (sessions in Redis expire by themselves)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@db_task(retries=5, retry_delay=30)
def send_notification(notification_id: int) -> list[str]:
    """Carry a notification through the channels; retried when a channel fails."""
    return deliver(notification_id)


@db_periodic_task(crontab(minute="*/5"))
def resend_unsent_notifications() -> int:
    """Every five minutes: send the notifications the queue lost (Redis was down)."""
    return resend_unsent()
