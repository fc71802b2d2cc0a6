"""The case loop checks in core.workflow's one order: the actor, the version, the stage, the
guards; every allowed move writes exactly one event."""

from __future__ import annotations

import pytest

from jiceng.cases import services
from jiceng.cases.models import Case, CaseEvent
from jiceng.core.audit import AuditEntry
from jiceng.core.errors import UserError
from tests.cases.conftest import make_case, site_photo

pytestmark = pytest.mark.django_db


def snapshot(case):
    case.refresh_from_db()
    return (case.status, case.version, case.handler_id, case.events.count())


def test_someone_who_may_not_act_is_refused_403_before_the_stage_is_checked(cast, category):
    case = make_case(cast, category, status="closed")  # filing is wrong in this stage too
    before = snapshot(case)
    with pytest.raises(UserError) as refused:
        services.case_file(case=case, by=cast["outsider"])
    assert refused.value.status == 403
    assert snapshot(case) == before


def test_a_stale_version_is_named_before_the_stage(cast, category):
    case = make_case(cast, category, status="closed")
    with pytest.raises(UserError, match="刚被他人处理过") as refused:
        services.case_file(case=case, by=cast["secretary"], expected_version=7)
    assert refused.value.status == 409


def test_the_guards_run_after_the_actor_and_the_stage(cast, category):
    # Not triaged major (a guard) and dispatched by the wrong person: the person is named.
    case = make_case(cast, category, status="filed", triage="")
    with pytest.raises(UserError) as refused:
        services.case_dispatch(case=case, by=cast["secretary"], to_unit=cast["department"])
    assert refused.value.status == 403
    # Right person, wrong stage: the stage is named, not the guard.
    case = make_case(cast, category, status="reported", triage="")
    with pytest.raises(UserError, match="不能派遣") as refused:
        services.case_dispatch(case=case, by=cast["street"], to_unit=cast["department"])
    assert refused.value.status == 409


def test_a_review_without_a_dissatisfied_rating_is_refused_after_the_actor(cast, category):
    case = make_case(cast, category, status="evaluated", needs_review=False)
    with pytest.raises(UserError) as refused:
        services.case_review(case=case, by=cast["outsider"], reopen=True, note="x")
    assert refused.value.status == 403
    with pytest.raises(UserError, match="待复核") as refused:
        services.case_review(case=case, by=cast["secretary"], reopen=True, note="x")
    assert refused.value.status == 409
    assert snapshot(case)[0] == "evaluated"


def test_each_allowed_move_writes_one_event_and_one_audit_entry(cast, category):
    case = make_case(cast, category, status="reported")
    services.case_file(case=case, by=cast["secretary"])
    assert CaseEvent.objects.filter(case=case).count() == 1
    assert AuditEntry.objects.filter(action="case.file", object_id=str(case.pk)).count() == 1
    services.case_triage(case=case, by=cast["secretary"], triage="minor")
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "file",
        "triage",
    ]


def test_rework_is_counted_on_the_locked_row(cast, category):
    case = make_case(cast, category, status="handled", rework_count=2)
    stale = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(rework_count=3)  # someone counted meanwhile
    done = services.case_verify(
        case=stale, by=cast["grid_worker"], ok=False, note="仍松动", photos=[site_photo()]
    )
    assert done.rework_count == 4
