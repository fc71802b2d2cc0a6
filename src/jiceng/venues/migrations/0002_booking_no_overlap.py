"""On PostgreSQL the database itself refuses two approved bookings of one venue whose times
overlap: an exclusion constraint over (venue, [starts_at, ends_at)) with btree_gist for the
venue's equality. SQLite has no such constraint; the booking services check under a lock there
(and everywhere), and this constraint is the last word on PostgreSQL."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE venues_booking ADD CONSTRAINT venues_booking_no_overlap
    EXCLUDE USING gist (venue_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'approved');
"""
DROP = "ALTER TABLE venues_booking DROP CONSTRAINT IF EXISTS venues_booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
