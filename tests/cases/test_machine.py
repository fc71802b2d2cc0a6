"""core.workflow.Machine, through the case loop: one order of checks for every entity (hidden
404, the person 403, the version 409, the stage 409, the note, the guards), one event per move."""

from __future__ import annotations

from dataclasses import replace

import pytest

from jiceng.cases.models import CaseEvent
from jiceng.cases.transitions import MACHINE as CASES
from jiceng.community.activities import SIGNUPS
from jiceng.community.needs import MACHINE as NEEDS
from jiceng.community.orders import MACHINE as ORDERS
from jiceng.community.wishes import WISHES
from jiceng.core.errors import UserError
from jiceng.venues.bookings import MACHINE as BOOKINGS
from tests.cases.conftest import make_case

pytestmark = pytest.mark.django_db


def refusal(call):
    with pytest.raises(UserError) as refused:
        call()
    return refused.value.status, refused.value.message


def test_every_entity_moves_through_a_machine_with_a_table_and_an_event_log():
    for machine in (CASES, ORDERS, WISHES, NEEDS, BOOKINGS, SIGNUPS):
        assert machine.transitions
        fields = {f.name for f in machine.event_model._meta.get_fields()}
        assert {
            machine.event_owner,
            "at",
            "actor",
            "action",
            "from_status",
            "to_status",
            "note",
        } <= (fields)


def test_the_checks_come_in_one_order(cast, category):
    case = make_case(cast, category, status="closed")  # filing is wrong in this stage

    def file(machine, by, **kw):
        return lambda: machine.run(record=case, action="file", by=by, **kw)

    hidden = replace(CASES, visible=lambda user, record: False)
    assert refusal(file(hidden, cast["outsider"], version=5))[0] == 404
    assert refusal(file(CASES, cast["outsider"], version=5))[0] == 403
    status, message = refusal(file(CASES, cast["secretary"], version=5))
    assert status == 409 and "刚被他人处理过" in message
    status, message = refusal(file(CASES, cast["secretary"]))
    assert status == 409 and "不能立案" in message

    def never(record, **context):
        raise UserError("guard", status=418)

    reported = make_case(cast, category, status="reported")
    long_note = "很" * 2001
    run = lambda **kw: CASES.run(record=reported, action="file", by=cast["secretary"], **kw)  # noqa: E731
    assert refusal(lambda: run(note=long_note, guards=(never,)))[0] == 400  # the note first
    assert refusal(lambda: run(guards=(never,)))[0] == 418
    assert not CaseEvent.objects.filter(case=reported).exists()
    done = run(note="立案")
    assert done.status == "filed" and CaseEvent.objects.filter(case=reported).count() == 1


def test_an_action_not_in_the_table_is_refused(cast, category):
    case = make_case(cast, category, status="reported")
    status, message = refusal(
        lambda: CASES.run(record=case, action="teleport", by=cast["secretary"])
    )
    assert status == 400 and "未知的操作" in message
