"""A starter set of point rules after the examples of local practice (RULES.md, "Points"):
三会一课 3 each, at most 12 a year; theme day 2 each, at most 8. Every number is configurable in
the admin."""

from django.db import migrations

RULES = [
    # code, name, kind, source keys, points, day, month, year
    (
        "meeting",
        "参加三会一课",
        "bonus",
        "party.meeting.general_meeting party.meeting.committee_meeting "
        "party.meeting.group_meeting party.meeting.lecture",
        3, None, None, 12,
    ),
    ("theme_day", "参加主题党日", "bonus", "party.meeting.theme_day", 2, None, None, 8),
    ("life_meeting", "参加组织生活会", "bonus", "party.meeting.life_meeting party.meeting.appraisal", 2, None, None, 4),
    ("dues_on_time", "按时交纳党费", "bonus", "party.dues_on_time", 1, None, 1, 12),
    ("learning", "完成在线学习", "bonus", "party.learning_finished", 1, 2, None, 100),
    ("manual_bonus", "表彰奖励（手工）", "bonus", "", 5, None, None, None),
    ("manual_deduction", "违规扣分（手工）", "deduction", "", -5, None, None, None),
]


def forwards(apps, schema_editor):
    PointRule = apps.get_model("points", "PointRule")
    for code, name, kind, source, points, day, month, year in RULES:
        PointRule.objects.create(
            code=code,
            name=name,
            kind=kind,
            source=source,
            points=points,
            cap_day=day,
            cap_month=month,
            cap_year=year,
        )


def backwards(apps, schema_editor):
    apps.get_model("points", "PointRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("points", "0001_rules_ledger")]

    operations = [migrations.RunPython(forwards, backwards)]
