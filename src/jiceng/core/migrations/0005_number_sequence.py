"""On PostgreSQL, case numbers come from a sequence: no row lock that every new case of a day
would wait on."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS core_number_seq")
        # Numbers already given by the counters must not come again.
        schema_editor.execute(
            "SELECT setval('core_number_seq', GREATEST((SELECT COALESCE(MAX(value), 0) "
            "FROM core_counter), 1))"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS core_number_seq")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_notification")]
    operations = [migrations.RunPython(forwards, backwards)]
