"""A community's activities as an iCalendar (RFC 5545) feed that calendar apps subscribe to.

The ``icalendar`` package does the escaping, line folding and time zones; each activity is one
VEVENT with a stable UID (so an app updates it rather than duplicating it), its SEQUENCE from
the row's last change, and STATUS:CANCELLED when it is called off.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from jiceng.community.models import Activity
from jiceng.geo.models import Division

PAST = timedelta(days=90)  # how far back the feed reaches
LIMIT = 2000  # at most this many events (a year of a busy community)


def feed_path(code: str) -> str:
    return reverse("m_services:feed", args=[code])


def community_feed(*, community: Division, base: str) -> bytes:
    """The feed's bytes: activities from PAST ago onwards, soonest first."""
    cal = Calendar()
    cal.add("prodid", "-//jiceng//community activities//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{community.name} · 社区活动")
    cal.add("x-wr-timezone", timezone.get_current_timezone_name())
    host = base.split("//", 1)[-1].strip("/").split("/")[0] or "jiceng"
    rows = (
        Activity.objects.filter(scope_code=community.code, ends_at__gte=timezone.now() - PAST)
        .only(
            "id",
            "title",
            "description",
            "place",
            "starts_at",
            "ends_at",
            "capacity",
            "taken",
            "status",
            "created_at",
            "updated_at",
        )
        .order_by("starts_at", "id")[:LIMIT]
    )
    stamp = timezone.now()
    local = timezone.get_current_timezone()
    for a in rows:
        event = Event()
        event.add("uid", f"activity-{a.pk}@{host}")
        event.add("dtstamp", stamp)
        # Local wall time with its TZID (a VTIMEZONE is added below), whole seconds.
        event.add("dtstart", a.starts_at.astimezone(local).replace(microsecond=0))
        event.add("dtend", a.ends_at.astimezone(local).replace(microsecond=0))
        event.add("summary", a.title)
        event.add("location", a.place)
        left = max(a.capacity - a.taken, 0)
        event.add("description", f"{a.description}\n名额 {a.capacity}，剩余 {left}".strip())
        event.add("url", base.rstrip("/") + reverse("m_services:activity", args=[a.pk]))
        event.add("created", a.created_at)
        event.add("last-modified", a.updated_at)
        event.add("sequence", int((a.updated_at - a.created_at).total_seconds()) // 60)
        event.add("status", "CANCELLED" if a.status == Activity.Status.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
