"""A refusal on the party pages and API reaches who chose English in English, and changes
nothing (the messages are Chinese by default; see the other tests)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiceng.core.models import AuditEntry
from jiceng.party import meetings, services
from jiceng.party.models import (
    Attendance,
    DuesPayment,
    LeadHouseholdLink,
    LearningRecord,
    Meeting,
    Registration,
)

pytestmark = pytest.mark.django_db


def fmt(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def arrange_a_meeting_that_ends_first(client, party, ready):
    client.force_login(party["secretary"])
    starts = timezone.now() + timedelta(days=2)
    form = {
        "org": party["branch"].pk,
        "kind": "theme_day",
        "title": "九月主题党日",
        "starts_at": fmt(starts),
        "ends_at": fmt(starts - timedelta(hours=1)),
    }
    return client.post(reverse("party:meetings"), form, follow=True)


def pay_dues_for_a_month_before_joining(client, party, ready):
    client.force_login(party["secretary"])
    url = reverse("party:member", args=[party["alice"].pk])
    return client.post(url, {"action": "dues", "month": "2009-03"}, follow=True)


def pay_dues_years_ahead(client, party, ready):
    client.force_login(party["secretary"])
    url = reverse("party:member", args=[party["alice"].pk])
    return client.post(url, {"action": "dues", "month": "2099-01"}, follow=True)


def ask_for_leave_without_a_reason(client, party, ready):
    client.force_login(party["secretary"])
    url = reverse("party:meeting", args=[ready["meeting"].pk])
    return client.post(
        url, {"action": "attendance", "member": party["bob"].pk, "reason": ""}, follow=True
    )


def post_a_course_of_no_minutes(client, party, ready):
    client.force_login(party["alice"].user)
    course = {
        "course": "党章学习",
        "minutes": 0,
        "finished_at": timezone.now().isoformat(),
        "external_id": "x-1",
    }
    return client.post("/api/party/learning", course, content_type="application/json")


def check_in_with_a_forged_code(client, party, ready):
    client.force_login(party["alice"].user)
    return client.post("/api/party/checkin", {"code": "1:forged"}, content_type="application/json")


def register_a_directly_managed_member(client, party, ready):
    client.force_login(party["alice"].user)
    community = party["places"]["community"]
    return client.post(
        reverse("party:mine"), {"action": "register", "community": community.pk}, follow=True
    )


def import_a_file_that_is_no_workbook(client, party, ready):
    client.force_login(party["secretary"])
    upload = SimpleUploadedFile("learning.xlsx", b"not a workbook")
    return client.post(reverse("party:learning_import"), {"file": upload})


def decide_a_registration_that_is_not_there(client, party, ready):
    client.force_login(party["secretary"])
    return client.post(reverse("party:registration_decide", args=[999999]), {"approve": "1"})


def link_the_lead_household_to_itself(client, party, ready):
    client.force_login(party["secretary"])
    url = reverse("party:org", args=[party["branch"].pk])
    form = {"action": "link", "lead": ready["lead"].pk, "member": party["alice"].pk}
    return client.post(url, form, follow=True)


@pytest.fixture
def ready(party):
    """A meeting under way and Alice's household as a lead household."""
    starts = timezone.now() - timedelta(minutes=5)
    meeting = meetings.meeting_create(
        by=party["secretary"],
        org=party["branch"],
        kind="general_meeting",
        title="支部党员大会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    lead = services.lead_household_set(
        by=party["secretary"], member=party["alice"], division=party["places"]["grid1"]
    )
    return {"meeting": meeting, "lead": lead}


def written() -> dict[str, int]:
    return {
        "meetings": Meeting.objects.count(),
        "payments": DuesPayment.objects.count(),
        "attendance": Attendance.objects.count(),
        "learning": LearningRecord.objects.count(),
        "registrations": Registration.objects.count(),
        "links": LeadHouseholdLink.objects.count(),
    }


CASES = [
    (arrange_a_meeting_that_ends_first, "The end must be after the start."),
    (
        pay_dues_for_a_month_before_joining,
        "艾丽 pays dues from July 2010; nothing is due for March 2009.",
    ),
    (pay_dues_years_ahead, "Dues can be paid at most one year in advance."),
    (ask_for_leave_without_a_reason, "Please give the reason for the leave of absence."),
    (post_a_course_of_no_minutes, "The study time should be between 1 and 1440 minutes."),
    (check_in_with_a_forged_code, "The check-in code is not valid"),
    (
        register_a_directly_managed_member,
        "Only in-service members register with their home community.",
    ),
    (import_a_file_that_is_no_workbook, "This is not an Excel workbook (.xlsx)"),
    (
        decide_a_registration_that_is_not_there,
        "No such registration, or it is outside your area.",
    ),
    (
        link_the_lead_household_to_itself,
        "The lead household's member need not keep in touch with themselves.",
    ),
]


@pytest.mark.parametrize(("submit", "says"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_party_input_is_explained_in_english_to_who_chose_it(
    client, party, ready, submit, says
):
    client.cookies["django_language"] = "en"
    before, audited = written(), AuditEntry.objects.count()
    response = submit(client, party, ready)
    if response["Content-Type"].startswith("application/json"):
        assert response.status_code in (400, 404, 410), response.content
        text = response.json()["detail"]
    else:
        text = html.unescape(response.content.decode())
    assert says in text
    assert written() == before
    assert AuditEntry.objects.count() == audited


def test_the_same_refusal_stays_chinese_by_default(client, party, ready):
    response = pay_dues_for_a_month_before_joining(client, party, ready)
    assert "艾丽自 2010年07月 起交纳党费，2009年03月无需交纳。" in response.content.decode()
