"""The register import writes through the page's services: the same rules, events and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.core.models import AuditEntry
from jiceng.registry import services
from jiceng.registry.models import Person, PersonEvent, Residence
from tests.registry.conftest import make_person, valid_id
from tests.registry.test_excel import _media, _on_commit_runs, row, run, workbook  # noqa: F401

pytestmark = pytest.mark.django_db
AS_IN_THE_ROW = {"ethnicity": "汉族", "relation": "head"}  # what `row` fills in besides


def _state(person: Person):
    person.refresh_from_db()
    return (
        person.dwelling_id,
        person.version,
        list(person.residences.order_by("id").values_list("dwelling_id", "moved_in", "moved_out")),
        person.events.count(),
        AuditEntry.objects.filter(
            object_id=str(person.pk), action__startswith="registry.person"
        ).count(),
    )


def test_a_person_moved_by_the_import_gets_the_pages_event_and_an_audit_entry(cast, home):
    number = valid_id("19600101")
    by_page = make_person(cast["places"]["grid1"], dwelling=home["d1"])
    services.person_move(person=by_page, to=home["d2"], by=cast["colleague"])
    by_file = make_person(
        cast["places"]["grid1"], dwelling=home["d1"], id_number=number, **AS_IN_THE_ROW
    )

    job = run(cast["colleague"], workbook([row("张三", number, number="102")]))

    assert (job.updated, job.failed) == (1, 0)
    page_event = by_page.events.get()
    file_event = by_file.events.get()
    assert file_event.action == page_event.action == PersonEvent.Action.MOVED
    assert file_event.detail == page_event.detail == {"dwelling": "阳光小区3栋1单元102"}
    entries = AuditEntry.objects.filter(action="registry.person_move", object_id=str(by_file.pk))
    assert entries.get().detail == {"to": home["d2"].pk}
    by_file.refresh_from_db()
    assert by_file.dwelling == home["d2"] and by_file.version == 2
    stays = list(by_file.residences.order_by("id").values_list("dwelling_id", "moved_out"))
    assert stays == [(home["d1"].pk, timezone.localdate()), (home["d2"].pk, None)]


def test_the_import_refuses_a_move_before_the_last_move_in_with_the_pages_words(cast, home):
    number = valid_id("19600101")
    person = make_person(cast["places"]["grid1"], dwelling=home["d1"], id_number=number)
    # Recorded ahead (a move agreed for next week, entered before the page refused such dates).
    Residence.objects.filter(person=person).update(
        moved_in=timezone.localdate() + timedelta(days=7)
    )
    before = _state(person)
    with pytest.raises(services.UserError) as page:
        services.person_move(person=person, to=home["d2"], by=cast["colleague"])

    job = run(cast["colleague"], workbook([row("张三丰", number, number="102")]))

    assert (job.created, job.updated, job.failed) == (0, 0, 1)
    assert job.errors[0]["reason"] == page.value.message == "迁入日期不能早于上一次迁入的日期。"
    assert job.errors[0]["column"] == "公民身份号码" and job.errors[0]["row"] == 2
    assert _state(person) == before  # the row's other changes (the name) are not written either
    assert person.name == "张三"


def test_a_move_dated_in_the_future_is_refused_by_the_rule_the_import_and_the_page_share(
    cast, home
):
    person = make_person(cast["places"]["grid1"], dwelling=home["d1"])
    before = _state(person)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(services.UserError) as page:
        services.person_move(person=person, to=home["d2"], by=cast["colleague"], on=tomorrow)
    move = services.Move(
        person=person, dwelling_id=home["d2"].pk, scope_code=home["d2"].scope_code, place=""
    )
    allowed, refused = services.check_moves(moves=[move], by=cast["colleague"], on=tomorrow)
    assert allowed == [] and [reason.message for _m, reason in refused] == [page.value.message]
    assert page.value.message == "迁入日期不能晚于今天。"
    assert _state(person) == before


def test_the_import_refuses_to_move_a_deceased_person_in_the_pages_words(cast, home):
    number = valid_id("19600101")
    person = make_person(cast["places"]["grid1"], dwelling=home["d1"], id_number=number)
    services.person_mark_deceased(
        person=person, by=cast["colleague"], on=timezone.localdate() - timedelta(days=1)
    )
    before = _state(person)
    job = run(cast["colleague"], workbook([row("张三", number)]))
    assert job.failed == 1 and job.errors[0]["reason"] == "已故人员不能迁入。"
    assert _state(person) == before


def test_every_person_the_import_writes_has_an_audit_entry_and_an_event(cast, home):
    a, b, c = valid_id("19600101"), valid_id("19610101"), valid_id("19620101")
    known = make_person(cast["places"]["grid1"], dwelling=home["d1"], id_number=c, **AS_IN_THE_ROW)

    job = run(
        cast["colleague"],
        workbook(
            [
                row("甲", a),
                row("乙", b, number="102", relation="配偶"),
                row("张三", c, phone="13900000000", note="新号码"),
            ]
        ),
    )

    assert (job.created, job.updated, job.failed) == (2, 1, 0)
    created = {p.name: p for p in Person.objects.exclude(pk=known.pk)}
    for person in created.values():
        entry = AuditEntry.objects.get(action="registry.person_create", object_id=str(person.pk))
        assert entry.actor == cast["colleague"] and entry.scope_code == person.scope_code
        assert person.events.get().action == PersonEvent.Action.CREATED
    edit = AuditEntry.objects.get(action="registry.person_update", object_id=str(known.pk))
    assert edit.detail == {"fields": ["phone", "note"]}
    assert known.events.get().detail == {"fields": ["phone", "note"]}
    known.refresh_from_db()
    assert known.phone == "13900000000" and known.version == 2
    assert Person.objects.filter(phone_hash=known.phone_hash).get() == known

    again = run(cast["colleague"], workbook([row("甲", a)]))  # unchanged: nothing audited
    assert again.unchanged == 1
    assert AuditEntry.objects.filter(action__startswith="registry.person").count() == 3


def test_a_head_imported_into_a_household_becomes_its_head_as_on_the_page(cast, home):
    page = services.person_create(
        data=services.PersonData(name="户主甲", id_number=valid_id("19500101"), relation="head"),
        dwelling=home["d1"],
        by=cast["colleague"],
    )
    assert page.household.head == page
    run(cast["colleague"], workbook([row("户主乙", valid_id("19510101"))]))
    newcomer = Person.objects.get(name="户主乙")
    assert newcomer.household == page.household
    page.household.refresh_from_db()
    assert page.household.head == newcomer  # the page's rule: the latest head registered
