"""The meeting kinds of the case studies and their templates (deliberation/kinds.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from jiceng.deliberation.kinds import load_kinds

    load_kinds(apps.get_model("deliberation", "MeetingKind"))


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_meetings_issues_matters")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
