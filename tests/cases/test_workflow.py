"""The case loop: every stage × every action, the whole loop, and refusals that change nothing."""

from __future__ import annotations

import pytest

from jiceng.cases import services, workflow
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.workflow import Status
from jiceng.core.errors import UserError
from tests.cases.conftest import make_case, site_photo

pytestmark = pytest.mark.django_db

# action -> (who acts, how the service is called)
CALLS = {
    "file": ("secretary", lambda c, by, x: services.case_file(case=c, by=by)),
    "reject": (
        "secretary",
        lambda c, by, x: services.case_reject(case=c, by=by, note="不属于本社区"),
    ),
    "triage": ("secretary", lambda c, by, x: services.case_triage(case=c, by=by, triage="major")),
    "dispatch": (
        "street",
        lambda c, by, x: services.case_dispatch(case=c, by=by, to_unit=x["department"]),
    ),
    "accept": ("handler", lambda c, by, x: services.case_accept(case=c, by=by)),
    "return": (
        "handler",
        lambda c, by, x: services.case_return(case=c, by=by, note="不属本部门职责"),
    ),
    "start": ("secretary", lambda c, by, x: services.case_start(case=c, by=by)),
    "report_back": (
        "handler",
        lambda c, by, x: services.case_report_back(case=c, by=by, note="已更换井盖"),
    ),
    "verify_ok": (
        "grid_worker",
        lambda c, by, x: services.case_verify(case=c, by=by, ok=True, photos=[site_photo()]),
    ),
    "verify_fail": (
        "grid_worker",
        lambda c, by, x: services.case_verify(
            case=c, by=by, ok=False, note="井盖仍松动", photos=[site_photo()]
        ),
    ),
    "guide": ("secretary", lambda c, by, x: services.case_guide(case=c, by=by, note="请联系物业")),
    "rate": ("resident", lambda c, by, x: services.case_rate(case=c, by=by, rating="satisfied")),
    "reopen": (
        "secretary",
        lambda c, by, x: services.case_review(case=c, by=by, reopen=True, note="重新处置"),
    ),
    "uphold": (
        "secretary",
        lambda c, by, x: services.case_review(case=c, by=by, reopen=False, note="已解释"),
    ),
    "merge": (
        "secretary",
        lambda c, by, x: services.case_merge(case=c, into=x["target"], by=by, note="重复上报"),
    ),
}


def snapshot(case: Case):
    case.refresh_from_db()
    return (case.status, case.version, case.handler_id, case.rework_count, case.events.count())


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", sorted(CALLS))
def test_every_action_from_every_stage(cast, category, status, action):
    # The actor is the right one in every stage (the case names its handler unit throughout),
    # so that a refusal here is the stage's: the actor is checked first (core.workflow).
    case = make_case(cast, category, status=status, needs_review=True, handler=cast["department"])
    extra = {**cast, "target": make_case(cast, category, status="filed")}
    who, call = CALLS[action]
    allowed = status in workflow.TRANSITIONS[action].sources
    if allowed:
        result = call(case, cast[who], extra)
        event = CaseEvent.objects.filter(case=case).latest("id")
        assert (event.action, event.from_status, event.to_status) == (action, status, result.status)
        assert result.version == 1
    else:
        before = snapshot(case)
        with pytest.raises(UserError) as refused:
            call(case, cast[who], extra)
        assert refused.value.status == 409
        assert "不能" in refused.value.message
        assert snapshot(case) == before


def test_the_whole_loop_from_report_to_rating(cast, category):
    c = services.case_report(by=cast["resident"], category="0101", description="小区门口井盖缺失")
    assert (
        c.number.startswith(c.created_at.astimezone().strftime("%Y%m%d"))
        and c.status == Status.REPORTED
    )
    c = services.case_file(case=c, by=cast["secretary"])
    c = services.case_triage(case=c, by=cast["secretary"], triage="major")
    assert c.status == Status.FILED and c.triage == "major"
    c = services.case_dispatch(case=c, by=cast["street"], to_unit=cast["department"])
    c = services.case_accept(case=c, by=cast["handler"])
    c = services.case_report_back(case=c, by=cast["handler"], note="已补装井盖")
    c = services.case_verify(
        case=c, by=cast["grid_worker"], ok=False, note="井盖不平", photos=[site_photo()]
    )
    assert (c.status, c.rework_count) == (Status.IN_PROGRESS, 1)
    c = services.case_report_back(case=c, by=cast["handler"], note="已调平")
    c = services.case_verify(case=c, by=cast["grid_worker"], ok=True, photos=[site_photo()])
    assert c.status == Status.CLOSED and c.closed_at is not None
    c = services.case_rate(case=c, by=cast["resident"], rating="dissatisfied", comment="太慢")
    assert c.status == Status.EVALUATED and c.needs_review
    assert [e.to_status for e in c.events.all()] == [
        "reported",
        "filed",
        "filed",
        "dispatched",
        "in_progress",
        "handled",
        "in_progress",
        "handled",
        "closed",
        "evaluated",
    ]


