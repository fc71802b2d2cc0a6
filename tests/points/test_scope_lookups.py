"""What the points pages and API name (a party organization, a member, a rule) is resolved through
what the viewer sees: elsewhere, missing and malformed read alike, and nothing changes."""

from __future__ import annotations

import re

import pytest

from jiceng.core.models import AuditEntry
from jiceng.points.models import ManualEntry, PointRule
from tests.factories import partner, user_with_role

pytestmark = pytest.mark.django_db


def _said(response) -> tuple[int, str | None]:
    found = re.search(r'data-testid="error-message">(.*?)<', response.content.decode(), re.S)
    return response.status_code, found.group(1) if found else None


def test_a_ranking_of_an_organization_elsewhere_reads_like_a_missing_one(client, party):
    client.force_login(party["secretary"])
    theirs = party["other_branch"].pk
    pages = [_said(client.get("/points/ranking/", {"org": v})) for v in (theirs, 10**9, "abc")]
    assert pages[0][0] == 404 and pages.count(pages[0]) == 3
    apis = [client.get("/api/points/ranking", {"org": v}) for v in (theirs, 10**9)]
    assert [r.status_code for r in apis] == [404, 404]
    assert len({r.json()["detail"] for r in apis}) == 1
    # An id no row can have is refused by the API's bounds before any lookup (hole 6).
    huge = client.get("/api/points/ranking", {"org": 2**63})
    assert huge.status_code == 422 and "org" in huge.json()["detail"]


def test_partner_staff_asking_for_a_ranking_without_an_organization_are_told_to_name_one(
    client, party
):
    unit = partner("江边供电所", "enterprise", party["places"]["community"])
    staff = user_with_role("partner_staff", unit=unit)
    client.force_login(staff)
    response = client.get("/api/points/ranking")
    assert response.status_code == 400
    assert "请指定党组织" in response.json()["detail"]


def test_a_manual_entry_for_a_member_elsewhere_reads_like_one_for_a_missing_member(client, party):
    client.force_login(party["secretary"])
    bonus = PointRule.objects.get(code="manual_bonus")
    before = (ManualEntry.objects.count(), AuditEntry.objects.count())
    form = {"rule": bonus.pk, "points": "5", "reason": "志愿服务"}
    answers = [
        _said(client.post("/points/manual/", {**form, "member": v}))
        for v in (party["neighbour_member"].pk, 10**9, "abc")
    ]
    assert answers[0][0] == 404 and answers.count(answers[0]) == 3
    assert (
        _said(client.post("/points/manual/", {**form, "member": party["alice"].pk, "rule": "x"}))[0]
        == 404
    )
    assert (ManualEntry.objects.count(), AuditEntry.objects.count()) == before
