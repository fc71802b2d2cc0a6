"""core.bulk: the loading loop of every import (chunks, line errors, progress, a file that
stops part way) and the fast insert (COPY on PostgreSQL, bulk_create elsewhere)."""

from __future__ import annotations

import pytest
from django.db import connection

from jiceng.core import bulk
from jiceng.core.errors import UserError
from jiceng.core.fields import keep_hash, lookup_hash
from jiceng.core.models import AuditEntry
from jiceng.registry.models import Person
from tests.registry.conftest import make_dwelling, valid_id

pytestmark = pytest.mark.django_db


def _check(line, raw):
    if raw < 0:
        return None, [bulk.LineError(line, "数", "不能为负", name=str(raw))]
    return raw, []


def _entries(values):
    entries = [AuditEntry(action="bulk.test", object_id=str(v), detail={"v": v}) for v in values]
    bulk.bulk_insert(AuditEntry, entries)
    return bulk.Tally(created=len(entries))


def test_load_writes_good_rows_chunk_by_chunk_and_names_bad_lines():
    rows = [(line, v) for line, v in enumerate([1, 2, -3, 4, 5, -6, 7], start=2)]
    seen = []

    loaded = bulk.load(
        rows,
        check=_check,
        apply=lambda chunk: (seen.append(list(chunk)), _entries(chunk))[1],
        chunk=2,
        progress=lambda processed, tally: seen.append(("progress", processed, tally.created)),
    )

    assert loaded.processed == 7 and loaded.stopped is None
    assert loaded.tally.created == 5 and loaded.tally.failed_rows == 2
    assert [e.as_dict() for e in loaded.tally.errors] == [
        {"row": 4, "column": "数", "reason": "不能为负", "name": "-3"},
        {"row": 7, "column": "数", "reason": "不能为负", "name": "-6"},
    ]
    assert seen == [
        [1, 2], ("progress", 2, 2),
        [4, 5], ("progress", 5, 4),
        [7], ("progress", 7, 5),
    ]  # fmt: skip
    written = AuditEntry.objects.filter(action="bulk.test").order_by("id")
    assert [(e.object_id, e.detail) for e in written] == [
        (str(v), {"v": v}) for v in (1, 2, 4, 5, 7)
    ]
    assert all(e.at is not None for e in written)


def test_a_file_that_stops_part_way_keeps_what_was_written_and_says_why():
    def rows():
        yield 2, 1
        yield 3, 2
        yield 4, 3
        raise UserError("第 5 行坏了")

    loaded = bulk.load(rows(), check=_check, apply=_entries, chunk=2)
    assert loaded.processed == 3 and loaded.stopped.message == "第 5 行坏了"
    assert AuditEntry.objects.filter(action="bulk.test").count() == 3  # the last chunk too


def test_a_chunk_that_fails_is_rolled_back_whole_and_the_error_propagates():
    def apply(chunk):
        _entries(chunk)
        if 3 in chunk:
            raise RuntimeError("disk full")
        return bulk.Tally(created=len(chunk))

    with pytest.raises(RuntimeError):
        bulk.load([(2, 1), (3, 2), (4, 3), (5, 4)], check=_check, apply=apply, chunk=2)
    written = AuditEntry.objects.filter(action="bulk.test").order_by("id")
    assert list(written.values_list("object_id", flat=True)) == ["1", "2"]


