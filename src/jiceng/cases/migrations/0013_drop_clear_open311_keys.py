from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 3 of 3: the hash is required and unique; the clear keys go."""

    dependencies = [("cases", "0012_hash_open311_keys")]

    operations = [
        migrations.AlterField(
            model_name="open311key",
            name="key_hash",
            field=models.CharField(editable=False, max_length=64, verbose_name="密钥哈希"),
        ),
        migrations.AddConstraint(
            model_name="open311key",
            constraint=models.UniqueConstraint(fields=("key_hash",), name="open311_key_hash_once"),
        ),
        migrations.RemoveField(model_name="open311key", name="key"),
    ]
