"""The starter kinds of fund line as data (a district adds its own), each with the rule it must
meet and its source. The migration loads them; ``load_fund_kinds`` puts them back after a test
flushed the tables (the demo calls it)."""

from decimal import Decimal

KINDS = [
    {
        "code": "service_fund",
        "name": "为民服务专项资金",
        "minimum": Decimal("200000.00"),
        "rule_level": "community",
        "rule": "社区党组织为民服务专项资金每个社区每年不少于20万元，用于服务群众、办实事",
        "source": "无锡市关于加强社区党组织为民服务专项资金管理的规定（每社区每年不少于20万元）",
        "order": 10,
    },
    {
        "code": "benefit_fund",
        "name": "惠民项目资金",
        "rule": "用于经居民征集、票决确定的惠民项目",
        "source": "柳州市惠民项目资金（九年累计超过3.8亿元）",
        "order": 20,
    },
    {
        "code": "unit_contribution",
        "name": "共建单位出资",
        "rule": "共建单位认领项目后出资，专款专用",
        "from_unit": True,
        "order": 30,
    },
]


def load_fund_kinds(model) -> None:
    """Create or refresh the starter kinds (``model``: FundKind, or the migration's)."""
    for row in KINDS:
        model.objects.update_or_create(code=row["code"], defaults=row)
