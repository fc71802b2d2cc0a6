"""Scoring: a community's total recomputed by hand from its records equals the published score;
the refusals of schemes, manual scores, adjustments, appeals and publishing; the history of a
changed score."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from jiceng.assessment import schemes, scoring, services
from jiceng.assessment.models import (
    ItemScore,
    Node,
    Result,
    Round,
    Scheme,
    ScoreChange,
    Source,
    SubjectKind,
)
from jiceng.cases.models import CaseCategory
from jiceng.core.errors import Forbidden, UserError
from jiceng.dashboard import snapshots
from jiceng.party.models import PartyOrg
from jiceng.projects.models import Commitment, Evaluation
from tests.assessment.conftest import YEAR, linear_points, tallied_case
from tests.conftest import restore_starter_categories
from tests.factories import user_with_role
from tests.party.conftest import make_member

CASES = [
    # (answered on time, status, reworked, rating)
    (True, "closed", False, "satisfied"),
    (True, "evaluated", False, "dissatisfied"),
    (True, "closed", True, "basically_satisfied"),
    (False, "in_progress", False, ""),
]


def _cases(places, reporter):
    restore_starter_categories()
    category = CaseCategory.objects.get(code="0101")
    for i, (on_time, status, reworked, rating) in enumerate(CASES):
        tallied_case(
            f"A{i:05d}",
            category,
            places["grid1"].code,
            reporter,
            status=status,
            rating=rating,
            on_time=on_time,
            reworked=reworked,
        )


_linear = linear_points


def test_a_communitys_total_recomputed_by_hand_from_its_records(cast, community_scheme):
    places = cast["places"]
    _cases(places, cast["secretary"])
    keys = sorted({n.indicator for n in community_scheme.nodes.all() if n.indicator})
    snapshots.compute_period("year", date(YEAR, 1, 1), keys=keys)
    rnd = services.round_create(
        scheme=community_scheme,
        name="2025",
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 12, 31),
        by=cast["district"],
    )
    manual = community_scheme.nodes.get(source=Source.MANUAL)
    code = places["community"].code
    ms = services.manual_score_submit(
        rnd=rnd,
        node=manual,
        subject_ref=f"c:{code}",
        scope_code=code,
        points=Decimal("7.5"),
        reason="台账齐全",
        evidence=ContentFile(b"x", name="a.pdf"),
        by=cast["district"],
    )
    services.manual_score_approve(score=ms, by=cast["approver"])
    scoring.score_round(rnd=rnd, by=cast["district"])
    rnd.refresh_from_db()
    services.round_publish(rnd=rnd, by=cast["district"], now=rnd.appeal_deadline + timedelta(1))

    # by hand, from the four cases above (nothing else was recorded in 2025)
    n = len(CASES)
    response = sum(c[0] for c in CASES) / n  # 3/4
    solved = (
        sum(
            1
            for c in CASES
            if c[1] in ("closed", "evaluated") and not c[2] and c[3] != "dissatisfied"
        )
        / n
    )  # 1/4
    rated = [c for c in CASES if c[3]]
    satisfaction = sum(1 for c in rated if c[3] in ("satisfied", "basically_satisfied")) / len(
        rated
    )
    rework = sum(c[2] for c in CASES) / n  # all four verified
    by_hand = (
        _linear(response, 0.6, 1.0, 6)
        + _linear(solved, 0.5, 1.0, 6)
        + _linear(satisfaction, 0.6, 1.0, 6)
        + _linear(rework, 0.3, 0.0, 2)
        + Decimal("7.5")
    )
    result = Result.objects.get(round=rnd, subject_ref=f"c:{code}")
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.PUBLISHED
    assert result.total == by_hand
    # the response item keeps what it was computed from
    item = ItemScore.objects.get(result=result, node__indicator="cases.response_rate")
    assert (item.numerator, item.denominator) == (3, 4)
    assert item.period_start == date(YEAR, 1, 1) and item.place_code == code
    # the neighbour with no records scores nothing on the indicators
    other = Result.objects.get(round=rnd, subject_ref=f"c:{places['neighbour'].code}")
    assert other.total == 0 and result.rank == 1 and other.rank == 2


def test_weights_that_do_not_add_up_and_an_item_without_a_source_are_refused(community_scheme):
    draft = schemes.scheme_copy(scheme=community_scheme, year=YEAR + 1, by=None)
    item = draft.nodes.filter(level=Node.Level.ITEM, source=Source.INDICATOR).first()
    item.weight += 1
    item.save()
    orphan = draft.nodes.filter(level=Node.Level.ITEM).last()
    Node.objects.filter(pk=orphan.pk).update(source="")
    with pytest.raises(UserError) as refused:
        schemes.scheme_publish(scheme=draft, by=None)
    assert "合计" in refused.value.message and "没有得分来源" in refused.value.message
    draft.refresh_from_db()
    assert draft.editable


def test_a_published_scheme_is_immutable_and_next_year_is_a_copy(cast, community_scheme):
    item = community_scheme.nodes.filter(level=Node.Level.ITEM).first()
    with pytest.raises(UserError):
        schemes.node_set_weight(node=item, weight=Decimal(3), by=cast["district"])
    copy = schemes.scheme_copy(scheme=community_scheme, year=YEAR + 1, by=cast["district"])
    assert copy.nodes.count() == community_scheme.nodes.count()
    assert copy.copied_from == community_scheme and copy.editable
    with pytest.raises(UserError):
        schemes.scheme_copy(scheme=community_scheme, year=YEAR + 1, by=cast["district"])


def test_a_manual_score_needs_evidence_and_another_approver(cast, community_scheme):
    rnd = services.round_create(
        scheme=community_scheme,
        name="r",
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 12, 31),
        by=cast["district"],
    )
    manual = community_scheme.nodes.get(source=Source.MANUAL)
    code = cast["places"]["community"].code
    kw = dict(
        rnd=rnd,
        node=manual,
        subject_ref=f"c:{code}",
        scope_code=code,
        points=Decimal(5),
        reason="检查",
        by=cast["district"],
    )
    with pytest.raises(UserError, match="佐证"):
        services.manual_score_submit(evidence=None, **kw)
    score = services.manual_score_submit(evidence=ContentFile(b"x", name="a.pdf"), **kw)
    with pytest.raises(UserError, match="不能审核自己"):
        services.manual_score_approve(score=score, by=cast["district"])
    score.refresh_from_db()
    assert score.approved_at is None
    with pytest.raises(Forbidden):
        services.manual_score_submit(
            evidence=ContentFile(b"x", name="a.pdf"), **{**kw, "by": cast["secretary"]}
        )


def test_an_adjustment_needs_a_reason_and_is_capped(cast, community_scheme):
    rnd = services.round_create(
        scheme=community_scheme,
        name="r",
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 12, 31),
        by=cast["district"],
    )
    bonus = community_scheme.nodes.get(source=Source.ADJUSTMENT)
    code = cast["places"]["community"].code
    with pytest.raises(UserError, match="事由"):
        services.adjustment_submit(
            rnd=rnd,
            node=bonus,
            subject_ref=f"c:{code}",
            scope_code=code,
            kind="emergency",
            points=Decimal(2),
            reason=" ",
            by=cast["district"],
        )
    adj = services.adjustment_submit(
        rnd=rnd,
        node=bonus,
        subject_ref=f"c:{code}",
        scope_code=code,
        kind="emergency",
        points=Decimal(2),
        reason="防汛",
        by=cast["district"],
    )
    services.adjustment_approve(adjustment=adj, by=cast["approver"])
    scoring.score_round(rnd=rnd, by=cast["district"])
    assert ItemScore.objects.get(result__subject_ref=f"c:{code}", node=bonus).points == 2


def test_appeals_in_time_answered_then_published_with_history(cast, scored_round):
    rnd = scored_round
    ours = Result.objects.get(round=rnd, subject_ref=f"c:{cast['places']['community'].code}")
    manual = rnd.scheme.nodes.get(source=Source.MANUAL)
    with pytest.raises(Forbidden):
        services.appeal_file(result=ours, reason="不服", by=cast["outsider"])
    appeal = services.appeal_file(
        result=ours, node=manual, reason="台账已补齐", by=cast["secretary"]
    )
    with pytest.raises(UserError, match="申诉期未满"):
        services.round_publish(rnd=rnd, by=cast["district"])
    later = rnd.appeal_deadline + timedelta(seconds=1)
    with pytest.raises(UserError, match="未复核"):
        services.round_publish(rnd=rnd, by=cast["district"], now=later)
    old_total = ours.total
    services.appeal_answer(
        appeal=appeal, upheld=True, answer="核实", new_points=Decimal(10), by=cast["district"]
    )
    ours.refresh_from_db()
    assert ours.total == old_total + Decimal("1.5")
    change = ScoreChange.objects.get(result=ours)
    assert (change.old_points, change.new_points) == (Decimal("8.5"), Decimal(10))
    services.round_publish(rnd=rnd, by=cast["district"], now=later)
    with pytest.raises(UserError, match="理由"):
        scoring.change_score(
            result=ours, node=manual, new_points=Decimal(9), reason="", by=cast["district"]
        )
    scoring.change_score(
        result=ours, node=manual, new_points=Decimal(9), reason="复查更正", by=cast["district"]
    )
    ours.refresh_from_db()
    assert ours.changed and ScoreChange.objects.filter(result=ours).count() == 2
    with pytest.raises(UserError):
        scoring.score_round(rnd=rnd, by=cast["district"])


def test_an_appeal_after_the_deadline_is_refused(cast, scored_round):
    Round.objects.filter(pk=scored_round.pk).update(
        appeal_deadline=timezone.now() - timedelta(minutes=1)
    )
    ours = Result.objects.get(
        round=scored_round, subject_ref=f"c:{cast['places']['community'].code}"
    )
    with pytest.raises(UserError, match="截止"):
        services.appeal_file(result=ours, reason="不服", by=cast["secretary"])
    assert not ours.appeals.exists()


def test_red_and_black_lists(scored_round):
    results = {r.rank: r.listing for r in Result.objects.filter(round=scored_round)}
    assert results == {1: "red", 2: "black"}


def test_the_checklists_accepted_share_is_an_indicator(cast):
    from jiceng.assessment.indicators import checklists_accepted
    from jiceng.assessment.models import Checklist
    from jiceng.party.models import PartyOrg

    places = cast["places"]
    orgs = [
        PartyOrg.objects.create(name=f"第{i}支部", kind="branch", division=places["grid1"])
        for i in range(3)
    ]
    for org, status in zip(orgs, ("accepted", "submitted", "accepted"), strict=True):
        Checklist.objects.create(
            standard="wuxi6", year=YEAR, org=org, scope_code=org.scope_code, status=status
        )
    begin, end = snapshots.period_bounds("year", date(YEAR, 1, 1))
    assert checklists_accepted(places["district"].code, begin, end) == {
        places["grid1"].code: (2.0, 3.0)
    }


def test_a_checklist_is_inspected_by_the_street_not_the_community(cast):
    from jiceng.assessment.models import Checklist
    from jiceng.party.models import PartyOrg

    org = PartyOrg.objects.create(name="支部", kind="branch", division=cast["places"]["grid1"])
    checklist = Checklist.objects.create(
        standard="wuxi6", year=YEAR, org=org, scope_code=org.scope_code
    )
    with pytest.raises(UserError, match="每一项"):
        services.checklist_submit(
            checklist=checklist, notes={"org": "已设置"}, by=cast["secretary"]
        )
    notes = {k: "已完成" for k, _label in services.STANDARDS["wuxi6"]}
    services.checklist_submit(checklist=checklist, notes=notes, by=cast["secretary"])
    with pytest.raises(Forbidden):
        services.checklist_inspect(checklist=checklist, accept=True, note="", by=cast["secretary"])
    services.checklist_inspect(checklist=checklist, accept=True, note="", by=cast["street"])
    checklist.refresh_from_db()
    assert checklist.status == "accepted"


def test_a_secretarys_item_from_the_projects_year_end_evaluation(cast):
    """Source.EVALUATION: the secretary subject (a member) is mapped through the member's account
    to ``Commitment.person``; the item's points are the street's score as a share of the weight
    (the community's where the street gave none); no evaluation, no points."""
    places = cast["places"]
    branch = PartyOrg.objects.create(
        name="公园社区党委", kind="committee", division=places["community"]
    )
    first = user_with_role("community_secretary", division=places["community"])
    make_member(branch, "书记甲", user=cast["secretary"])
    make_member(branch, "第一书记乙", user=first)
    for who, street, community in ((cast["secretary"], "87.50", "90"), (first, None, "70")):
        c = Commitment.objects.create(
            person=who,
            place=places["community"],
            kind="secretary",
            year=YEAR,
            letter="承诺",
            tasks="一",
        )
        Evaluation.objects.create(
            commitment=c,
            community_score=Decimal(community),
            street_score=Decimal(street) if street else None,
            grade="excellent",
        )
    Commitment.objects.create(  # another year's evaluation counts for nothing
        person=cast["outsider"],
        place=places["neighbour"],
        kind="secretary",
        year=YEAR - 1,
        letter="承诺",
        tasks="一",
    )
    make_member(branch, "书记丙", user=cast["outsider"])
    scheme = Scheme.objects.create(
        key="secretary_annual",
        name="书记年度考核",
        subject_kind=SubjectKind.SECRETARY,
        year=YEAR,
        division=places["district"],
    )
    dom = Node.objects.create(scheme=scheme, level="domain", name="年终考评", weight=Decimal(100))
    cat = Node.objects.create(
        scheme=scheme, parent=dom, level="category", name="考评", weight=Decimal(100)
    )
    Node.objects.create(
        scheme=scheme,
        parent=cat,
        level="item",
        name="年终考评得分",
        weight=Decimal(50),
        source="evaluation",
    )
    Node.objects.create(
        scheme=scheme, parent=cat, level="item", name="日常", weight=Decimal(50), source="manual"
    )
    scheme = schemes.scheme_publish(scheme=scheme, by=cast["district"])
    rnd = services.round_create(
        scheme=scheme,
        name="书记考核",
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 12, 31),
        by=cast["district"],
    )
    assert scoring.score_round(rnd=rnd, by=cast["district"]) == 3
    totals = {r.subject_name: r.total for r in Result.objects.filter(round=rnd)}
    assert totals == {"书记甲": Decimal("43.75"), "第一书记乙": Decimal("35.00"), "书记丙": 0}
    item = ItemScore.objects.get(result__subject_name="书记甲", node__source="evaluation")
    assert item.value == 87.5 and item.points == Decimal("43.75")
    assert Round.objects.get(pk=rnd.pk).status == Round.Status.SCORED
