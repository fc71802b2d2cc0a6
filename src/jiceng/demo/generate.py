"""City-scale data for the benchmarks: 10 streets, 100 communities, 1,000 grids, 500,000
residents, loaded with bulk inserts (COPY on PostgreSQL)."""

from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from jiceng.core.errors import UserError
from jiceng.demo.names import names
from jiceng.geo.models import Division
from jiceng.geo.services import SYNTHETIC_DISTRICT, build_synthetic_district
from jiceng.registry.generate import generate_register


@dataclass(frozen=True)
class Scale:
    streets: int
    communities_per_street: int
    grids_per_community: int
    residents: int


SCALES = {
    "city": Scale(10, 10, 10, 500_000),
    "town": Scale(3, 5, 4, 20_000),
    "tiny": Scale(2, 2, 2, 200),
}
CITY_CODE = SYNTHETIC_DISTRICT
BATCH = 50_000


def generate(*, scale: str, code: str = CITY_CODE, seed: int = 1, log=print) -> dict[str, int]:
    """Build a synthetic district of the given scale; refuses to build one that exists."""
    if scale not in SCALES:
        raise UserError(f"未知规模：{scale}（可选 {'、'.join(SCALES)}）")
    if Division.objects.filter(code=code).exists():
        raise UserError(f"区划 {code} 已存在；请换一个代码或使用新的数据库。")
    s = SCALES[scale]
    started = time.monotonic()
    with transaction.atomic():
        build_synthetic_district(
            code=code,
            name="基准区",
            streets=s.streets,
            communities_per_street=s.communities_per_street,
            grids_per_community=s.grids_per_community,
            seed=seed,
        )
    grids = list(
        Division.objects.filter(level="grid", code__startswith=code)
        .order_by("code")
        .values_list("id", "code")
    )
    log(f"区划：{len(grids)} 个网格，用时 {time.monotonic() - started:.1f} 秒")
    rng = random.Random(seed)
    loaded = 0
    prefix = f"g{code}_"
    for start in range(0, s.residents, BATCH):
        count = min(BATCH, s.residents - start)
        rows = [
            (f"{prefix}{start + i:07d}", name, rng.choice(grids))
            for i, name in enumerate(names(count, rng))
        ]
        with transaction.atomic():
            _load_residents(rows)
        loaded += count
        log(f"居民：{loaded}/{s.residents}，用时 {time.monotonic() - started:.1f} 秒")

    register = generate_register(district=code, residents=s.residents, seed=seed, log=log)
    return {
        "grids": len(grids),
        "residents": loaded,
        "register": register["people"],
        "seconds": int(time.monotonic() - started),
    }


def _load_residents(rows: list[tuple[str, str, tuple[int, str]]]) -> None:
    """Insert users and their resident role; COPY on PostgreSQL, executemany elsewhere."""
    now = timezone.now()
    unusable = make_password(None)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS gen_residents "
            "(username varchar(150), division_id bigint, scope_code varchar(15))"
        )
        cursor.execute("DELETE FROM gen_residents")
        if connection.vendor == "postgresql":
            users = io.StringIO()
            plan = io.StringIO()
            for username, name, (division_id, code) in rows:
                users.write(f"{username}\t{name}\t{unusable}\t{now.isoformat()}\n")
                plan.write(f"{username}\t{division_id}\t{code}\n")
            raw = cursor.cursor
            with raw.copy(
                "COPY accounts_user (username, full_name, password, date_joined, "
                "first_name, last_name, email, is_superuser, is_staff, is_active) "
                "FROM STDIN WITH (FORMAT text)"
            ) as copy:
                for line in users.getvalue().splitlines():
                    copy.write(line + "\t\t\t\tf\tf\tt\n")
            with raw.copy("COPY gen_residents FROM STDIN WITH (FORMAT text)") as copy:
                copy.write(plan.getvalue())
        else:
            cursor.executemany(
                "INSERT INTO accounts_user (username, full_name, password, date_joined, first_name,"
                " last_name, email, is_superuser, is_staff, is_active) "
                "VALUES (%s, %s, %s, %s, '', '', '', 0, 0, 1)",
                [(u, n, unusable, now) for u, n, _ in rows],
            )
            cursor.executemany(
                "INSERT INTO gen_residents VALUES (%s, %s, %s)",
                [(u, d, c) for u, _, (d, c) in rows],
            )
        cursor.execute(
            "INSERT INTO accounts_roleassignment (user_id, role, division_id, scope_code, "
            "created_at, updated_at) "
            "SELECT u.id, 'resident', g.division_id, g.scope_code, %s, %s "
            "FROM gen_residents g JOIN accounts_user u ON u.username = g.username",
            [now, now],
        )
