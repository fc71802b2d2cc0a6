"""Contact phones encrypted, step 2 of 3: every clear number copied into the encrypted column
(the field encrypts it on save) with its lookup hash."""

from django.db import migrations

BATCH = 2000


def _fill(model):
    from jiceng.core.fields import lookup_hash
    from jiceng.core.personal import normalize_mobile

    rows = model.objects.exclude(contact_phone="").only("pk", "contact_phone").order_by("pk")
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        row.contact_phone_encrypted = row.contact_phone
        row.contact_phone_hash = lookup_hash("phone", normalize_mobile(row.contact_phone))
        batch.append(row)
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, ["contact_phone_encrypted", "contact_phone_hash"])
            batch = []
    if batch:
        model.objects.bulk_update(batch, ["contact_phone_encrypted", "contact_phone_hash"])


def forwards(apps, schema_editor):
    _fill(apps.get_model("venues", "Venue"))
    _fill(apps.get_model("venues", "Booking"))


def backwards(apps, schema_editor):
    for name in ("Venue", "Booking"):
        model = apps.get_model("venues", name)
        batch = []
        for row in model.objects.exclude(contact_phone_encrypted=None).iterator():
            row.contact_phone = row.contact_phone_encrypted or ""
            batch.append(row)
        model.objects.bulk_update(batch, ["contact_phone"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("venues", "0003_contact_phone_encrypted_add"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
