"""What a community-services page names (a need to merge into, a partner unit, a team, a member,
a project) is resolved through what the staff member sees: elsewhere reads exactly like missing
(404), and nothing changes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.community import services
from jiceng.community.models import Activity, Need, Offer, Project, ServiceOrder
from jiceng.core.models import AuditEntry
from tests.factories import partner
from tests.party.conftest import member_user

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(Need.objects.values_list("pk", "status", "merged_into_id").order_by("pk")),
        Offer.objects.count(),
        Project.objects.count(),
        Activity.objects.count(),
        ServiceOrder.objects.count(),
        AuditEntry.objects.count(),
    )


def _answers(client, url, field, values, **data):
    """(status, message) of the same form naming each value in turn."""
    answers = []
    for value in values:
        response = client.post(url, {field: value, **data})
        said = re.search(r'data-testid="error-message">(.*?)<', response.content.decode(), re.S)
        answers.append((response.status_code, said.group(1) if said else None))
    return answers


@pytest.fixture
def theirs(cast):
    """The neighbour community's own need, team, member and project."""
    from jiceng.party.models import PartyOrg

    need = services.need_post(by=cast["neighbour_resident"], title="他们的需求")
    services.need_accept(by=cast["outsider"], need=need)
    team = services.team_create(by=cast["outsider"], community=cast["neighbour"], name="湖西服务队")
    branch = PartyOrg.objects.create(
        name="湖西社区第1网格党支部", kind="branch", division=cast["places"]["grid_n"]
    )
    unit = partner("湖西物业", "enterprise", cast["neighbour"])
    offer = services.offer_create(
        by=cast["outsider"],
        community=cast["neighbour"],
        title="他们的服务",
        kind="care",
        capacity=5,
        when="周末",
        where="湖西",
        partner=unit,
    )
    project = services.project_create(
        by=cast["outsider"],
        community=cast["neighbour"],
        month=timezone.localdate(),
        title="他们的草稿项目",
        needs=[need],
        offers=[offer],
        responsible=unit,
    )
    return {
        "need": need,
        "team": team,
        "unit": unit,
        "member": member_user(branch, "湖西党员"),
        "project": project,
    }


def test_merging_into_a_need_of_another_community_reads_like_a_missing_need(client, cast, theirs):
    mine = services.need_post(by=cast["resident"], title="我们的需求")
    client.force_login(cast["secretary"])
    before = _state()
    url = reverse("services:need_review", args=[mine.pk])
    outside, missing = _answers(client, url, "into", [theirs["need"].pk, 10**9], decision="merge")
    assert outside == missing and outside[0] == 404
    assert _state() == before


@pytest.mark.parametrize("provider", ["partner", "team", "member"])
def test_an_offer_naming_a_provider_of_another_community_is_not_found(
    client, cast, theirs, provider
):
    client.force_login(cast["secretary"])
    before = _state()
    named = {"partner": theirs["unit"], "team": theirs["team"], "member": theirs["member"]}
    outside, missing = _answers(
        client,
        reverse("services:offers"),
        provider,
        [named[provider].pk, 10**9],
        community=cast["community"].code,
        title="借来的服务",
        kind="care",
        capacity="3",
        when="周末",
        where="公园",
    )
    assert outside == missing and outside[0] == 404
    assert _state() == before


def test_an_activity_naming_another_communitys_draft_project_is_not_found(client, cast, theirs):
    client.force_login(cast["secretary"])
    before = _state()
    starts = timezone.localtime() + timedelta(days=2)
    outside, missing = _answers(
        client,
        reverse("services:activities"),
        "project",
        [theirs["project"].pk, 10**9],
        community=cast["community"].code,
        title="义诊",
        place="中心",
        starts_at=starts.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        capacity="10",
    )
    assert outside == missing and outside[0] == 404
    assert _state() == before


def test_a_project_naming_needs_elsewhere_or_malformed_is_not_found(client, cast, theirs):
    client.force_login(cast["secretary"])
    before = _state()
    for value in (theirs["need"].pk, "abc"):
        response = client.post(
            reverse("services:projects"),
            {
                "community": cast["community"].code,
                "title": "项目",
                "needs": [value],
                "offers": [],
                "responsible": cast["partner"].pk,
            },
        )
        assert response.status_code == 404
    assert _state() == before


def test_our_own_providers_still_make_an_offer(client, cast):
    client.force_login(cast["secretary"])
    client.post(
        reverse("services:offers"),
        {
            "community": cast["community"].code,
            "title": "送餐",
            "kind": "care",
            "capacity": "3",
            "when": "中午",
            "where": "食堂",
            "partner": cast["partner"].pk,
        },
    )
    assert Offer.objects.filter(title="送餐", partner=cast["partner"]).exists()


def test_a_team_takes_people_of_our_community_and_an_account_elsewhere_reads_like_a_missing_one(
    client, cast, theirs
):
    from jiceng.community.models import TeamMember

    team = services.team_create(
        by=cast["secretary"], community=cast["community"], name="公园服务队"
    )
    elsewhere = cast["neighbour_resident"]
    client.force_login(cast["secretary"])
    url = reverse("services:team", args=[team.pk])
    before = (TeamMember.objects.count(), AuditEntry.objects.count())
    said = []
    for username in (elsewhere.username, "ghost"):
        body = client.post(url, {"username": username}, follow=True).content.decode()
        said.append(re.findall(r'role="alert">(.*?)</li>', body, re.S))
    assert said[0] == said[1] and said[0]
    assert (TeamMember.objects.count(), AuditEntry.objects.count()) == before
    client.post(url, {"username": cast["resident"].username})
    assert TeamMember.objects.filter(team=team, user=cast["resident"]).exists()
