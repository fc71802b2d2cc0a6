"""The meeting kinds of the case studies and their templates (deliberation/kinds.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from jiceng.deliberation.kinds import KINDS

    MeetingKind = apps.get_model("deliberation", "MeetingKind")
    for row in KINDS:
        MeetingKind.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_meetings_issues_matters")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
