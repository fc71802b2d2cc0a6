"""The starter classification of indicators (five domains and their categories, after Yuehu's
"5 domains x 23 categories"); the district edits it afterwards."""

from django.db import migrations

STARTER = [
    ("organization", "组织体系", "Organization", [
        ("org_coverage", "组织覆盖", "Organization coverage"),
        ("dual_report", "双报到", "Dual reporting"),
        ("partners", "共建单位", "Partner units"),
    ]),
    ("branch_life", "组织生活与党员", "Branch life and members", [
        ("meetings", "三会一课", "Meetings (three meetings, one lesson)"),
        ("theme_day", "主题党日", "Theme party day"),
        ("dues", "党费收缴", "Party dues"),
        ("points", "党员积分", "Member points"),
        ("learning", "学习教育", "Learning"),
        ("members", "党员队伍", "Members"),
    ]),
    ("services", "为民服务", "Services to residents", [
        ("needs", "群众需求", "Residents' needs"),
        ("wishes", "微心愿", "Micro-wishes"),
        ("activities", "活动开展", "Activities"),
        ("volunteering", "志愿服务", "Volunteering"),
        ("orders", "服务订单", "Service orders"),
    ]),
    ("governance", "基层治理", "Governance", [
        ("response", "响应受理", "Response"),
        ("handling", "按时办理", "Handling on time"),
        ("closure", "办结", "Closure"),
        ("rework", "返工", "Rework"),
        ("satisfaction", "群众满意度", "Satisfaction"),
        ("whistle", "吹哨报到", "Whistle and report-in"),
    ]),
    ("venues", "阵地建设", "Shared venues", [
        ("opening", "开放时间", "Opening hours"),
        ("bookings", "场地预约", "Bookings"),
        ("coverage", "阵地覆盖", "Venue coverage"),
    ]),
]


def load(apps, schema_editor):
    Domain = apps.get_model("dashboard", "Domain")
    Category = apps.get_model("dashboard", "Category")
    for d_order, (key, name, name_en, categories) in enumerate(STARTER, start=1):
        domain, _ = Domain.objects.get_or_create(
            key=key, defaults={"name": name, "name_en": name_en, "order": d_order * 10}
        )
        for c_order, (c_key, c_name, c_name_en) in enumerate(categories, start=1):
            Category.objects.get_or_create(
                key=c_key,
                defaults={
                    "domain": domain,
                    "name": c_name,
                    "name_en": c_name_en,
                    "order": c_order * 10,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_snapshots_and_classification")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