def test_minor_matters_are_coordinated_by_the_community(cast, category):
    c = make_case(cast, category, status="filed")
    c = services.case_triage(case=c, by=cast["secretary"], triage="minor")
    assert c.status == Status.COORDINATING
    c = services.case_start(case=c, by=cast["secretary"])
    c = services.case_report_back(case=c, by=cast["secretary"], note="已调解")  # no handler unit
    assert c.status == Status.HANDLED


def test_private_matters_get_guidance_and_close(cast, category):
    c = services.case_triage(
        case=make_case(cast, category, status="filed"), by=cast["secretary"], triage="private"
    )
    c = services.case_guide(case=c, by=cast["secretary"], note="属家庭事务，已告知调解渠道")
    assert c.status == Status.CLOSED
    assert c.events.latest("id").note == "属家庭事务，已告知调解渠道"


@pytest.mark.parametrize(
    ("action", "who"),
    [
        ("file", "outsider"),
        ("file", "grid_worker"),
        ("dispatch", "secretary"),
        ("accept", "other_handler"),
        ("report_back", "other_handler"),
        ("verify_ok", "outsider"),
        ("rate", "neighbour_resident"),
        ("rate", "secretary"),
    ],
)
def test_the_wrong_person_is_refused_and_nothing_changes(cast, category, action, who):
    status = next(iter(workflow.TRANSITIONS[action].sources))
    case = make_case(cast, category, status=status)
    before = snapshot(case)
    with pytest.raises(UserError) as refused:
        CALLS[action][1](case, cast[who], {**cast, "target": case})
    assert refused.value.status == 403
    assert snapshot(case) == before


def test_reasons_are_required_where_the_loop_needs_them(cast, category):
    case = make_case(cast, category, status="reported")
    with pytest.raises(UserError, match="请填写说明"):
        services.case_reject(case=case, by=cast["secretary"], note="  ")
    assert snapshot(case)[0] == "reported"


def test_a_case_not_triaged_major_cannot_be_dispatched(cast, category):
    case = make_case(cast, category, status="filed", triage="")
    with pytest.raises(UserError, match="大事"):
        services.case_dispatch(case=case, by=cast["street"], to_unit=cast["department"])


def test_a_stale_page_cannot_overwrite_a_newer_action(cast, category):
    case = make_case(cast, category, status="reported")
    services.case_file(case=case, by=cast["secretary"], expected_version=0)
    with pytest.raises(UserError, match="刚被他人处理过") as refused:
        services.case_reject(case=case, by=cast["secretary"], note="重复", expected_version=0)
    assert refused.value.status == 409
    assert snapshot(case)[:2] == ("filed", 1)


def test_returned_dispatches_go_back_to_the_street_with_the_reason(cast, category):
    case = make_case(cast, category, status="dispatched")
    c = services.case_return(case=case, by=cast["handler"], note="属于住建局职责")
    assert (c.status, c.handler_id) == (Status.FILED, None)
    c = services.case_dispatch(case=c, by=cast["street"], to_unit=cast["other_unit"])
    assert c.handler == cast["other_unit"]


def test_merging_a_duplicate_points_to_the_case_it_repeats(cast, category):
    first = make_case(cast, category, status="filed")
    dup = make_case(cast, category, status="reported")
    c = services.case_merge(case=dup, into=first, by=cast["secretary"], note="同一井盖")
    assert (c.status, c.merged_into) == (Status.MERGED, first)
    with pytest.raises(UserError, match="合并到它自己"):
        services.case_merge(case=first, into=first, by=cast["secretary"], note="x")


def test_case_events_are_append_only(cast, category):
    c = services.case_report(by=cast["resident"], category="0101", description="井盖缺失")
    event = c.events.get()
    event.note = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(case=c).delete()


def test_a_dissatisfied_rating_is_reviewed_by_reopening_or_upholding(cast, category):
    case = make_case(cast, category, status="closed")
    case = services.case_rate(
        case=case, by=cast["resident"], rating="dissatisfied", comment="没修好"
    )
    reopened = services.case_review(case=case, by=cast["secretary"], reopen=True, note="派人重修")
    assert (reopened.status, reopened.needs_review, reopened.rework_count) == (
        "in_progress",
        False,
        1,
    )
    other = services.case_rate(
        case=make_case(cast, category, status="closed"), by=cast["resident"], rating="dissatisfied"
    )
    upheld = services.case_review(
        case=other, by=cast["secretary"], reopen=False, note="已按标准修复"
    )
    assert (upheld.status, upheld.needs_review) == ("evaluated", False)
    with pytest.raises(UserError, match="没有待复核"):
        services.case_review(case=upheld, by=cast["secretary"], reopen=False, note="再次")
