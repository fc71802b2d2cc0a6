"""Every transition of an issue and of a five-step matter, from every stage: the table's moves
happen, every other is refused (409) and changes nothing; a step cannot be skipped; step 4
needs its meeting's quorum and a majority of those present; the indicators count by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.models import AuditEntry
from jiceng.core.registry import indicator
from jiceng.deliberation import decisions, issues, meetings, workflow
from jiceng.deliberation.models import Category, Issue, Matter
from tests.deliberation.conftest import make_meeting

pytestmark = pytest.mark.django_db

I = Issue.Status  # noqa: E741
M = Matter.Status

# The path to each stage of an issue, from collected.
ISSUE_PATHS = {
    I.COLLECTED: [],
    I.ON_AGENDA: ["schedule"],
    I.RESOLVED: ["schedule", "resolve"],
    I.CARRIED_OUT: ["schedule", "resolve", "carry_out"],
    I.REPORTED: ["schedule", "resolve", "carry_out", "report"],
    I.DISMISSED: ["dismiss"],
}


def move_issue(cast, issue, action, meeting):
    if action == "schedule":
        return issues.issue_schedule(by=cast["secretary"], issue=issue, meeting=meeting)
    return issues.issue_act(by=cast["secretary"], issue=issue, action=action, note=f"{action} 说明")


def new_issue(cast, title="楼道堆物"):
    return issues.issue_raise(by=cast["alice"], community=cast["community"], title=title)


@pytest.mark.parametrize("stage", list(ISSUE_PATHS))
@pytest.mark.parametrize("action", list(workflow.ISSUE_TRANSITIONS))
def test_every_issue_action_from_every_stage(cast, now_meeting, stage, action):
    issue = new_issue(cast)
    for step in ISSUE_PATHS[stage]:
        issue = move_issue(cast, issue, step, now_meeting)
    events = issue.events.count()
    t = workflow.ISSUE_TRANSITIONS[action]
    if stage in t.sources:
        moved = move_issue(cast, issue, action, now_meeting)
        assert moved.status == t.target
        assert issue.events.count() == events + 1
    else:
        with pytest.raises(UserError) as refused:
            move_issue(cast, issue, action, now_meeting)
        assert refused.value.status == 409
        assert Issue.objects.get(pk=issue.pk).status == stage
        assert issue.events.count() == events


def test_an_issue_carried_out_counts_as_solved_and_keeps_what_it_produced(cast, now_meeting):
    issue = new_issue(cast)
    for step in ISSUE_PATHS[I.RESOLVED]:
        issue = move_issue(cast, issue, step, now_meeting)
    assert issue.resolution == "resolve 说明"
    issue = issues.issue_carry_out(by=cast["secretary"], issue=issue, outcome="已清理")
    assert issue.solved_at is not None and issue.outcome == "已清理"
    assert AuditEntry.objects.filter(action="deliberation.issue.carry_out").count() == 1


def test_a_note_is_required_and_outsiders_are_refused(cast, now_meeting):
    issue = new_issue(cast)
    issues.issue_schedule(by=cast["secretary"], issue=issue, meeting=now_meeting)
    with pytest.raises(UserError):
        issues.issue_resolve(by=cast["secretary"], issue=issue, resolution="  ")
    with pytest.raises(NotFound):
        issues.issue_resolve(by=cast["outsider"], issue=issue, resolution="x")
    with pytest.raises(Forbidden):  # she sees her issue, but moving it is the staff's
        issues.issue_resolve(by=cast["alice"], issue=issue, resolution="x")
    assert Issue.objects.get(pk=issue.pk).status == I.ON_AGENDA


def test_an_issue_goes_only_on_the_agenda_of_its_own_communitys_meeting(cast):
    other = make_meeting(cast["outsider"], cast["places"]["neighbour"])
    issue = new_issue(cast)
    with pytest.raises(UserError):
        issues.issue_schedule(by=cast["secretary"], issue=issue, meeting=other)
    assert Issue.objects.get(pk=issue.pk).status == I.COLLECTED


def test_a_resident_raises_issues_only_in_their_own_community(cast):
    with pytest.raises(Forbidden):
        issues.issue_raise(by=cast["neighbour"], community=cast["community"], title="x")
    with pytest.raises(Forbidden):  # a resident does not pose as a meeting
        issues.issue_raise(by=cast["alice"], community=cast["community"], title="x", source="staff")
    assert not Issue.objects.exists()


def test_an_issue_from_a_meeting_names_it(cast, now_meeting):
    issue = issues.issue_raise(
        by=cast["secretary"],
        community=cast["community"],
        title="快递柜",
        source="meeting",
        meeting=now_meeting,
    )
    assert issue.raised_at == now_meeting
    with pytest.raises(UserError):
        issues.issue_raise(
            by=cast["secretary"], community=cast["community"], title="y", source="meeting"
        )


# --- the five steps ---------------------------------------------------------------------------

MATTER_PATHS = {
    M.PROPOSED: [],
    M.CONSULTED: ["consult"],
    M.REVIEWED: ["consult", "review"],
    M.RESOLVED: ["consult", "review", "resolve"],
    M.PUBLISHED: ["consult", "review", "resolve", "publish"],
    M.DONE: ["consult", "review", "resolve", "publish", "report"],
    M.WITHDRAWN: ["withdraw"],
}


@pytest.fixture
def vote_meeting(cast):
    """A residents' representatives meeting that met its quorum: 3 of 4 present."""
    m = make_meeting(cast["secretary"], cast["community"], code="residents", hours_from_now=-1)
    people = [
        meetings.participant_add(
            by=cast["secretary"], meeting=m, category=Category.RESIDENT, name=f"代表{i}"
        )
        for i in range(4)
    ]
    for p in people[:3]:
        meetings.attendance_mark(by=cast["secretary"], meeting=m, participant=p, present=True)
    return m


