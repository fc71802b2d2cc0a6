"""A starter set of categories after the component and event classes of GB/T 30428.2 and the
residents' demands of the case studies. Districts change them in the admin."""

from decimal import Decimal

from django.db import migrations

STD = "GB/T 30428.2 数字化城市管理信息系统 第2部分：管理部件和事件"
DEMAND = "三事分流（柳州）"
# code, name, kind, triage, handling hours (working hours), source
CATEGORIES = [
    ("01", "公用设施", "component", "major", 21, STD),
    ("0101", "井盖破损或缺失", "component", "major", 6, STD),
    ("0102", "路灯不亮或损坏", "component", "major", 21, STD),
    ("0103", "供水、燃气管线设施损坏", "component", "major", 7, STD),
    ("02", "道路交通", "component", "major", 35, STD),
    ("0201", "道路或人行道破损", "component", "major", 35, STD),
    ("0202", "交通标志、护栏损坏", "component", "major", 21, STD),
    ("03", "市容环境", "component", "major", 21, STD),
    ("0301", "公厕、垃圾箱等环卫设施损坏", "component", "major", 21, STD),
    ("04", "园林绿化", "component", "major", 21, STD),
    ("0401", "行道树倒伏或枯死", "component", "major", 14, STD),
    ("0402", "绿地被毁、侵占", "component", "major", 35, STD),
    ("05", "房屋土地", "component", "major", 35, STD),
    ("0501", "违法建设", "component", "major", 70, STD),
    ("11", "市容环境事件", "event", "major", 7, STD),
    ("1101", "暴露垃圾、积存垃圾", "event", "minor", 7, STD),
    ("1102", "乱堆物料", "event", "minor", 7, STD),
    ("12", "宣传广告", "event", "major", 7, STD),
    ("1201", "违规张贴小广告", "event", "minor", 7, STD),
    ("13", "施工管理", "event", "major", 14, STD),
    ("1301", "施工扰民、占道施工", "event", "major", 14, STD),
    ("14", "突发事件", "event", "major", 4, STD),
    ("1401", "路面积水", "event", "major", 4, STD),
    ("1402", "管道破裂、漏水", "event", "major", 4, STD),
    ("15", "街面秩序", "event", "major", 7, STD),
    ("1501", "占道经营", "event", "major", 7, STD),
    ("1502", "乱停放车辆", "event", "minor", 7, STD),
    ("21", "社区服务诉求", "demand", "minor", 21, DEMAND),
    ("2101", "邻里纠纷", "demand", "minor", 21, DEMAND),
    ("2102", "物业服务问题", "demand", "minor", 21, DEMAND),
    ("2103", "楼道堆物、飞线充电", "demand", "minor", 7, DEMAND),
    ("2104", "政策咨询", "demand", "private", 14, DEMAND),
    ("2105", "家庭矛盾", "demand", "private", 21, DEMAND),
]


def forwards(apps, schema_editor):
    CaseCategory = apps.get_model("cases", "CaseCategory")
    by_code = {}
    for code, name, kind, triage, hours, source in CATEGORIES:
        by_code[code] = CaseCategory.objects.create(
            code=code, name=name, kind=kind, default_triage=triage,
            handling_hours=Decimal(hours), source=source, parent=by_code.get(code[:2]),
        )


def backwards(apps, schema_editor):
    apps.get_model("cases", "CaseCategory").objects.filter(
        code__in=[c[0] for c in CATEGORIES], cases__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
