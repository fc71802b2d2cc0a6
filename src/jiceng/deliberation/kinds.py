"""The kinds of deliberation meetings the case studies name, with their templates: the agenda
each starts from, the categories it invites and the quorum a rule sets. Loaded by a migration
into ``MeetingKind`` rows, which a district may change. Sources: Wuxi's 月月谈 党群议事会;
Fugu's 五会联动; the 党建联席会 of the 大工委/大党委; 城市居民委员会组织法 art. 9 for the
residents' meeting (RULES.md "Residents' meetings and votes")."""

from __future__ import annotations

KINDS: list[dict] = [
    {
        "code": "monthly_talk",
        "name": "月月谈党群议事会",
        "purpose": "社区党组织每月召集驻区代表委员、居民小组长、党小组长、党员中心户、业委会、物业和共建单位代表议事（无锡）",
        "agenda": "通报上月议题落实情况\n收集本月居民议题\n协商议题并形成决议\n明确责任人和完成时限",
        "categories": [
            "committee",
            "deputy",
            "group_leader",
            "party_group_leader",
            "lead_household",
            "owners_committee",
            "property_company",
            "unit",
        ],
        "quorum": "",
        "rule": "",
        "monthly": True,
        "order": 10,
    },
    {
        "code": "opinion",
        "name": "民情恳谈会",
        "purpose": "收集民意（府谷“五会联动”）",
        "agenda": "介绍恳谈主题\n居民发言\n梳理意见建议",
        "categories": ["committee", "group_leader", "lead_household", "resident"],
        "order": 20,
    },
    {
        "code": "party_mass",
        "name": "党群议事会",
        "purpose": "协商议事（府谷“五会联动”）",
        "agenda": "通报议题\n协商讨论\n形成议事意见",
        "categories": ["committee", "party_member", "group_leader", "resident"],
        "order": 30,
    },
    {
        "code": "compound",
        "name": "小区事务协调会",
        "purpose": "化解小区矛盾诉求（府谷“五会联动”）",
        "agenda": "通报矛盾诉求\n各方陈述\n协调达成一致意见",
        "categories": ["committee", "owners_committee", "property_company", "resident"],
        "order": 40,
    },
    {
        "code": "hearing",
        "name": "重大事项听证会",
        "purpose": "听证重大事项（府谷“五会联动”）",
        "agenda": "说明事项和方案\n听证代表发言\n答复询问\n形成听证意见",
        "categories": ["committee", "deputy", "resident", "unit"],
        "order": 50,
    },
    {
        "code": "unit_review",
        "name": "共建单位联评会",
        "purpose": "共建单位评议社区工作（府谷“五会联动”）",
        "agenda": "社区通报共建情况\n共建单位评议\n确定下阶段共建项目",
        "categories": ["committee", "unit"],
        "order": 60,
    },
    {
        "code": "joint_party",
        "name": "党建联席会",
        "purpose": "街道大工委、社区大党委的联席会议",
        "agenda": "通报党建工作\n共建单位认领项目\n议定共建事项",
        "categories": ["committee", "unit", "deputy"],
        "order": 70,
    },
    {
        "code": "residents",
        "name": "居民会议（居民代表会议）",
        "purpose": "决定涉及全体居民利益的重要问题（民主决策五步法第四步）",
        "agenda": "报告拟决事项\n审议讨论\n表决",
        "categories": ["resident", "group_leader"],
        "quorum": "majority",
        "rule": "城市居民委员会组织法第九条：过半数十八周岁以上居民、户代表或居民小组代表出席方可举行，决定须经到会人员过半数通过",
        "order": 80,
    },
]


def load_kinds(model) -> None:
    """Put in the kinds that are missing (``model``: MeetingKind, or a migration's historical
    model); a kind a district changed keeps its changes."""
    for row in KINDS:
        model.objects.get_or_create(code=row["code"], defaults=row)