def test_bulk_insert_gives_ids_and_encrypts_with_the_lookup_hashes(places):
    dwelling = make_dwelling(places["grid1"])
    numbers = [valid_id("19700101"), valid_id("19710101")]
    people = [
        Person(
            name=f"人{i}",
            id_number=n,
            phone="13800138000",
            dwelling=dwelling,
            scope_code=dwelling.scope_code,
        )
        for i, n in enumerate(numbers)
    ]
    bulk.bulk_insert(Person, people)
    assert all(p.pk for p in people) and not people[0]._state.adding
    for person, number in zip(people, numbers, strict=True):
        stored = Person.objects.get(pk=person.pk)
        assert stored.id_number == number and stored.phone == "13800138000"
        assert stored.id_number_hash == lookup_hash("id", number)
        assert stored.phone_hash == lookup_hash("phone", "13800138000")
    assert sorted(bulk.ids_in(Person, "id_number_hash", [lookup_hash("id", numbers[1])])) == [
        people[1].pk
    ]
    assert bulk.ids_in(Person, "id_number_hash", []) == []
    hashes = [lookup_hash("id", n) for n in numbers]
    found = bulk.rows_in(Person, "id_number_hash", hashes[:2], "id", "dwelling", "name")
    assert sorted(found) == sorted((p.pk, p.dwelling_id, p.name) for p in people[:2])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_bulk_insert_uses_copy_on_postgresql(django_assert_max_num_queries):
    entries = [AuditEntry(action="bulk.copy", detail={"i": i}) for i in range(300)]
    with django_assert_max_num_queries(2):  # the ids from the sequence, then one COPY
        bulk.bulk_insert(AuditEntry, entries)
    assert sorted(AuditEntry.objects.filter(action="bulk.copy").values_list("id", flat=True)) == [
        e.pk for e in entries
    ]


def test_a_hash_kept_from_the_lookup_is_not_computed_again_unless_the_value_changed(
    places, monkeypatch
):
    """The import hashes each ID number to find the person; saving reuses that HMAC."""
    dwelling = make_dwelling(places["grid1"])
    number = valid_id("19700101")
    field = Person._meta.get_field("id_number")
    computed = []
    real = type(field).hash_of

    def counting(self, value):
        computed.append((self.name, value))
        return real(self, value)

    person = Person(name="甲", id_number=number, dwelling=dwelling, scope_code=dwelling.scope_code)
    keep_hash(person, "id_number", field.hash_of(number))
    monkeypatch.setattr(type(field), "hash_of", counting)
    bulk.bulk_insert(Person, [person])
    assert ("id_number", number) not in computed
    assert Person.objects.get(pk=person.pk).id_number_hash == lookup_hash("id", number)

    other = valid_id("19710101")
    changed = Person(name="乙", id_number=number, dwelling=dwelling, scope_code=dwelling.scope_code)
    keep_hash(changed, "id_number", lookup_hash("id", number))
    changed.id_number = other  # changed after: the kept hash no longer applies
    bulk.bulk_insert(Person, [changed])
    assert Person.objects.get(pk=changed.pk).id_number_hash == lookup_hash("id", other)


def test_a_person_written_from_a_row_reads_back_as_one_written_from_an_object(places):
    """The register import writes new people from dicts (issue 17): the stored row is the one a
    model object would have given, whether the caller hands over the ID number's hash or not."""
    dwelling = make_dwelling(places["grid1"])
    numbers = [valid_id("19800101"), valid_id("19810101"), valid_id("19820101")]
    common = {"dwelling_id": dwelling.pk, "scope_code": dwelling.scope_code, "ethnicity": "汉族"}
    made = Person(name="甲", id_number=numbers[0], phone="13800138000", **common)
    bulk.bulk_insert(Person, [made])
    ids = bulk.insert_rows(
        Person,
        [
            {"name": "乙", "id_number": numbers[1], "phone": "13800138000", **common},
            {
                "name": "丙",
                "id_number": numbers[2],
                "id_number_hash": lookup_hash("id", numbers[2]),  # the caller's, kept
                "phone": None,
                "relation": Person.Relation.HEAD,
                **common,
            },
        ],
    )
    first, second, third = (Person.objects.get(pk=pk) for pk in [made.pk, *ids])
    compared = ("status", "residence_type", "version", "gender", "note", "household_id")
    assert [getattr(second, f) for f in compared] == [getattr(first, f) for f in compared]
    assert (second.status, second.version) == (Person.Status.LIVING, 1)
    assert (second.id_number, second.phone) == (numbers[1], "13800138000")
    assert second.id_number_hash == lookup_hash("id", numbers[1])
    assert second.phone_hash == first.phone_hash == lookup_hash("phone", "13800138000")
    assert second.created_at and second.updated_at and second.dwelling_id == dwelling.pk
    assert (third.id_number, third.phone, third.phone_hash) == (numbers[2], None, "")
    assert third.id_number_hash == lookup_hash("id", numbers[2])
    assert third.relation == Person.Relation.HEAD and third.ethnicity == "汉族"
    assert Person.objects.filter(id_number_hash__in=[lookup_hash("id", numbers[1])]).get() == second
