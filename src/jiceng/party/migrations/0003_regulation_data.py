"""The dues brackets of the 2008 dues regulations and the meeting frequencies of the 2018 branch
work regulations, as rows a district can change in the admin."""

from decimal import Decimal

from django.db import migrations

DUES = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"
BRANCH = "《中国共产党支部工作条例（试行）》（2018）"

DUES_RULES = [
    # income kind, above, up to, rate, fixed amount
    ("wage", "0", "3000", "0.0050", None),
    ("wage", "3000", "5000", "0.0100", None),
    ("wage", "5000", "10000", "0.0150", None),
    ("wage", "10000", None, "0.0200", None),
    ("retired", "0", "5000", "0.0050", None),
    ("retired", "5000", None, "0.0100", None),
    # Farmers pay 0.2 to 1 yuan a month; the branch may set more within that range.
    ("farmer", "0", None, None, "0.20"),
    ("student", "0", None, None, "0.20"),
    ("no_income", "0", None, None, "0.20"),
]

FREQUENCIES = [
    # kind, org kind, period, times, regulation
    ("general_meeting", "branch", "quarter", 1, f"{BRANCH}第十五条：支部党员大会一般每季度召开1次"),
    ("committee_meeting", "branch", "month", 1, f"{BRANCH}第十六条：支部委员会会议一般每月召开1次"),
    ("group_meeting", "group", "month", 1, f"{BRANCH}第十五条：党小组会一般每月召开1次"),
    ("lecture", "branch", "quarter", 1, f"{BRANCH}第十五条：按期上党课（地方规定：每季度至少1次）"),
    ("theme_day", "branch", "month", 1, f"{BRANCH}第十五条：每月相对固定1天开展主题党日"),
    ("life_meeting", "branch", "year", 1, f"{BRANCH}第十八条：组织生活会一般每年召开1次"),
    ("appraisal", "branch", "year", 1, f"{BRANCH}第十九条：每年开展民主评议党员"),
]


def forwards(apps, schema_editor):
    DuesRule = apps.get_model("party", "DuesRule")
    MeetingFrequency = apps.get_model("party", "MeetingFrequency")
    for kind, above, up_to, rate, fixed in DUES_RULES:
        DuesRule.objects.create(
            income_kind=kind,
            above=Decimal(above),
            up_to=Decimal(up_to) if up_to else None,
            rate=Decimal(rate) if rate else None,
            fixed_amount=Decimal(fixed) if fixed else None,
            regulation=DUES,
        )
    for kind, org_kind, period, times, regulation in FREQUENCIES:
        MeetingFrequency.objects.create(
            kind=kind,
            org_kind=org_kind,
            period=period,
            times=times,
            warn_days=30 if period == "year" else 7,
            regulation=regulation,
        )


def backwards(apps, schema_editor):
    apps.get_model("party", "DuesRule").objects.all().delete()
    apps.get_model("party", "MeetingFrequency").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("party", "0002_members_meetings_dues")]

    operations = [migrations.RunPython(forwards, backwards)]
