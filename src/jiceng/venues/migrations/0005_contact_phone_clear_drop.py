"""Contact phones encrypted, step 3 of 3: the clear column dropped; the encrypted one takes
its name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("venues", "0004_contact_phone_encrypt_fill"),
    ]

    operations = [
        migrations.RemoveField(model_name="venue", name="contact_phone"),
        migrations.RenameField(
            model_name="venue", old_name="contact_phone_encrypted", new_name="contact_phone"
        ),
        migrations.RemoveField(model_name="booking", name="contact_phone"),
        migrations.RenameField(
            model_name="booking", old_name="contact_phone_encrypted", new_name="contact_phone"
        ),
    ]
