"""What a party page names (a member, a unit, a grid, a lead household) is resolved through what
the viewer may see: elsewhere reads exactly like missing (404), and nothing changes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.core.models import AuditEntry
from jiceng.party import meetings
from jiceng.party.models import Attendance, CommitteeSeat, DuesPayment, LeadHousehold
from tests.factories import division, partner

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Attendance.objects.count(),
        CommitteeSeat.objects.count(),
        DuesPayment.objects.count(),
        LeadHousehold.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def meeting(party):
    starts = timezone.now() - timedelta(hours=1)
    return meetings.meeting_create(
        by=party["secretary"],
        org=party["other_branch"].parent,
        kind="committee_meeting",
        title="支委会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )


def _answers(client, url, field, values, **data):
    answers = []
    for value in values:
        response = client.post(url, {field: value, **data})
        said = re.search(r'data-testid="error-message">(.*?)<', response.content.decode(), re.S)
        answers.append((response.status_code, said.group(1) if said else None))
    return answers


def test_recording_attendance_of_a_member_elsewhere_reads_like_a_missing_member(client, party):
    starts = timezone.now() - timedelta(hours=1)
    ours = meetings.meeting_create(
        by=party["secretary"],
        org=party["branch"],
        kind="committee_meeting",
        title="支委会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    client.force_login(party["secretary"])
    before = _counts()
    theirs, missing = _answers(
        client,
        f"/console/party/meetings/{ours.pk}/",
        "member",
        [party["neighbour_member"].pk, 10**9],
        action="attendance",
        present="on",
    )
    assert theirs == missing and theirs[0] == 404
    assert _counts() == before


def test_a_seat_naming_a_unit_of_another_district_is_not_found_and_not_added(client, party):
    elsewhere = partner("邻区公司", "company", division("360603", "邻区"))
    client.force_login(party["secretary"])
    before = _counts()
    url = f"/console/party/orgs/{party['committee'].pk}/"
    theirs, missing = _answers(
        client,
        url,
        "partner",
        [elsewhere.pk, 10**9],
        action="seat",
        name="王委员",
        title="兼职委员",
    )
    assert theirs == missing and theirs[0] == 404
    assert _counts() == before


def test_malformed_ids_in_party_forms_are_not_found_rather_than_server_errors(client, party):
    client.force_login(party["secretary"])
    before = _counts()
    member = party["alice"]
    assert client.post("/console/party/dues/", {"member": "abc"}).status_code == 404
    lead = client.post(
        f"/console/party/members/{member.pk}/", {"action": "lead", "grid": "abc", "address": "x"}
    )
    assert lead.status_code == 404
    org = f"/console/party/orgs/{party['committee'].pk}/"
    assert client.post(org, {"action": "link", "lead": "abc", "member": "x"}).status_code == 404
    assert client.post(org, {"action": "household", "link": "abc"}).status_code == 404
    assert _counts() == before


def test_a_lead_household_in_a_grid_of_the_neighbour_is_not_found(client, party):
    client.force_login(party["secretary"])
    before = _counts()
    member = party["alice"]
    url = f"/console/party/members/{member.pk}/"
    theirs, missing = _answers(
        client, url, "grid", [party["places"]["grid_n"].pk, 10**9], action="lead", address="x"
    )
    assert theirs == missing and theirs[0] == 404
    assert _counts() == before
