"""Ballots: one per household whatever the channel, refusals that change nothing, receipts, the
voted register apart from the ballots, paper batches typed twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from jiceng.deliberation import ballots, polls
from jiceng.deliberation.models import Ballot, BallotMark, PaperBatch, PaperEntry, Poll, VoteRecord
from tests.deliberation_polls.conftest import make_poll, option


def counts(poll):
    return (VoteRecord.objects.filter(poll=poll).count(), Ballot.objects.filter(poll=poll).count())


@pytest.mark.django_db
def test_the_electorate_is_the_households_of_the_community_with_an_adult(cast):
    poll = make_poll(cast)
    assert poll.electorate_size == 4  # h1..h4; the neighbour's household is not ours
    adults = make_poll(cast, electorate=Poll.Electorate.ADULT)
    assert adults.electorate_size == 5  # the child does not count
    building = make_poll(cast, building=cast["b2"])
    assert building.electorate_size == 2


@pytest.mark.django_db
def test_a_household_votes_once_and_the_second_adult_is_told(cast):
    poll = make_poll(cast)
    receipt = ballots.cast_web(poll=poll, user=cast["wang"], options=[option(poll, 1)])
    assert len(receipt) == 14 and ballots.receipt_counted(poll, receipt)
    with pytest.raises(UserError) as refused:
        ballots.cast_web(poll=poll, user=cast["li"], options=[option(poll, 2)])
    assert "本户已投票" in refused.value.message and refused.value.status == 409
    assert counts(poll) == (1, 1)
    assert ballots.my_vote(poll, cast["li"]).channel == "web"


@pytest.mark.django_db
def test_refusals_change_nothing(cast):
    poll = make_poll(cast)
    other = make_poll(cast, title="别的票决")
    cases = [
        (cast["kid_user"], [option(poll, 1)], "年满18周岁"),
        (cast["qian"], [option(poll, 1)], "不在本次票决"),
        (cast["unlinked"], [option(poll, 1)], "尚未与居民登记信息关联"),
        (cast["wang"], [option(other, 1)], "选项不存在"),
        (cast["wang"], [], "请选择一项"),
        (cast["wang"], [option(poll, 1), option(poll, 2)], "请选择一项"),
    ]
    for user, chosen, words in cases:
        with pytest.raises(UserError) as refused:
            ballots.cast_web(poll=poll, user=user, options=chosen)
        assert words in refused.value.message
    assert counts(poll) == (0, 0)
    polls.poll_close(poll=poll, by=cast["secretary"])
    with pytest.raises(UserError, match="投票已结束"):
        ballots.cast_web(poll=poll, user=cast["wang"], options=[option(poll, 1)])
    assert counts(poll) == (0, 0)


@pytest.mark.django_db
def test_the_voted_register_and_the_ballots_share_no_key(cast):
    poll = make_poll(cast)
    ballots.cast_web(poll=poll, user=cast["wang"], options=[option(poll, 2)])
    record = VoteRecord.objects.get(poll=poll)
    ballot = Ballot.objects.get(poll=poll)
    assert record.household_id == cast["h1"].pk
    names = {f.name for f in Ballot._meta.get_fields()}
    assert not names & {"household", "person", "voter_key", "by", "at", "created_at"}
    assert ballot.receipt_hash and ballot.receipt_hash not in str(record.__dict__)
    entry = AuditEntry.objects.get(action="poll.ballot.web")
    assert str(option(poll, 2)) not in str(entry.detail)  # the audit names no choice


@pytest.mark.django_db
def test_kinds_of_ballot_are_checked(cast):
    approval = make_poll(cast, kind=Poll.Kind.APPROVAL, max_choices=2)
    with pytest.raises(UserError, match="最多可选 2 项"):
        ballots.cast_web(
            poll=approval, user=cast["wang"], options=[option(approval, p) for p in (1, 2, 3)]
        )
    ballots.cast_web(
        poll=approval, user=cast["wang"], options=[option(approval, 1), option(approval, 3)]
    )
    score = make_poll(cast, kind=Poll.Kind.SCORE, score_max=5)
    ids = [option(score, p) for p in (1, 2, 3)]
    with pytest.raises(UserError, match="请为每个选项评分"):
        ballots.cast_web(poll=score, user=cast["wang"], scores={ids[0]: 3})
    with pytest.raises(UserError, match="评分须在"):
        ballots.cast_web(poll=score, user=cast["wang"], scores=dict.fromkeys(ids, 9))
    ranked = make_poll(cast, kind=Poll.Kind.RANKED)
    first = option(ranked, 1)
    with pytest.raises(UserError, match="每项只能出现一次"):
        ballots.cast_web(poll=ranked, user=cast["wang"], ranking=[first, first])
    assert BallotMark.objects.filter(poll=approval).count() == 2


def paper(poll, cast, text, sheets=None, by="secretary"):
    return ballots.batch_create(
        poll=poll,
        by=cast[by],
        sheets=sheets or len(text.splitlines()),
        signed_by="唱票人 张三",
        lines=text,
    )


@pytest.mark.django_db
def test_a_paper_batch_counts_only_when_two_people_typed_the_same(cast):
    poll = make_poll(cast)
    h2, h3 = cast["h2"].pk, cast["h3"].pk
    batch = paper(poll, cast, f"{h2} 赞成\n{h3} 2")
    with pytest.raises(UserError, match="两次录入一致后"):
        ballots.batch_count(batch=batch, by=cast["secretary"])
    with pytest.raises(UserError, match="另一位工作人员"):
        ballots.batch_second(batch=batch, by=cast["secretary"], lines=f"{h2} 1\n{h3} 2")
    batch = ballots.batch_second(batch=batch, by=cast["worker"], lines=f"{h2} 1\n{h3} 1")
    assert batch.status == PaperBatch.Status.DIFFERS
    diff = ballots.differences(batch)
    assert [d["line"] for d in diff] == [2]
    with pytest.raises(UserError):
        ballots.batch_count(batch=batch, by=cast["secretary"])
    assert counts(poll) == (0, 0)
    batch = ballots.batch_correct(
        batch=batch, by=cast["secretary"], round=2, line=2, text=f"{h3} 反对"
    )
    assert batch.status == PaperBatch.Status.AGREED
    assert PaperEntry.objects.filter(batch=batch, superseded=True).count() == 1  # kept
    ballots.batch_count(batch=batch, by=cast["worker"])
    assert counts(poll) == (2, 2)
    assert set(VoteRecord.objects.values_list("channel", flat=True)) == {"paper"}
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "poll.paper.first",
        "poll.paper.second",
        "poll.paper.correct",
        "poll.paper.count",
    } <= actions


@pytest.mark.django_db
def test_paper_and_web_cannot_both_count_for_one_household(cast):
    poll = make_poll(cast)
    h1, h2 = cast["h1"].pk, cast["h2"].pk
    batch = paper(poll, cast, f"{h1} 1\n{h2} 1")
    batch = ballots.batch_second(batch=batch, by=cast["worker"], lines=f"{h1} 1\n{h2} 1")
    ballots.cast_web(poll=poll, user=cast["li"], options=[option(poll, 2)])  # h1 on the phone first
    with pytest.raises(UserError, match="第1行：本户已投票"):
        ballots.batch_count(batch=batch, by=cast["secretary"])
    assert counts(poll) == (1, 1)  # the whole batch waits; nothing of it counted
    ballots.batch_correct(batch=batch, by=cast["secretary"], round=1, line=1, text=f"{h1} 作废")
    ballots.batch_correct(batch=batch, by=cast["worker"], round=2, line=1, text=f"{h1} 作废")
    with pytest.raises(UserError, match="本户已投票"):
        ballots.batch_count(batch=batch, by=cast["secretary"])
    # and the other way round: a household counted on paper cannot vote on the phone
    h4 = cast["h4"].pk
    b2 = paper(poll, cast, f"{h4} 1")
    ballots.batch_second(batch=b2, by=cast["worker"], lines=f"{h4} 1")
    ballots.batch_count(batch=b2, by=cast["secretary"])
    with pytest.raises(UserError, match="本户已投票"):
        ballots.cast_web(poll=poll, user=cast["zhou"], options=[option(poll, 1)])
    assert counts(poll) == (2, 2)


@pytest.mark.django_db
def test_paper_lines_are_checked_with_their_numbers(cast):
    poll = make_poll(cast)
    for text, sheets, words in [
        (f"{cast['h1'].pk} 1", 2, "录入了 1 张，批次登记为 2 张"),
        (f"{cast['hn'].pk} 1", 1, "第1行：该户不在本次票决的投票范围内"),
        (f"{cast['h1'].pk} 7", 1, "第1行：所选选项不存在"),
        (f"{cast['h1'].pk} 1\n{cast['h1'].pk} 2", 2, "第2行：同一批次中重复录入"),
        ("abc", 1, "请写明编号和选择"),
    ]:
        with pytest.raises(UserError, match=words):
            paper(poll, cast, text, sheets=sheets)
    assert PaperBatch.objects.count() == 0


@pytest.mark.django_db
def test_results_and_the_art_9_rule(cast):
    poll = make_poll(cast)
    for user, answer in [("wang", 1), ("zhao", 1), ("zhou", 2)]:
        ballots.cast_web(poll=poll, user=cast[user], options=[option(poll, answer)])
    poll = polls.poll_close(poll=poll, by=cast["secretary"])
    result = polls.tally(poll)
    assert (result.ballots, result.electorate, result.quorum_met, result.passed) == (
        3,
        4,
        True,
        True,
    )
    assert [o.votes for o in result.options] == [2, 1, 0]
    assert poll.passed and poll.outcome == "表决通过。"
    assert poll.result.passed  # the outcome for the app that carries it out


def test_share_rules_are_exact():
    assert polls.residents_meeting(present=51, electorate=100, yes=26) == (True, True)
    assert polls.residents_meeting(present=50, electorate=100, yes=50) == (False, False)
    assert polls.residents_meeting(present=51, electorate=100, yes=25) == (True, False)
    assert not polls.share_reached(1, 2, Decimal("0.5"))
    assert polls.share_reached(1, 2, Decimal("0.5"), at_least=True)
    # owners' matters (民法典 art. 278): 2/3 of the owners and of the area take part, then
    # more than half of both (ordinary) or at least 3/4 of both (major)
    assert polls.owners_quorum(
        owners=67, all_owners=100, area=Decimal(6667), all_area=Decimal(10000)
    )
    assert not polls.owners_quorum(
        owners=66, all_owners=100, area=Decimal(9000), all_area=Decimal(10000)
    )
    ordinary = dict(share=Decimal("0.5"), area_share=Decimal("0.5"))
    assert polls.double_threshold(
        yes=6, present=10, yes_area=Decimal(501), present_area=Decimal(1000), **ordinary
    )
    assert not polls.double_threshold(
        yes=6, present=10, yes_area=Decimal(500), present_area=Decimal(1000), **ordinary
    )
    major = dict(share=Decimal("0.75"), area_share=Decimal("0.75"), at_least=True)
    assert polls.double_threshold(
        yes=75, present=100, yes_area=Decimal(750), present_area=Decimal(1000), **major
    )
    assert not polls.double_threshold(
        yes=74, present=100, yes_area=Decimal(900), present_area=Decimal(1000), **major
    )


@pytest.mark.django_db
def test_without_quorum_nothing_passes(cast):
    poll = make_poll(cast)
    ballots.cast_web(poll=poll, user=cast["wang"], options=[option(poll, 1)])
    ballots.cast_web(poll=poll, user=cast["zhao"], options=[option(poll, 1)])
    result = polls.tally(polls.poll_close(poll=poll, by=cast["secretary"]))
    assert (result.quorum_met, result.passed) == (False, False)  # 2 of 4 is not more than half


@pytest.mark.django_db
def test_ranked_and_score_counts(cast):
    ranked = make_poll(
        cast, kind=Poll.Kind.RANKED, electorate=Poll.Electorate.ADULT, quorum_share=Decimal(0)
    )
    a, b, c = (option(ranked, p) for p in (1, 2, 3))
    for user, order in [
        ("wang", [a, b, c]),
        ("li", [a, c, b]),
        ("zhao", [b, c, a]),
        ("zhou", [c, b, a]),
    ]:
        ballots.cast_web(poll=ranked, user=cast[user], ranking=order)
    result = polls.tally(polls.poll_close(poll=ranked, by=cast["secretary"]))
    # round 1: a 2, b 1, c 1 -> c (fewest, later) out; round 2: a 2, b 2 -> b out... a wins
    assert result.winners[0].id == a and len(result.rounds) >= 2
    score = make_poll(
        cast, kind=Poll.Kind.SCORE, electorate=Poll.Electorate.ADULT, quorum_share=Decimal(0)
    )
    x, y, z = (option(score, p) for p in (1, 2, 3))
    ballots.cast_web(poll=score, user=cast["wang"], scores={x: 5, y: 3, z: 1})
    ballots.cast_web(poll=score, user=cast["li"], scores={x: 4, y: 5, z: 1})
    result = polls.tally(polls.poll_close(poll=score, by=cast["secretary"]))
    assert [o.mean for o in result.options] == [Decimal("4.50"), Decimal("4.00"), Decimal("1.00")]
    assert result.winners[0].id == x


@pytest.mark.django_db
def test_turnout_per_grid_while_the_vote_runs(cast):
    poll = make_poll(cast)
    ballots.cast_web(poll=poll, user=cast["wang"], options=[option(poll, 1)])
    rows = {r["code"]: r for r in polls.turnout_by_grid(poll)}
    g1, g2 = cast["places"]["grid1"].code, cast["places"]["grid2"].code
    assert (rows[g1]["voted"], rows[g1]["electorate"], rows[g1]["share"]) == (1, 2, 50.0)
    assert (rows[g2]["voted"], rows[g2]["electorate"]) == (0, 2)


@pytest.mark.django_db
def test_staff_of_another_community_cannot_manage(cast):
    poll = make_poll(cast, open=False)
    with pytest.raises(UserError):
        polls.poll_open(poll=poll, by=cast["outsider"])
    with pytest.raises(UserError):
        polls.poll_create(
            by=cast["outsider"],
            division=cast["places"]["community"],
            title="x",
            kind="yes_no",
            electorate="household",
            closes_at=poll.closes_at,
        )
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.DRAFT
