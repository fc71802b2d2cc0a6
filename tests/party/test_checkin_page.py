"""The scan page of a meeting's QR (issue 19): a second scan says "已签到" with the time
instead of offering to check in again."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.party import meetings
from jiceng.party.models import Attendance
from jiceng.points.models import PointEntry
from tests.party.test_meetings import a_meeting

pytestmark = pytest.mark.django_db


def test_a_second_scan_says_already_checked_in_with_the_time(client, party):
    meeting = a_meeting(party)
    code = meetings.checkin_code(meeting)
    attendance, _points = meetings.meeting_checkin(by=party["alice"].user, code=code)
    client.force_login(party["alice"].user)
    page = client.get(reverse("party:checkin") + "?c=" + code).content.decode()
    assert 'data-testid="checkin-already"' in page and "已签到" in page
    assert timezone.localtime(attendance.checked_in_at).strftime("%H:%M") in page
    assert 'data-testid="checkin-button"' not in page


def test_a_repeated_confirm_answers_already_checked_in_and_changes_nothing(client, party):
    meeting = a_meeting(party)
    code = meetings.checkin_code(meeting)
    client.force_login(party["alice"].user)
    client.post(reverse("party:checkin"), {"c": code})
    before = (Attendance.objects.count(), PointEntry.objects.count())
    page = client.post(reverse("party:checkin"), {"c": code})
    assert page.status_code == 409 and 'data-testid="checkin-already"' in page.content.decode()
    assert (Attendance.objects.count(), PointEntry.objects.count()) == before


def test_a_first_scan_still_offers_the_button(client, party):
    meeting = a_meeting(party)
    client.force_login(party["alice"].user)
    url = reverse("party:checkin") + "?c=" + meetings.checkin_code(meeting)
    page = client.get(url).content.decode()
    assert 'data-testid="checkin-button"' in page and "checkin-already" not in page


def test_a_colleague_who_has_not_checked_in_is_offered_the_button(client, party):
    meeting = a_meeting(party)
    code = meetings.checkin_code(meeting)
    meetings.meeting_checkin(by=party["alice"].user, code=code)
    client.force_login(party["bob"].user)
    page = client.get(reverse("party:checkin") + "?c=" + code).content.decode()
    assert 'data-testid="checkin-button"' in page and "checkin-already" not in page
