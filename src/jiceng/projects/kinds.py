"""The kinds of project as data (a district adds its own): 书记项目, 第一书记项目, 实事 with its six
steps, 重点任务 (a responsible unit, a deadline, a roadmap) and 建设项目 (a site and a contractor).
The migration loads them; ``load_kinds`` puts them back after a test flushed the tables."""

from __future__ import annotations

PRACTICAL_STEPS = ["征集", "票决", "实施", "督查", "验收", "评议"]

KINDS = [
    {
        "code": "secretary",
        "name": "书记项目",
        "purpose": "社区党组织书记领办的项目，分片联系、调研核实、列席指导、结果运用。",
        "steps": [],
        "order": 10,
    },
    {
        "code": "first_secretary",
        "name": "第一书记项目",
        "purpose": "第一书记承诺领办的项目，按月报告进展，年终考评。",
        "steps": [],
        "order": 20,
    },
    {
        "code": "practical",
        "name": "实事",
        "purpose": "为民办实事：征集、票决、实施、督查、验收、评议六步闭环。",
        "steps": PRACTICAL_STEPS,
        "order": 30,
    },
    {
        "code": "key_task",
        "name": "重点任务",
        "purpose": "重点任务清单：责任单位、完成时限、路线图，紧盯节点。",
        "steps": [],
        "needs_unit": True,
        "order": 40,
    },
    {
        "code": "construction",
        "name": "建设项目",
        "purpose": "党群服务中心等建设项目：建设地点、面积、施工单位、建设阶段。",
        "steps": ["立项", "设计", "施工", "竣工验收", "投入使用"],
        "needs_site": True,
        "order": 50,
    },
]


def load_kinds(model) -> None:
    """Create or refresh the starter kinds (``model``: ProjectKind, or the migration's)."""
    for row in KINDS:
        model.objects.update_or_create(code=row["code"], defaults=row)