def step(cast, matter, action, meeting, **votes):
    if action == "resolve":
        votes = {"votes_for": 2, "votes_against": 1, "votes_abstain": 0, **votes}
    return decisions.matter_step(
        by=cast["secretary"],
        matter=matter,
        action=action,
        held_on=timezone.localdate(),
        meeting=meeting if action == "resolve" else None,
        evidence=f"{action} 纪要",
        note="终止" if action == "withdraw" else "",
        **votes,
    )


def propose(cast):
    return decisions.matter_propose(
        by=cast["secretary"],
        community=cast["community"],
        title="小区停车收费标准",
        held_on=timezone.localdate(),
        evidence="社区党委提议",
    )


@pytest.mark.parametrize("stage", list(MATTER_PATHS))
@pytest.mark.parametrize("action", list(workflow.MATTER_TRANSITIONS))
def test_every_step_from_every_stage_and_none_is_skipped(cast, vote_meeting, stage, action):
    matter = propose(cast)
    for a in MATTER_PATHS[stage]:
        matter = step(cast, matter, a, vote_meeting)
    before = matter.steps.count()
    t = workflow.MATTER_TRANSITIONS[action]
    if stage in t.sources:
        assert step(cast, matter, action, vote_meeting).status == t.target
        assert matter.steps.count() == before + 1
    else:
        with pytest.raises(UserError) as refused:
            step(cast, matter, action, vote_meeting)
        assert refused.value.status == 409 and "不能跳过" in refused.value.message
        assert Matter.objects.get(pk=matter.pk).status == stage
        assert matter.steps.count() == before


def test_each_step_keeps_its_date_meeting_and_evidence(cast, vote_meeting):
    matter = propose(cast)
    for a in MATTER_PATHS[M.DONE]:
        matter = step(cast, matter, a, vote_meeting)
    rows = list(matter.steps.order_by("at", "id"))
    assert [r.action for r in rows] == [
        "propose",
        "consult",
        "review",
        "resolve",
        "publish",
        "report",
    ]
    assert all(r.held_on == timezone.localdate() and r.evidence for r in rows)
    resolved = rows[3]
    assert (resolved.meeting_id, resolved.votes_for, resolved.votes_against) == (
        vote_meeting.pk,
        2,
        1,
    )
    shown = decisions.steps_of(matter, rows)
    assert [len(s["done"]) for s in shown] == [1, 1, 1, 1, 2]


