"""A refusal on the points pages, API and rules reaches who chose English in English, and
changes nothing (the messages are Chinese by default; see test_ledger.py)."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import translation

from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from jiceng.points import services
from jiceng.points.models import ManualEntry, PointEntry, PointRule

pytestmark = pytest.mark.django_db


def propose(client, party, pending, **form):
    client.force_login(party["secretary"])
    bonus = PointRule.objects.get(code="manual_bonus")
    data = {"member": party["alice"].pk, "rule": bonus.pk, "points": "2", "reason": "带头", **form}
    return client.post(reverse("points:manual"), data)


def propose_points_that_are_no_number(client, party, pending):
    return propose(client, party, pending, points="two")


def propose_points_without_a_reason(client, party, pending):
    return propose(client, party, pending, reason=" ")


def propose_points_for_nobody(client, party, pending):
    return propose(client, party, pending, member="")


def approve_your_own_entry(client, party, pending):
    client.force_login(party["secretary"])
    return client.post(reverse("points:manual_decide", args=[pending.pk]), {"approve": "1"})


def reject_without_a_reason(client, party, pending):
    client.force_login(party["worker"])
    url = reverse("points:manual_decide", args=[pending.pk])
    return client.post(url, {"approve": "0", "note": ""}, follow=True)


def rank_a_nonsense_year(client, party, pending):
    client.force_login(party["secretary"])
    return client.get(reverse("points:ranking") + "?year=abc")


def rank_from_a_start_without_an_end(client, party, pending):
    client.force_login(party["secretary"])
    return client.get("/api/points/ranking?start=2026-01-01")


def look_at_points_without_being_a_member(client, party, pending):
    client.force_login(party["secretary"])
    return client.get("/api/points/me")


CASES = [
    (propose_points_that_are_no_number, "Points should be a whole number."),
    (propose_points_without_a_reason, "Manual points need a reason."),
    (propose_points_for_nobody, "Please choose a member and a rule."),
    (
        approve_your_own_entry,
        "Manual points must be reviewed by someone other than the person who entered them.",
    ),
    (reject_without_a_reason, "Please give a reason when you reject."),
    (rank_a_nonsense_year, "The year should be four digits, such as 2026."),
    (
        rank_from_a_start_without_an_end,
        "Give both a start and an end date, with the end after the start.",
    ),
    (look_at_points_without_being_a_member, "Only party members have points."),
]


@pytest.fixture
def pending(party):
    """A manual award the secretary proposed, waiting for someone else."""
    return services.manual_request(
        by=party["secretary"],
        member=party["bob"],
        rule=PointRule.objects.get(code="manual_bonus"),
        points=2,
        reason="组织志愿活动",
    )


def written() -> dict[str, object]:
    return {
        "manual": list(ManualEntry.objects.values_list("pk", "status")),
        "entries": PointEntry.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.parametrize(("submit", "says"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_points_input_is_explained_in_english_to_who_chose_it(
    client, party, pending, submit, says
):
    client.cookies["django_language"] = "en"
    before = written()
    response = submit(client, party, pending)
    if response["Content-Type"].startswith("application/json"):
        assert response.status_code in (400, 403), response.content
        text = response.json()["detail"]
    else:
        text = html.unescape(response.content.decode())
    assert says in text
    assert written() == before


@pytest.mark.parametrize(
    ("caps", "says"),
    [
        ({"cap_day": 0}, "Daily cap should be more than 0; leave it empty for no cap."),
        (
            {"cap_day": 10, "cap_month": 3},
            "Daily cap (10) cannot be more than Monthly cap (3).",
        ),
        ({"cap_year": 1}, "The points each time (2) are more than the cap (1)"),
        ({"source": "party.nothing"}, "Undeclared points source: party.nothing."),
    ],
)
def test_a_contradictory_rule_is_refused_in_english(party, caps, says):
    rules = list(PointRule.objects.values())
    with translation.override("en"), pytest.raises(UserError) as refused:
        services.rule_save(
            by=None, code="new", name="新规则", kind="bonus", points=2, **{"source": "", **caps}
        )
    assert says in refused.value.message
    assert list(PointRule.objects.values()) == rules
