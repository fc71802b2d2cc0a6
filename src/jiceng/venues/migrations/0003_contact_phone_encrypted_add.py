"""Contact phones encrypted, step 1 of 3: an encrypted column and its lookup hash beside the
clear one (filled by 0004, the clear column dropped by 0005)."""

import jiceng.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("venues", "0002_booking_no_overlap"),
    ]

    operations = [
        migrations.AddField(
            model_name="venue",
            name="contact_phone_encrypted",
            field=jiceng.core.fields.EncryptedCharField(
                blank=True, max_length=20, null=True, verbose_name="联系电话"
            ),
        ),
        migrations.AddField(
            model_name="venue",
            name="contact_phone_hash",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                editable=False,
                max_length=64,
                verbose_name="联系电话哈希",
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="contact_phone_encrypted",
            field=jiceng.core.fields.EncryptedCharField(
                blank=True, max_length=11, null=True, verbose_name="联系电话"
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="contact_phone_hash",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                editable=False,
                max_length=64,
                verbose_name="联系电话哈希",
            ),
        ),
    ]
