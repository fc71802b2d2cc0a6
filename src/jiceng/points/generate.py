"""City-scale party and points data for the benchmarks: a branch per grid, members spread over
them, and a year of ledger entries, written server-side in batches (INSERT ... SELECT over
generate_series on PostgreSQL, so nothing crosses the wire but the statement).

    generate_points(district="990101", members=50_000, entries=10_000_000, year=2025)

Needs the synthetic district of ``jiceng generate --scale city`` first. Balances are then
rebuilt from the ledger (``rebuild_balances``), which is itself one of the benchmarks.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import UserError
from jiceng.core.scope import community_of
from jiceng.geo.models import Division
from jiceng.party.models import Member, PartyOrg
from jiceng.points.models import PointEntry, PointRule

BATCH = 1_000_000


def generate_party(*, district: str, members: int, seed: int = 1, log=print) -> list[int]:
    """A committee per community, a branch per grid, ``members`` members over the branches."""
    if PartyOrg.objects.filter(scope_code__startswith=district, kind="branch").exists():
        raise UserError(_("区划 {code} 已有党组织；请使用新的数据库。").format(code=district))
    communities = list(Division.objects.filter(level="community", code__startswith=district))
    grids = list(Division.objects.filter(level="grid", code__startswith=district).order_by("code"))
    if not grids:
        raise UserError(
            _("区划 {code} 没有网格；请先运行 jiceng generate --scale city。").format(code=district)
        )
    rng = random.Random(seed)
    with transaction.atomic():
        committees = PartyOrg.objects.bulk_create(
            PartyOrg(name=f"中共{c.name}委员会", kind="committee", division=c, scope_code=c.code)
            for c in communities
        )
        by_code = {c.scope_code: c for c in committees}
        branches = PartyOrg.objects.bulk_create(
            PartyOrg(
                name=f"{g.name}党支部",
                kind="branch",
                division=g,
                parent=by_code.get(community_of(g.code)),
                scope_code=g.code,
            )
            for g in grids
        )
        kinds = ["direct"] * 5 + ["in_service"] * 3 + ["retired"] * 2
        Member.objects.bulk_create(
            (
                Member(
                    name=f"党员{i:06d}",
                    org=(org := branches[i % len(branches)]),
                    scope_code=org.scope_code,
                    management_type=rng.choice(kinds),
                    joined_at=date(1980 + i % 40, 7, 1),
                    dues_from=date(1980 + i % 40, 7, 1),
                    dues_base=3000 + (i % 7) * 1000,
                )
                for i in range(members)
            ),
            batch_size=5000,
        )
    log(f"党组织：{len(committees)} 个党委，{len(branches)} 个支部；党员 {members} 名")
    return [b.pk for b in branches]


def generate_entries(*, district: str, entries: int, year: int, seed: int = 1, log=print) -> int:
    """``entries`` ledger entries over ``year`` for the district's members (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        raise UserError(_("积分流水的城市规模数据只在 PostgreSQL 上生成。"))
    rules = list(PointRule.objects.filter(source__startswith="party.").order_by("pk"))
    member_ids = list(
        Member.objects.filter(scope_code__startswith=district).values_list("pk", flat=True)
    )
    if not member_ids:
        raise UserError(_("没有党员；先运行 generate_party。"))
    start = timezone.make_aware(datetime(year, 1, 1))
    seconds = 365 * 86400 - 1
    offset = PointEntry.objects.count()
    done = 0
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS gen_members (n int PRIMARY KEY, id bigint, "
            "org_id bigint, scope_code varchar(15))"
        )
        cursor.execute("TRUNCATE gen_members")
        cursor.execute(
            "INSERT INTO gen_members SELECT row_number() OVER (ORDER BY id) - 1, id, org_id, "
            "scope_code FROM party_member WHERE scope_code >= %s AND scope_code <= %s",
            [district, district + "9" * (15 - len(district))],
        )
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS gen_rules (n int PRIMARY KEY, id bigint, points int)"
        )
        cursor.execute("TRUNCATE gen_rules")
        for n, rule in enumerate(rules):
            cursor.execute("INSERT INTO gen_rules VALUES (%s, %s, %s)", [n, rule.pk, rule.points])
        m, r = len(member_ids), len(rules)
        # Loading into a table with six indexes slows with every million; drop them for the
        # load and build each once at the end (the unique key on (rule, source_key) included).
        constraints, indexes = _secondary_indexes(cursor, "points_pointentry")
        for name, _definition in constraints:
            cursor.execute(f"ALTER TABLE points_pointentry DROP CONSTRAINT {name}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        while done < entries:
            count = min(BATCH, entries - done)
            with transaction.atomic():
                cursor.execute(
                    """
                    INSERT INTO points_pointentry (rule_id, member_id, org_id, scope_code, points,
                        offered, kind, source_key, occurred_at, note, created_at)
                    SELECT r.id, m.id, m.org_id, m.scope_code, r.points, r.points, 'auto',
                        'gen:' || s.i,
                        %s::timestamptz + ((s.i * 2654435761 + %s) %% %s) * interval '1 second',
                        '', now()
                    FROM generate_series(%s::bigint, %s::bigint) AS s(i)
                    JOIN gen_members m ON m.n = (s.i * 7919) %% %s
                    JOIN gen_rules r ON r.n = (s.i / 7) %% %s
                    """,
                    [start, seed, seconds, offset + done, offset + done + count - 1, m, r],
                )
            done += count
            log(f"积分流水：{done}/{entries}，用时 {time.monotonic() - started:.0f} 秒")
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f"ALTER TABLE points_pointentry ADD CONSTRAINT {name} {definition}")
        cursor.execute("ANALYZE points_pointentry")
        log(f"积分流水索引重建完成，用时 {time.monotonic() - started:.0f} 秒")
    return done


def _secondary_indexes(cursor, table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The table's unique constraints and its other indexes (not the primary key), each with
    the definition that recreates it."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'u'",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
        "AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    return constraints, cursor.fetchall()
