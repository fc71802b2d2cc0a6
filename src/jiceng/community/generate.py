"""City-scale activities for the benchmarks: N activities over a year (half before today, half
after) spread over the district's communities, with sign-ups by the communities' residents.
COPY on PostgreSQL (batched inserts elsewhere); written straight to the tables, the counters
(taken) consistent with the sign-ups."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from jiceng.accounts.models import RoleAssignment
from jiceng.core.scope import community_of
from jiceng.geo.models import Division

TITLES = [
    "义诊进社区",
    "长者智能手机课堂",
    "义务理发",
    "垃圾分类宣传",
    "四点半课堂",
    "消防安全演练",
    "律师坐班咨询",
    "邻里节",
    "亲子手工课",
    "文明创建志愿服务",
    "红色观影",
    "健康讲座",
]
PLACES = ["党群服务中心", "社区多功能室", "小区中心广场", "社区图书室", "老年活动中心"]
ACTIVITY_COLUMNS = (
    "community_id",
    "scope_code",
    "title",
    "description",
    "place",
    "starts_at",
    "ends_at",
    "capacity",
    "signup_opens_at",
    "signup_closes_at",
    "taken",
    "waiting",
    "status",
    "created_at",
    "updated_at",
)
SIGNUP_COLUMNS = ("activity_id", "user_id", "status", "created_at", "confirmed_at")


def _value(v) -> str:
    if v is None:
        return r"\N"
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v)


def generate_activities(
    *, district: str, count: int, seed: int = 1, max_signups: int = 8, log=print
) -> dict[str, int]:
    """Write ``count`` activities and their sign-ups into the district's communities."""
    started = time.monotonic()
    rng = random.Random(seed)
    communities = list(
        Division.objects.filter(level="community", code__startswith=district).values_list(
            "pk", "code"
        )
    )
    if not communities:
        raise ValueError(f"no communities under {district}: run `jiceng generate` first")
    residents: dict[str, list[int]] = defaultdict(list)
    for user_id, code in RoleAssignment.objects.filter(
        role="resident", scope_code__startswith=district, ended_at__isnull=True
    ).values_list("user_id", "scope_code"):
        residents[community_of(code)].append(user_id)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    first = now - timedelta(days=182)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM community_activity")
        next_id = cursor.fetchone()[0] + 1
        activities, signups = [], []
        for i in range(count):
            pk, code = communities[i % len(communities)]
            day = first + timedelta(days=rng.randrange(365))
            starts = day.replace(hour=rng.choice([9, 10, 14, 15, 19]))
            ends = starts + timedelta(hours=rng.choice([1, 2, 2, 3]))
            capacity = rng.choice([10, 20, 30, 40, 60])
            people = residents.get(code, [])
            taken = rng.sample(people, min(len(people), rng.randint(0, max_signups), capacity))
            opens = starts - timedelta(days=14)
            activities.append(
                (
                    next_id + i,
                    pk,
                    code,
                    rng.choice(TITLES),
                    "",
                    rng.choice(PLACES),
                    starts,
                    ends,
                    capacity,
                    opens,
                    starts,
                    len(taken),
                    0,
                    "published",
                    opens,
                    opens,
                )
            )
            for user_id in taken:
                signups.append((next_id + i, user_id, "confirmed", opens, opens))
        _write(cursor, activities, signups)
    seconds = round(time.monotonic() - started, 1)
    log(f"{count} 个活动，{len(signups)} 条报名，{seconds} 秒")
    return {"activities": count, "signups": len(signups), "seconds": seconds}


def _write(cursor, activities: list[tuple], signups: list[tuple]) -> None:
    """Rows carry their ids (the sign-ups name their activity by it)."""
    columns = ("id", *ACTIVITY_COLUMNS)
    if connection.vendor == "postgresql":
        raw = cursor.cursor
        with raw.copy(f"COPY community_activity ({', '.join(columns)}) FROM STDIN") as copy:
            for row in activities:
                copy.write("\t".join(_value(v) for v in row) + "\n")
        with raw.copy(
            f"COPY community_signup ({', '.join(SIGNUP_COLUMNS)}, comment) FROM STDIN"
        ) as copy:
            for row in signups:
                copy.write("\t".join(_value(v) for v in row) + "\t\n")
        for table in ("community_activity", "community_signup"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
        cursor.execute("ANALYZE community_activity")
        cursor.execute("ANALYZE community_signup")
    else:
        cursor.executemany(
            f"INSERT INTO community_activity ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            activities,
        )
        cursor.executemany(
            f"INSERT INTO community_signup ({', '.join(SIGNUP_COLUMNS)}, comment) "
            f"VALUES ({', '.join(['%s'] * len(SIGNUP_COLUMNS))}, '')",
            signups,
        )