def test_a_step_needs_its_date_and_a_meeting_or_evidence(cast):
    matter = propose(cast)
    for bad in (
        dict(held_on=None, evidence="x"),
        dict(held_on=timezone.localdate(), evidence=""),
        dict(held_on=timezone.localdate() + timedelta(days=2), evidence="x"),
    ):
        with pytest.raises(UserError):
            decisions.matter_step(by=cast["secretary"], matter=matter, action="consult", **bad)
    assert Matter.objects.get(pk=matter.pk).status == M.PROPOSED


def test_step_four_needs_the_quorum_and_a_majority_of_those_present(cast, vote_meeting):
    matter = propose(cast)
    for a in ("consult", "review"):
        matter = step(cast, matter, a, vote_meeting)
    with pytest.raises(UserError) as lost:  # 1 of 3 present is not more than half
        step(cast, matter, "resolve", vote_meeting, votes_for=1, votes_against=2)
    assert "未通过" in lost.value.message
    with pytest.raises(UserError):  # more votes than people present
        step(cast, matter, "resolve", vote_meeting, votes_for=3, votes_against=2)
    thin = make_meeting(cast["secretary"], cast["community"], code="residents", hours_from_now=-2)
    for i in range(3):
        meetings.participant_add(
            by=cast["secretary"], meeting=thin, category=Category.RESIDENT, name=f"x{i}"
        )
    with pytest.raises(UserError) as no_quorum:
        step(cast, matter, "resolve", thin)
    assert "法定人数" in no_quorum.value.message
    assert Matter.objects.get(pk=matter.pk).status == M.REVIEWED
    assert step(cast, matter, "resolve", vote_meeting).status == M.RESOLVED


def test_only_the_communitys_staff_record_steps(cast):
    matter = propose(cast)
    with pytest.raises(NotFound):
        decisions.matter_step(
            by=cast["outsider"],
            matter=matter,
            action="consult",
            held_on=timezone.localdate(),
            evidence="x",
        )
    with pytest.raises(Forbidden):
        decisions.matter_propose(
            by=cast["alice"],
            community=cast["community"],
            title="x",
            held_on=timezone.localdate(),
            evidence="x",
        )


# --- indicators ---------------------------------------------------------------------------------


def test_issues_collected_and_solved_per_community_by_hand(cast, now_meeting):
    outsider_meeting = make_meeting(
        cast["outsider"], cast["places"]["neighbour"], hours_from_now=-1
    )
    ours = [new_issue(cast, f"议题{i}") for i in range(3)]
    theirs = issues.issue_raise(
        by=cast["neighbour"], community=cast["places"]["neighbour"], title="他们的"
    )
    for i in ours[:2]:
        for a in ("schedule", "resolve", "carry_out"):
            i = move_issue(cast, i, a, now_meeting)
    issues.issue_schedule(by=cast["outsider"], issue=theirs, meeting=outsider_meeting)
    start = timezone.now() - timedelta(days=1)
    end = timezone.now() + timedelta(days=1)
    district = cast["places"]["district"].code
    ours_code, theirs_code = cast["community"].code, cast["places"]["neighbour"].code
    collected = indicator("deliberation.issues_collected").compute(district, start, end)
    solved = indicator("deliberation.issues_solved").compute(district, start, end)
    share = indicator("deliberation.issues_solved_share").compute(district, start, end)
    assert collected == {ours_code: (3, 0), theirs_code: (1, 0)}
    assert solved == {ours_code: (2, 0)}
    assert share == {ours_code: (2, 3), theirs_code: (0, 1)}
    # a period before any of it counts nothing
    assert (
        indicator("deliberation.issues_collected").compute(
            district, start - timedelta(days=30), start
        )
        == {}
    )
