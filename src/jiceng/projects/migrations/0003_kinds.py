"""The kinds of project as data (jiceng.projects.kinds)."""

from django.db import migrations

from jiceng.projects.kinds import KINDS, load_kinds


def forwards(apps, schema_editor):
    load_kinds(apps.get_model("projects", "ProjectKind"))


def backwards(apps, schema_editor):
    apps.get_model("projects", "ProjectKind").objects.filter(
        code__in=[k["code"] for k in KINDS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_progress_supervision_commitments")]
    operations = [migrations.RunPython(forwards, backwards)]
