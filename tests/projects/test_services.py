"""The progress side's rules: kinds as data, milestones within the period, monthly reports
(refused outside the period, replacing the month's figures), the roll-up by published weights
with the not-reported rule, the 实事 steps with the household poll, supervision with a
replayable random draw, rectification closed with a photo and verified, evaluations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.core.errors import Forbidden, UserError
from jiceng.core.models import AuditEntry
from jiceng.projects import selectors, services
from jiceng.projects.models import Milestone, Project, ProjectKind, Rectification
from tests.projects.conftest import YEAR, kind, make_project, png

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


def test_the_five_kinds_are_data_with_the_practical_matters_six_steps():
    codes = list(ProjectKind.objects.values_list("code", flat=True))
    assert codes == ["secretary", "first_secretary", "practical", "key_task", "construction"]
    assert kind("practical").steps == ["征集", "票决", "实施", "督查", "验收", "评议"]
    assert kind("key_task").needs_unit and kind("construction").needs_site


def test_a_key_task_without_a_unit_and_a_construction_without_a_site_are_refused(cast):
    with pytest.raises(UserError, match="责任单位"):
        make_project(cast, code="key_task")
    with pytest.raises(UserError, match="建设地点"):
        make_project(cast, code="construction")
    assert not Project.objects.exists()


def test_create_is_audited_and_outsiders_are_refused(cast, project):
    assert AuditEntry.objects.filter(action="projects.create").count() == 1
    with pytest.raises(Forbidden):
        services.project_create(
            by=cast["outsider"],
            kind=kind("secretary"),
            place=cast["community"],
            title="x",
            starts_on=date(YEAR, 1, 1),
            ends_on=date(YEAR, 2, 1),
        )


def test_a_milestone_after_the_projects_end_is_refused(cast, project):
    with pytest.raises(UserError, match="完成期限"):
        services.milestone_add(
            by=cast["secretary"], project=project, title="验收", due_on=date(YEAR + 1, 1, 5)
        )
    assert not Milestone.objects.exists()
    services.milestone_add(
        by=cast["secretary"], project=project, title="开工", due_on=date(YEAR, 3, 1)
    )
    with pytest.raises(UserError, match="开工"):
        services.project_update(by=cast["secretary"], project=project, ends_on=date(YEAR, 2, 1))


def test_a_report_outside_the_period_or_in_the_future_is_refused(cast, project):
    for month in (date(YEAR - 1, 12, 1), date(YEAR + 1, 1, 1)):
        with pytest.raises(UserError):
            services.report_progress(
                by=cast["first"],
                project=project,
                month=month,
                text="进展",
                progress=10,
                health="on_track",
            )
    if THIS_MONTH.month < 12:
        with pytest.raises(UserError, match="尚未到来"):
            services.report_progress(
                by=cast["first"],
                project=project,
                month=(THIS_MONTH + timedelta(days=32)),
                text="进展",
                progress=10,
                health="on_track",
            )
    assert not project.reports.exists()


def test_the_owner_reports_and_a_second_report_of_the_month_replaces_the_first(cast, project):
    services.report_progress(
        by=cast["first"],
        project=project,
        month=TODAY,
        text="开工",
        progress=20,
        health="on_track",
        photos=[png()],
    )
    services.report_progress(
        by=cast["first"], project=project, month=TODAY, text="推进", progress=35, health="at_risk"
    )
    project.refresh_from_db()
    assert (project.progress, project.health, project.status) == (35, "at_risk", "active")
    assert project.reports.get().photos.count() == 1
    with pytest.raises(Forbidden):
        services.report_progress(
            by=cast["alice"], project=project, month=TODAY, text="x", progress=99, health="on_track"
        )
    with pytest.raises(UserError, match="0 到 100"):
        services.report_progress(
            by=cast["first"],
            project=project,
            month=TODAY,
            text="x",
            progress=101,
            health="on_track",
        )


def _row(pk, parent, weight, progress, reported, status="active", monthly=True, starts=None):
    return (
        pk,
        parent,
        Decimal(weight),
        progress,
        reported,
        status,
        f"p{pk}",
        "k",
        monthly,
        "社区",
        "360602001001",
        "",
        date(YEAR, 12, 31),
        starts or date(2000, 1, 1),
        "",
    )


def test_roll_up_uses_the_published_weights_and_says_which_child_counts_its_last_figure():
    today = date(YEAR, 6, 15)
    rows = [
        _row(1, None, 1, 0, None),
        _row(2, 1, 3, 80, date(YEAR, 6, 1)),
        _row(3, 1, 1, 40, date(YEAR, 5, 1)),  # not reported in June: counts as 40, stale
        _row(4, 1, 5, 0, None, status="cancelled"),  # cancelled children do not count
    ]
    root = selectors.roll_up(rows, today)[0]
    assert root.rolled == Decimal("70.0")  # (3×80 + 1×40) / 4
    by_id = {c.id: c for c in root.children}
    assert by_id[2].share == Decimal("75.0") and by_id[3].share == Decimal("25.0")
    assert by_id[3].stale and not by_id[2].stale and root.stale_below == 1


def test_roll_up_through_two_levels_and_a_done_leaf_counts_full():
    rows = [
        _row(1, None, 1, 0, None),
        _row(2, 1, 1, 0, None),
        _row(3, 2, 1, 50, date(YEAR, 6, 1)),
        _row(4, 2, 1, 10, date(YEAR, 6, 1), status="done"),
        _row(5, 1, 1, 0, date(YEAR, 6, 1)),
    ]
    root = selectors.roll_up(rows, date(YEAR, 6, 2))[0]
    assert root.children[0].rolled == Decimal("75.0")
    assert root.rolled == Decimal("37.5")


def test_tree_from_the_database_in_one_query(cast, django_assert_num_queries):
    parent = make_project(cast, code="secretary", title="书记项目")
    make_project(cast, title="子项目一", parent=parent, weight=2)
    make_project(cast, title="子项目二", parent=parent, weight=1)
    with django_assert_num_queries(1):
        nodes = selectors.project_tree(Project.objects.all())
    assert [n.depth for n in nodes] == [0, 1, 1]


def test_practical_steps_take_proposals_then_a_household_poll_and_move_on_when_it_closes(cast):
    from jiceng.deliberation.models import Poll

    p = make_project(cast, code="practical", title="加装电梯")
    assert p.step == "征集"
    services.proposal_add(by=cast["alice"], project=p, text="三号楼加装电梯")
    with pytest.raises(Forbidden):
        services.proposal_add(by=cast["neighbour"], project=p, text="x")
    with pytest.raises(UserError, match="户代表投票"):
        services.step_advance(by=cast["secretary"], project=p)
    poll = Poll.objects.create(
        division=cast["community"],
        title="实事票决",
        kind="yes_no",
        electorate="household",
        closes_at=timezone.now() + timedelta(days=3),
        created_by=cast["secretary"],
        status="open",
    )
    p = services.step_advance(by=cast["secretary"], project=p, poll=poll)
    assert (p.step, p.poll_id) == ("票决", poll.pk)
    with pytest.raises(UserError, match="投票结束"):
        services.step_advance(by=cast["secretary"], project=p)
    assert services.advance_after_polls() == 0
    Poll.objects.filter(pk=poll.pk).update(status="closed")
    assert services.advance_after_polls() == 1
    p.refresh_from_db()
    assert (p.step, p.status) == ("实施", "active")


def test_random_draw_is_recorded_with_its_seed_and_replays(cast):
    s = services.supervision_open(
        by=cast["street"],
        title="两随机督查",
        random_draw=True,
        place=cast["places"]["street"],
        seed="abc",
    )
    assert s.seed == "abc" and s.draw["places"] == ["360602001001", "360602001002"]
    assert set(s.draw["inspectors"]) >= {cast["street"].pk, cast["street2"].pk}
    assert services.replay_draw(s) == (s.inspector_id, s.place.code)
    with pytest.raises(Forbidden):
        services.supervision_open(
            by=cast["secretary"], title="x", random_draw=True, place=cast["community"]
        )


def test_rectification_closed_with_a_photo_then_verified_by_the_supervisor(cast, project):
    s = services.supervision_open(by=cast["street"], title="月度督查", project=project)
    with pytest.raises(UserError, match="责任人"):
        services.rectification_add(
            by=cast["street"], supervision=s, text="x", owner=cast["outsider"], deadline=TODAY
        )
    item = services.rectification_add(
        by=cast["street"],
        supervision=s,
        text="补齐台账",
        owner=cast["secretary"],
        deadline=TODAY + timedelta(days=7),
    )
    with pytest.raises(UserError, match="核验"):
        services.rectification_verify(by=cast["street"], item=item, accept=True)
    with pytest.raises(UserError, match="照片"):
        services.rectification_close(by=cast["secretary"], item=item, note="已补齐", photo=None)
    with pytest.raises(Forbidden):
        services.rectification_close(by=cast["outsider"], item=item, note="x", photo=png())
    with pytest.raises(UserError, match="未核验"):
        services.supervision_close(by=cast["street"], supervision=s)
    services.rectification_close(by=cast["secretary"], item=item, note="已补齐", photo=png())
    with pytest.raises(Forbidden):
        services.rectification_verify(by=cast["secretary"], item=item, accept=True)
    item = services.rectification_verify(by=cast["street"], item=item, accept=True)
    assert item.status == Rectification.Status.VERIFIED and item.photo.name
    assert services.supervision_close(by=cast["street"], supervision=s).status == "closed"


def test_evaluation_scores_give_the_grade_and_the_selector_reads_it(cast):
    c = services.commitment_save(
        by=cast["first"],
        person=cast["first"],
        place=cast["community"],
        kind="first_secretary",
        year=YEAR,
        letter="我承诺……",
        tasks="走访\n建队伍",
    )
    assert c.task_lines() == ["走访", "建队伍"]
    services.exchange_add(
        by=cast["first"], commitment=c, quarter=1, held_on=date(YEAR, 2, 1), summary="交流"
    )
    with pytest.raises(UserError):
        services.exchange_add(
            by=cast["first"], commitment=c, quarter=2, held_on=date(YEAR, 2, 1), summary="x"
        )
    services.evaluation_save(by=cast["first"], commitment=c, self_report="述职")
    with pytest.raises(Forbidden):
        services.evaluation_save(by=cast["first"], commitment=c, community_score=Decimal(100))
    services.evaluation_save(by=cast["secretary"], commitment=c, community_score=Decimal(92))
    e = services.evaluation_save(by=cast["street"], commitment=c, street_score=Decimal(90))
    assert e.grade == "excellent"
    assert list(selectors.evaluations(YEAR, "360602001")) == [e]
    assert list(selectors.evaluations(YEAR, "360602001002")) == []


def test_the_reminder_goes_to_owners_near_the_month_end_and_late_reports_are_found(cast):
    from jiceng.core.models import Notification

    p = make_project(cast, starts=date(YEAR - 1, 1, 1))
    Project.objects.filter(pk=p.pk).update(status="active")
    end = (THIS_MONTH + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    assert services.remind_due_reports(end - timedelta(days=10)) == 0
    assert services.remind_due_reports(end - timedelta(days=1)) == 1
    assert Notification.objects.filter(user=cast["first"]).exists()
    assert p in selectors.late_reports(TODAY)
