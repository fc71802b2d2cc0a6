"""core.bulk.insert_rows: new rows from dicts (COPY on PostgreSQL, bulk_create elsewhere) come out
as the model objects' rows would: defaults, timestamps, JSON (issue 17: the register import
writes its history and audit entries so)."""

import pytest

from jiceng.core.audit import entry, entry_values
from jiceng.core.bulk import audit_many, insert_rows
from jiceng.core.models import AuditEntry


@pytest.mark.django_db
def test_rows_from_dicts_match_rows_from_objects(django_user_model):
    user = django_user_model.objects.create(username="importer")
    as_dict = entry_values(actor=user, action="bench.row", obj=user, detail={"k": "值"})
    audit_many([as_dict, dict(as_dict, action="bench.second")])
    audit_many([entry(actor=user, action="bench.object", obj=user, detail={"k": "值"})])
    rows = {
        a.action: a
        for a in AuditEntry.objects.filter(action__startswith="bench.").order_by("action")
    }
    assert set(rows) == {"bench.row", "bench.second", "bench.object"}
    made, expected = rows["bench.row"], rows["bench.object"]
    for field in ("actor_id", "actor_name", "object_type", "object_id", "object_repr", "detail"):
        assert getattr(made, field) == getattr(expected, field), field
    assert made.at is not None and made.ip is None


@pytest.mark.django_db
def test_left_out_columns_take_the_field_defaults():
    ids = insert_rows(AuditEntry, [{"action": "bench.defaults"}])
    row = AuditEntry.objects.get(pk=ids[0])
    assert (row.detail, row.actor_id, row.actor_name, row.scope_code) == ({}, None, "", "")
    assert insert_rows(AuditEntry, []) == []
