"""Starter point rules for the community services' sources (activity check-in, a rated service
order, a fulfilled micro-wish); every number is configurable in the admin."""

from django.db import migrations

RULES = [
    # code, name, kind, source keys, points, caps (in points) per day, month, year
    (
        "volunteer_activity",
        "参加志愿服务活动",
        "bonus",
        "services.activity_checkin",
        2,
        4,
        20,
        None,
    ),
    ("service_order", "完成服务工单", "bonus", "services.order_rated", 3, None, 30, None),
    ("micro_wish", "点亮微心愿", "bonus", "services.wish_fulfilled", 3, None, None, 36),
]


def forwards(apps, schema_editor):
    PointRule = apps.get_model("points", "PointRule")
    for code, name, kind, source, points, day, month, year in RULES:
        PointRule.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                kind=kind,
                source=source,
                points=points,
                cap_day=day,
                cap_month=month,
                cap_year=year,
            ),
        )


def backwards(apps, schema_editor):
    apps.get_model("points", "PointRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("points", "0002_starter_rules")]

    operations = [migrations.RunPython(forwards, backwards)]
