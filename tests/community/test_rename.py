"""Renaming the services app to community (#11) loses nothing: a database migrated by the code
before the rename comes out of ``migrate`` with every record, its history and its content types
under the new name; an archive from before the rename restores; the audit page finds entries
written under the old name."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from jiceng.community.models import Need, Project
from jiceng.core.models import AuditEntry
from jiceng.core.renames import carry_over_renamed_apps, current_label, old_labels
from jiceng.core.restore import _check_migrations
from jiceng.core.selectors import audit_list


def _as_before_the_rename() -> None:
    """Put the database back in the shape the code before the rename left it in."""
    assert carry_over_renamed_apps(connection, {"community": "services"})


@pytest.mark.django_db(transaction=True)
def test_an_older_database_keeps_every_community_record(cast):
    need = Need.objects.create(title="楼道灯坏了", source="visit", community=cast["community"])
    project = Project.objects.create(
        title="楼道亮灯",
        month=date(2026, 11, 1),
        community=cast["community"],
        responsible=cast["partner"],
    )
    project.needs.add(need)  # a many-to-many table moves too
    need_type = ContentType.objects.get_for_model(Need).pk
    history = MigrationRecorder.Migration.objects.filter(app="community").count()

    _as_before_the_rename()
    tables = connection.introspection.table_names()
    assert "services_need" in tables and "community_need" not in tables
    assert MigrationRecorder.Migration.objects.filter(app="services").count() == history

    call_command("migrate", verbosity=0)

    tables = connection.introspection.table_names()
    assert "community_need" in tables and "services_need" not in tables
    assert Need.objects.get(pk=need.pk).title == "楼道灯坏了"
    assert list(Project.objects.get(pk=project.pk).needs.all()) == [need]
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Need).pk == need_type
    assert not MigrationRecorder.Migration.objects.filter(app="services").exists()
    assert MigrationRecorder.Migration.objects.filter(app="community").count() == history
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


@pytest.mark.django_db
def test_migrate_leaves_a_database_that_never_knew_the_old_name_alone():
    assert carry_over_renamed_apps(connection) == []


def test_an_archive_from_before_the_rename_is_accepted_but_one_from_a_newer_version_is_not():
    _check_migrations({"migrations": [["services", "0001_lists_activities_orders_wishes"]]})
    with pytest.raises(Exception, match="0099_from_the_future"):
        _check_migrations({"migrations": [["community", "0099_from_the_future"]]})
    assert current_label("services") == "community"
    assert old_labels("community") == ["services"]


@pytest.mark.django_db
def test_the_audit_page_finds_entries_written_under_the_old_name():
    AuditEntry.objects.create(action="need.create", object_type="services.need", object_id="7")
    AuditEntry.objects.create(action="need.create", object_type="community.need", object_id="8")
    AuditEntry.objects.create(action="wish.create", object_type="community.wish", object_id="9")
    entries, _error = audit_list(scopes=["360602"], filters={"object_type": "community.need"})
    assert sorted(e.object_id for e in entries) == ["7", "8"]
