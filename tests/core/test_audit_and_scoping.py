from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY

from jiceng.core.audit import audit
from jiceng.core.models import AuditEntry, minimal_prefixes
from jiceng.geo.models import Division
from tests.factories import totp_device, user_with_role

pytestmark = pytest.mark.django_db


def test_an_audit_entry_names_who_did_what_where_and_from_which_address(places, settings):
    # behind the district's load balancer (10.0.0.1) and the local proxy, both configured
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1", "10.0.0.0/8"]
    actor = user_with_role("community_secretary", division=places["community"])
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1")
    entry = audit(
        actor=actor,
        action="test.action",
        obj=places["grid1"],
        request=request,
        detail={"why": "检查"},
    )
    assert (entry.actor, entry.actor_name, entry.action) == (actor, actor.username, "test.action")
    assert entry.object_type == "geo.division"
    assert entry.object_id == str(places["grid1"].pk)
    assert entry.scope_code == places["grid1"].code
    assert entry.ip == "203.0.113.7"
    assert entry.detail == {"why": "检查"}


def test_audit_entries_cannot_be_changed_or_deleted_through_the_app(places):
    entry = audit(actor=None, action="test.action", obj=places["grid1"])
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"


@pytest.mark.postgres
def test_postgresql_itself_refuses_to_change_audit_entries(places):
    from django.db import DatabaseError, transaction

    entry = audit(actor=None, action="test.action")
    for sql in (
        "UPDATE core_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"


def test_minimal_prefixes_drop_covered_scopes():
    assert minimal_prefixes(["360602001001", "360602001", "360602002001", "360602001"]) == [
        "360602001",
        "360602002001",
    ]


def test_scoping_follows_code_prefixes_and_anonymous_sees_nothing(places):
    from django.contrib.auth.models import AnonymousUser

    worker = user_with_role("grid_worker", division=places["grid1"])
    secretary = user_with_role("community_secretary", division=places["community"])
    street = user_with_role("street_staff", division=places["street"])
    seen = lambda u: set(Division.objects.visible_to(u).values_list("code", flat=True))  # noqa: E731
    assert seen(worker) == {"360602001001001"}
    assert seen(secretary) == {"360602001001", "360602001001001", "360602001001002"}
    assert "360602001002001" in seen(street)
    assert seen(AnonymousUser()) == set()


def test_residents_members_and_administrators_see_no_records_through_scoping(places):
    for role, where in (
        ("resident", "grid1"),
        ("member", "community"),
        ("system_admin", "district"),
    ):
        user = user_with_role(role, division=places[where])
        assert not Division.objects.visible_to(user).exists()


def test_the_audit_page_filters_by_a_place_and_everything_below_it(client, places):
    auditor = user_with_role("audit_admin", division=places["district"])
    audit(actor=auditor, action="test.grid", obj=places["grid1"])
    audit(actor=auditor, action="test.community", obj=places["community"])
    audit(actor=auditor, action="test.neighbour", obj=places["neighbour"])
    client.force_login(auditor)
    session = client.session  # as if the second factor had been given at login
    session[DEVICE_ID_SESSION_KEY] = totp_device(auditor).persistent_id
    session.save()
    page = client.get("/console/audit/", {"scope": places["community"].code}).content.decode()
    page = page[page.index('data-testid="audit-table"') :]  # the entries, not the action filter
    assert "test.grid" in page and "test.community" in page
    assert "test.neighbour" not in page
