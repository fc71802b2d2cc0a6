from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 1 of 3: a column for the key's HMAC beside the clear key."""

    dependencies = [("cases", "0010_fewer_case_indexes")]

    operations = [
        migrations.AddField(
            model_name="open311key",
            name="key_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="密钥哈希"
            ),
        ),
        migrations.AddField(
            model_name="open311key",
            name="hint",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=8, verbose_name="密钥末尾"
            ),
            preserve_default=False,
        ),
    ]
