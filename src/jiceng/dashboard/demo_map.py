"""The demo's demonstration sites (one set per domain over the district's streets and
communities, generated, with made-up stories) and a first run of the warning centre, so that a
district user finds the sites on the map and the warnings of the demo's records."""

from __future__ import annotations

import random

from jiceng.dashboard.models import DemoSite, SiteDomain, SiteLevel
from jiceng.dashboard.warnings import run_sources
from jiceng.geo.models import Division

STORIES = {
    SiteDomain.ORGANIZATION: (
        "党建引领“红色网格”",
        "网格党支部全覆盖，楼栋党小组长兼任楼长，党员亮身份、领责任区。",
    ),
    SiteDomain.BRANCH_LIFE: (
        "“三会一课”规范化",
        "每月主题党日固定在第一个周六，支部书记讲党课、党员点评打分，台账一月一晒。",
    ),
    SiteDomain.MEMBERS: (
        "在职党员“双报到”",
        "驻区单位党组织和在职党员到社区报到，认领服务项目，积分与评先评优挂钩。",
    ),
    SiteDomain.SERVICES: (
        "“微心愿”点亮行动",
        "困难群众的小心愿上墙，党员和共建单位认领，一周内办结并回访。",
    ),
    SiteDomain.GOVERNANCE: (
        "“吹哨报到”闭环",
        "网格发现、社区吹哨、部门报到，事项限时办结，群众满意度纳入考核。",
    ),
}


def build_sites_demo(*, district: str, seed: int = 12) -> int:
    rng = random.Random(seed)
    streets = list(
        Division.objects.filter(level="street", code__startswith=district, is_active=True)
    )
    communities = list(
        Division.objects.filter(level="community", code__startswith=district, is_active=True)
    )
    sites = []
    for i, domain in enumerate(SiteDomain.values):
        title, story = STORIES[domain]
        if streets:
            street = streets[i % len(streets)]
            sites.append(
                DemoSite(
                    name=f"{street.name}{title}示范街道",
                    domain=domain,
                    level=SiteLevel.STREET,
                    division=street,
                    scope_code=street.code,
                    story=story,
                    year=2024 + i % 2,
                )
            )
        for community in rng.sample(communities, min(3, len(communities))):
            level = rng.choice([SiteLevel.COMMUNITY, SiteLevel.COMPOUND])
            what = "标杆社区" if level == SiteLevel.COMMUNITY else "样板小区"
            lon = lat = None
            if level == SiteLevel.COMPOUND and community.centroid_lon is not None:
                lon = community.centroid_lon + rng.uniform(-0.002, 0.002)
                lat = community.centroid_lat + rng.uniform(-0.002, 0.002)
            sites.append(
                DemoSite(
                    name=f"{community.name}{title}{what}",
                    domain=domain,
                    level=level,
                    division=community,
                    scope_code=community.code,
                    lon=lon,
                    lat=lat,
                    story=story,
                    year=rng.choice([2023, 2024, 2025]),
                )
            )
    DemoSite.objects.bulk_create(sites, ignore_conflicts=True)
    return len(sites)


def build_map_demo(*, district: str) -> None:
    build_sites_demo(district=district)
    run_sources()
