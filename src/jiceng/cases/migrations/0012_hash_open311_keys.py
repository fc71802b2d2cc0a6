from django.db import migrations


def forwards(apps, schema_editor):
    """Every clear key becomes its HMAC under the current hash key: the clients keep using the
    key they have, and the database no longer holds it."""
    from jiceng.core.fields import lookup_hash

    Open311Key = apps.get_model("cases", "Open311Key")
    for key in Open311Key.objects.filter(key_hash__isnull=True).only("pk", "key"):
        Open311Key.objects.filter(pk=key.pk).update(
            key_hash=lookup_hash("open311_key", key.key), hint=key.key[-4:]
        )


class Migration(migrations.Migration):
    """Step 2 of 3: fill the hashes (a hash cannot be turned back into a key: no way back)."""

    dependencies = [("cases", "0011_open311_key_hash")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
