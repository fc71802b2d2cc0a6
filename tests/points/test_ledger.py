"""The ledger: one entry per (rule, source), caps, reversals, four-eyes manual entries,
balances and rankings derived from the ledger, and the rebuild that finds the same numbers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiceng.core.errors import Forbidden, UserError
from jiceng.core.models import AuditEntry
from jiceng.points import selectors, services
from jiceng.points.models import ManualEntry, PointBalance, PointEntry, PointRule

pytestmark = pytest.mark.django_db


def at(day, hour=10, month=3, year=2025):
    return timezone.make_aware(datetime(year, month, day, hour))


def award(member, key, when, source="party.meeting.theme_day"):
    return services.award(source=source, source_key=key, member=member, occurred_at=when)


def test_the_same_source_never_scores_twice(party):
    alice = party["alice"]
    assert award(alice, "attendance:1", at(1)) == 2
    assert award(alice, "attendance:1", at(1)) == 0
    assert PointEntry.objects.count() == 1
    assert selectors.balance(member=alice, year=2025) == 2


def test_the_year_cap_stops_at_its_limit_and_the_entry_says_so(party):
    alice = party["alice"]
    booked = [award(alice, f"attendance:{i}", at(i)) for i in range(1, 7)]
    # theme day: 2 each, at most 8 a year
    assert booked == [2, 2, 2, 2, 0, 0]
    capped = PointEntry.objects.filter(points=0)
    assert capped.count() == 2 and all(e.offered == 2 for e in capped)
    assert selectors.balance(member=alice, year=2025) == 8
    # next year starts again
    assert award(alice, "attendance:99", at(1, year=2026)) == 2


def test_day_and_month_caps(party):
    alice = party["alice"]
    rule = PointRule.objects.get(code="learning")  # 1 each, at most 2 a day
    src = "party.learning_finished"
    got = [award(alice, f"learning:{i}", at(1, hour=8 + i), src) for i in range(3)]
    assert got == [1, 1, 0]
    assert award(alice, "learning:9", at(2), src) == 1
    services.rule_save(by=None, rule=rule, cap_month=3, cap_year=100)
    assert award(alice, "learning:10", at(3), src) == 0


def test_a_partial_cap_books_what_is_left(party):
    rule = PointRule.objects.get(code="meeting")  # 3 each, 12 a year
    services.rule_save(by=None, rule=rule, cap_year=10)
    alice = party["alice"]
    got = [award(alice, f"a:{i}", at(i), "party.meeting.lecture") for i in range(1, 5)]
    assert got == [3, 3, 3, 1]


def test_revoking_writes_a_reversing_entry_and_frees_the_cap(party):
    alice = party["alice"]
    for i in range(1, 5):
        award(alice, f"attendance:{i}", at(i))
    entry = PointEntry.objects.get(source_key="attendance:1")
    reversal = services.revoke(by=party["secretary"], entry=entry, reason="代签")
    assert reversal.points == -2 and reversal.reverses == entry
    assert PointEntry.objects.count() == 5  # nothing removed
    assert selectors.balance(member=alice, year=2025) == 6
    assert award(alice, "attendance:5", at(5)) == 2  # the cap has room again
    with pytest.raises(UserError, match="已冲销"):
        services.revoke(by=party["secretary"], entry=entry, reason="again")
    with pytest.raises(Forbidden):
        services.revoke(
            by=party["outsider"],
            entry=PointEntry.objects.get(source_key="attendance:2"),
            reason="x",
        )


def test_the_ledger_cannot_be_changed_or_deleted(party):
    award(party["alice"], "attendance:1", at(1))
    entry = PointEntry.objects.get()
    entry.points = 100
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        PointEntry.objects.update(points=1)


def test_a_manual_entry_needs_a_second_persons_approval(party):
    alice = party["alice"]
    bonus = PointRule.objects.get(code="manual_bonus")
    req = services.manual_request(
        by=party["secretary"], member=alice, rule=bonus, points=5, reason="抗洪抢险表现突出"
    )
    assert not PointEntry.objects.exists()
    before = (PointEntry.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Forbidden, match="另一人"):
        services.manual_decide(by=party["secretary"], request=req, approve=True)
    assert (PointEntry.objects.count(), AuditEntry.objects.count()) == before
    req.refresh_from_db()
    assert req.status == "pending"
    with pytest.raises(Forbidden):
        services.manual_decide(by=party["outsider"], request=req, approve=True)
    services.manual_decide(by=party["worker"], request=req, approve=True)
    entry = PointEntry.objects.get()
    assert entry.kind == "manual" and entry.approved_by == party["worker"]
    assert entry.created_by == party["secretary"] and entry.points == 5


def test_manual_entries_need_a_reason_and_the_right_sign(party):
    bonus = PointRule.objects.get(code="manual_bonus")
    deduction = PointRule.objects.get(code="manual_deduction")
    alice = party["alice"]
    with pytest.raises(UserError, match="理由"):
        services.manual_request(
            by=party["secretary"], member=alice, rule=bonus, points=5, reason=" "
        )
    with pytest.raises(UserError, match="负数"):
        services.manual_request(
            by=party["secretary"], member=alice, rule=deduction, points=5, reason="迟到"
        )
    assert not ManualEntry.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cap_day": 5, "cap_month": 3}, "每日上限（5）不能大于每月上限（3）"),
        ({"cap_month": 20, "cap_year": 12}, "每月上限"),
        ({"cap_day": 13, "cap_month": None, "cap_year": 12}, "每日上限"),
        ({"points": 5, "cap_year": 4}, "一次也记不满"),
        ({"cap_year": 0}, "大于 0"),
        ({"kind": "deduction"}, "负数"),
        ({"points": 0}, "不能为 0"),
        ({"source": "party.nothing"}, "未声明"),
    ],
)
def test_a_rule_with_contradicting_numbers_is_refused_and_nothing_changes(fields, message):
    rule = PointRule.objects.get(code="theme_day")
    before = {f: getattr(rule, f) for f in services.RULE_FIELDS}
    with pytest.raises(UserError, match=message):
        services.rule_save(by=None, rule=rule, **fields)
    rule = PointRule.objects.get(code="theme_day")
    assert {f: getattr(rule, f) for f in services.RULE_FIELDS} == before


def test_the_rebuild_finds_the_same_balances_including_caps_and_reversals(party):
    alice, bob, charlie = party["alice"], party["bob"], party["neighbour_member"]
    for i in range(1, 8):
        award(alice, f"attendance:{i}", at(i))
        award(bob, f"b:{i}", at(i), "party.meeting.lecture")
    award(charlie, "c:1", at(1, year=2024))
    services.revoke(by=None, entry=PointEntry.objects.get(source_key="b:2"), reason="补签无效")
    bonus = PointRule.objects.get(code="manual_bonus")
    req = services.manual_request(
        by=party["secretary"], member=alice, rule=bonus, points=5, reason="表彰", occurred_at=at(10)
    )
    services.manual_decide(by=party["worker"], request=req, approve=True)
    kept = sorted(PointBalance.objects.values_list("member_id", "year", "org_id", "points"))
    result = services.rebuild_balances(fix=False)
    assert result["differing"] == 0
    # Drop the balances; the rebuild writes the same numbers back.
    PointBalance.objects.all().delete()
    call_command("points_rebuild")
    assert sorted(PointBalance.objects.values_list("member_id", "year", "org_id", "points")) == kept
    assert dict((m, p) for m, y, o, p in kept if y == 2025) == {alice.pk: 13, bob.pk: 9}


def test_a_transfer_leaves_past_points_with_the_old_branch(party):
    from jiceng.party import services as party_services

    alice = party["alice"]
    award(alice, "attendance:1", at(1))
    party_services.member_transfer(by=party["secretary"], member=alice, to_org=party["branch2"])
    alice.refresh_from_db()
    award(alice, "attendance:2", at(2))
    old = selectors.ranking(org_id=party["branch"].pk, year=2025)
    new = selectors.ranking(org_id=party["branch2"].pk, year=2025)
    assert [(r.name, r.points) for r in old] == [("艾丽", 2)]
    assert [(r.name, r.points) for r in new] == [("艾丽", 2)]
    assert selectors.balance(member=alice, year=2025) == 4


def test_rankings_for_a_year_and_for_any_period_agree_and_rank_ties(party):
    alice, bob, charlie = party["alice"], party["bob"], party["neighbour_member"]
    award(alice, "a:1", at(1))
    award(alice, "a:2", at(2), "party.meeting.lecture")
    award(bob, "b:1", at(1), "party.meeting.lecture")
    award(charlie, "c:1", at(1), "party.meeting.lecture")
    community = party["places"]["community"].code
    year = selectors.ranking(scope_code=community, year=2025)
    assert [(r.name, r.points, r.rank) for r in year] == [("艾丽", 5, 1), ("鲍勃", 3, 2)]
    period = selectors.ranking(
        scope_code=community, start=at(1).date(), end=(at(1) + timedelta(days=1)).date()
    )
    assert [(r.name, r.points, r.rank) for r in period] == [("鲍勃", 3, 1), ("艾丽", 2, 2)]
    summary = selectors.member_summary(member=bob, year=2025)
    assert summary["balance"] == 3 and summary["rank_community"] == 2
    assert summary["rank_branch"] == 2


def test_ranking_takes_one_query(party, django_assert_max_num_queries):
    award(party["alice"], "a:1", at(1))
    with django_assert_max_num_queries(1):
        selectors.ranking(scope_code=party["places"]["community"].code, year=2025)


def test_a_ranking_for_a_nonsense_year_is_a_clear_error(client, party):
    client.force_login(party["secretary"])
    response = client.get("/points/ranking/?year=abc")
    assert response.status_code == 400 and "年度应为四位数字" in response.content.decode()


def test_rule_names_read_in_the_members_language(client, party):
    from jiceng.points.models import PointRule

    alice = party["alice"]
    award(alice, "day-1", at(5))
    own = PointRule.objects.create(
        code="clean_up", name="参加楼道清洁", kind="bonus", source="party.clean_up", points=1
    )
    services.award(source="party.clean_up", source_key="c-1", member=alice, occurred_at=at(6))
    client.force_login(alice.user)
    chinese = [e["rule"] for e in client.get("/api/points/me?year=2025").json()["entries"]]
    assert sorted(chinese) == sorted(["参加主题党日", own.name])
    client.cookies["django_language"] = "en"
    english = [e["rule"] for e in client.get("/api/points/me?year=2025").json()["entries"]]
    # a starter rule in English; the district's own rule as the district wrote it
    assert sorted(english) == sorted(["Took part in a theme party day", "参加楼道清洁"])
    page = client.get("/points/me/?year=2025").content.decode()
    assert "Took part in a theme party day" in page
