"""A refusal of the calendar and audit pages and of the working-hours settings reaches who chose
English in English, and changes nothing (the messages are Chinese by default)."""

from __future__ import annotations

import html
from datetime import datetime

import pytest
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY

from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry, CalendarDay
from jiceng.core.workdays import WorkingCalendar, parse_windows
from tests.factories import totp_device, user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "url", "status", "says"),
    [
        (
            "community_worker",
            "/console/calendar/?start=yesterday&hours=4",
            200,
            "Please enter a valid start time and number of working hours.",
        ),
        (
            "community_worker",
            "/console/calendar/?start=2025-09-30T16:00&hours=-4",
            400,
            "A time limit cannot be negative",
        ),
        ("audit_admin", "/console/audit/?since=30.09.2025", 200, "Dates must be written"),
    ],
    ids=["bad-start", "negative-hours", "bad-date"],
)
def test_bad_console_queries_are_explained_in_english_to_who_chose_it(
    client, places, role, url, status, says
):
    where = places["district"] if role == "audit_admin" else places["community"]
    user = user_with_role(role, division=where)
    client.force_login(user)
    if user.needs_otp:  # as if the second factor had been given at login
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    client.cookies["django_language"] = "en"
    before = (CalendarDay.objects.count(), AuditEntry.objects.count())
    response = client.get(url)
    assert response.status_code == status
    assert says in html.unescape(response.content.decode())
    assert (CalendarDay.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    ("compute", "says"),
    [
        (
            lambda: parse_windows("morning"),
            "Working hours written wrongly: 'morning'; write them like 08:30-12:00",
        ),
        (
            lambda: parse_windows("08:30-12:00,11:00-13:00"),
            "Working hours must be in time order and must not overlap: '11:00-13:00'",
        ),
        (
            lambda: WorkingCalendar().add_working_hours(
                timezone.make_aware(datetime(2025, 9, 30, 16)), 10**6
            ),
            "The time limit is too long to compute",
        ),
    ],
    ids=["unreadable-hours", "overlapping-hours", "endless-limit"],
)
def test_bad_working_hours_are_refused_in_english(compute, says):
    with translation.override("en"), pytest.raises(UserError) as refused:
        compute()
    assert refused.value.message == says
    assert not CalendarDay.objects.exists()
