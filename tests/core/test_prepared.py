"""core.prepared: a hot write PostgreSQL parses and plans once a connection."""

from __future__ import annotations

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from jiceng.core.models import AuditEntry
from jiceng.core.prepared import PreparedStatement

pytestmark = pytest.mark.django_db

# one audit entry, its action unique among the entries of the test (a unique index below)
WRITE = """
INSERT INTO core_auditentry (at, actor_name, action, object_type, object_id, object_repr,
                             scope_code, detail)
VALUES (now(), '', %s, '', %s, '', '', '{}') RETURNING id, action
"""


@pytest.fixture
def statement():
    if connection.vendor != "postgresql":
        pytest.skip("PREPARE is PostgreSQL's")
    return PreparedStatement("jiceng_test_write", WRITE, ["varchar(64)", "varchar(64)"])


def test_it_is_prepared_once_a_connection_and_writes_what_it_is_given(statement):
    with CaptureQueriesContext(connection) as first:
        pk, action = statement.fetchone(connection, ["test.one", "1"])
    with CaptureQueriesContext(connection) as second:
        statement.fetchone(connection, ["test.two", "2"])

    def said(queries):
        return [
            q["sql"].split()[0] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]
        ]

    assert said(first) == ["PREPARE", "EXECUTE"] and said(second) == ["EXECUTE"]
    assert action == "test.one"
    assert AuditEntry.objects.get(pk=pk).object_id == "1"
    assert set(
        AuditEntry.objects.filter(action__startswith="test.").values_list("action", flat=True)
    ) == {
        "test.one",
        "test.two",
    }


def test_a_connection_that_lost_it_prepares_it_again(statement):
    statement.fetchone(connection, ["test.before", "1"])
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {statement.name}")  # as a pool's DISCARD ALL would
    pk, action = statement.fetchone(connection, ["test.after", "2"])
    assert action == "test.after" and AuditEntry.objects.filter(pk=pk).exists()


def test_a_value_too_long_is_refused_not_cut_short(statement):
    """The parameters are cast without their length, so the column refuses what it cannot hold
    (an explicit cast to varchar(64) would silently keep the first 64 characters)."""
    with pytest.raises(DataError, match="too long"):
        statement.fetchone(connection, ["test." + "x" * 80, "1"])
    assert not AuditEntry.objects.filter(action__startswith="test.x").exists()


def test_a_refused_write_leaves_the_callers_transaction_usable(statement):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNIQUE INDEX test_prepared_once ON core_auditentry (action) "
            "WHERE action LIKE 'test.%%'"
        )
    with transaction.atomic():
        statement.fetchone(connection, ["test.once", "1"])
        with pytest.raises(IntegrityError):
            statement.fetchone(connection, ["test.once", "2"])
        # the savepoint took the refusal: the transaction goes on
        statement.fetchone(connection, ["test.next", "3"])
    assert sorted(
        AuditEntry.objects.filter(action__startswith="test.").values_list("object_id", flat=True)
    ) == ["1", "3"]
