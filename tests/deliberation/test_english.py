"""The deliberation pages and their refusals in English for who chose it (the language cookie):
the console, the resident's phone and the API; nothing is written on a refusal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.deliberation import decisions, issues
from jiceng.deliberation.models import Issue, Matter

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_console_pages_read_in_english(english, cast, now_meeting):
    english.force_login(cast["secretary"])
    meetings_page = english.get(reverse("deliberation:meetings")).content.decode()
    assert "Arrange" in meetings_page or "arrange" in meetings_page.lower()
    assert "Invited" in meetings_page and "Present" in meetings_page
    detail = english.get(reverse("deliberation:meeting", args=[now_meeting.pk])).content.decode()
    assert "Minutes and resolutions" in detail and "Invite a participant" in detail
    assert (
        "Five-step democratic decision"
        in english.get(reverse("deliberation:matters")).content.decode()
    )


def test_the_residents_phone_pages_read_in_english(english, cast, later_meeting):
    english.force_login(cast["alice"])
    home = english.get(reverse("deliberation_m:home")).content.decode()
    assert "Raise an issue" in home and "Coming meetings" in home
    refused = english.post(reverse("deliberation_m:raise"), {"title": "", "description": ""})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    assert not Issue.objects.exists()


def test_a_skipped_step_is_explained_in_english_and_nothing_moves(english, cast, now_meeting):
    matter = decisions.matter_propose(
        by=cast["secretary"],
        community=cast["community"],
        title="加装电梯",
        held_on=now_meeting.starts_at.date(),
        evidence="提议",
    )
    english.force_login(cast["secretary"])
    response = english.post(
        reverse("deliberation:matter", args=[matter.pk]),
        {"action": "publish", "held_on": now_meeting.starts_at.date().isoformat(), "evidence": "x"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "none can be skipped" in body
    assert Matter.objects.get(pk=matter.pk).status == "proposed" and matter.steps.count() == 1


def test_the_api_refuses_in_english(english, cast, now_meeting):
    issue = issues.issue_raise(by=cast["alice"], community=cast["community"], title="路灯")
    english.force_login(cast["secretary"])
    answer = english.post(
        f"/api/deliberation/issues/{issue.pk}/move",
        {"action": "report", "note": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 409
    assert "is not possible now" in answer.json()["detail"]
    assert Issue.objects.get(pk=issue.pk).status == "collected"
