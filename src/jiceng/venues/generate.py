"""Venues and a year of bookings for the benchmarks (and the plan the demo uses too).

``generate_venues(district="990101", venues=2000)`` lists rooms across the communities and grids
of a generated district, each with staggered weekly windows, and writes a year of bookings
(about one a day per venue, never two approved ones overlapping) straight into the tables:
COPY on PostgreSQL, batched inserts elsewhere.
"""

from __future__ import annotations

import io
import random
import time as clock
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from jiceng.accounts.models import RoleAssignment
from jiceng.geo.models import Division
from jiceng.venues.models import OpeningWindow, Venue

# Weekly windows a venue may have (错时开放: evenings on working days, days at the weekend).
PATTERNS: list[dict[int, list[tuple[str, str]]]] = [
    {
        **{d: [("09:00", "11:30"), ("14:00", "17:00"), ("18:30", "21:00")] for d in range(5)},
        5: [("09:00", "21:00")],
        6: [("09:00", "17:00")],
    },
    {
        **{d: [("18:00", "21:00")] for d in range(5)},
        5: [("09:00", "21:00")],
        6: [("09:00", "21:00")],
    },
    {d: [("08:30", "12:00"), ("14:00", "20:30")] for d in range(7)},
    {**{d: [("19:00", "21:30")] for d in range(5)}, 5: [("14:00", "18:00")]},
]
KINDS = [
    ("center", "党群服务中心", 80),
    ("station", "党群服务站", 20),
    ("meeting_room", "会议室", 30),
    ("activity_room", "活动室", 40),
    ("sports", "运动场", 50),
]
TITLES = [
    "书法兴趣小组",
    "合唱团排练",
    "老年大学课程",
    "居民议事会",
    "亲子阅读",
    "志愿者培训",
    "主题党日活动",
    "太极拳晨练",
    "法律咨询",
    "健康讲座",
    "儿童托管",
    "楼道长会议",
    "退役军人座谈",
    "垃圾分类宣讲",
]
STATUSES_PAST = ["approved"] * 17 + ["cancelled"] * 2 + ["declined"]
STATUSES_FUTURE = ["approved"] * 12 + ["pending"] * 6 + ["declined"] + ["cancelled"]


def _t(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


def plan_bookings(
    rng: random.Random,
    windows: list[tuple[int, time, time]],
    *,
    first: date,
    days: int,
    today: date,
    per_day: float = 1.0,
) -> Iterator[tuple[datetime, datetime, str, str, int]]:
    """(starts_at, ends_at, status, title, attendees) for one venue over ``days`` days: hour
    blocks inside the windows, never two in the same block, so approved ones never overlap."""
    tz = timezone.get_current_timezone()
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, s, e in windows:
        by_day.setdefault(weekday, []).append((s, e))
    for offset in range(days):
        day = first + timedelta(days=offset)
        spans = by_day.get(day.weekday())
        if not spans:
            continue
        count = int(per_day) + (1 if rng.random() < per_day - int(per_day) else 0)
        if not count:
            continue
        blocks: list[tuple[datetime, datetime]] = []
        for s, e in spans:
            start = datetime.combine(day, s, tzinfo=tz)
            end = datetime.combine(day, e, tzinfo=tz)
            while start + timedelta(hours=1) <= end:
                length = timedelta(hours=rng.choice([1, 1, 2]))
                if start + length > end:
                    length = timedelta(hours=1)
                blocks.append((start, start + length))
                start += length
        statuses = STATUSES_PAST if day < today else STATUSES_FUTURE
        for s, e in rng.sample(blocks, min(count, len(blocks))):
            yield s, e, rng.choice(statuses), rng.choice(TITLES), rng.randint(5, 20)


def generate_venues(
    *,
    district: str,
    venues: int = 2000,
    days: int = 365,
    per_day: float = 1.0,
    seed: int = 6,
    log=print,
) -> dict[str, int]:
    """List ``venues`` venues across the district with ``days`` days of bookings ending a month
    from now (so the last weeks are still to come)."""
    started = clock.monotonic()
    rng = random.Random(seed)
    grids = list(Division.objects.filter(level="grid", code__startswith=district).order_by("code"))
    communities = list(
        Division.objects.filter(level="community", code__startswith=district).order_by("code")
    )
    if not grids:
        raise SystemExit(f"区划 {district} 下没有网格；请先运行 jiceng generate")
    residents = list(
        RoleAssignment.objects.filter(role="resident")
        .within(district)
        .values_list("user_id", flat=True)[:20000]
    )
    if not residents:
        raise SystemExit(f"区划 {district} 下没有居民；请先运行 jiceng generate")
    places = communities + grids
    rows = []
    for i in range(venues):
        where = communities[i % len(communities)] if i < len(communities) else rng.choice(places)
        kind, word, capacity = KINDS[0] if i < len(communities) else rng.choice(KINDS[1:])
        rows.append(
            Venue(
                name=f"{where.name}{word}{i:04d}",
                kind=kind,
                division=where,
                scope_code=where.code,
                address=f"{where.name}服务路 {i % 300 + 1} 号",
                capacity=capacity,
                facilities="桌椅、投影、音响",
                approval_required=rng.random() < 0.8,
                closed_on_holidays=rng.random() < 0.5,
                max_days_ahead=30,
            )
        )
    with transaction.atomic():
        made = Venue.objects.bulk_create(rows, batch_size=1000)
        if made and made[0].pk is None:
            made = list(Venue.objects.filter(scope_code__startswith=district).order_by("pk"))
        windows = []
        for v in made:
            pattern = PATTERNS[rng.randrange(len(PATTERNS))]
            for d, spans in pattern.items():
                windows.extend(
                    OpeningWindow(venue=v, weekday=d, starts=_t(s), ends=_t(e)) for s, e in spans
                )
        OpeningWindow.objects.bulk_create(windows, batch_size=5000)
    log(
        f"场地：{len(made)} 个，开放时段 {len(windows)} 条，用时 {clock.monotonic() - started:.1f} 秒"
    )
    by_venue: dict[int, list[tuple[int, time, time]]] = {}
    for w in windows:
        by_venue.setdefault(w.venue_id, []).append((w.weekday, w.starts, w.ends))
    today = timezone.localdate()
    first = today + timedelta(days=30) - timedelta(days=days)
    total = 0
    batch: list[tuple] = []
    now = timezone.now()
    for v in made:
        for s, e, status, title, attendees in plan_bookings(
            rng, by_venue[v.pk], first=first, days=days, today=today, per_day=per_day
        ):
            decided = s - timedelta(days=2) if status in ("approved", "declined") else None
            batch.append(
                (
                    v.pk,
                    v.scope_code,
                    rng.choice(residents),
                    title,
                    attendees,
                    s,
                    e,
                    status,
                    decided,
                    now,
                )
            )
        if len(batch) >= 50_000:
            total += _load(batch)
            batch = []
            log(f"预约：{total}，用时 {clock.monotonic() - started:.1f} 秒")
    total += _load(batch)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE venues_venue, venues_openingwindow, venues_booking")
    log(f"完成：{len(made)} 个场地，{total} 条预约，用时 {clock.monotonic() - started:.1f} 秒")
    return {"venues": len(made), "bookings": total, "seconds": int(clock.monotonic() - started)}


COLUMNS = (
    "venue_id, scope_code, booker_id, title, attendees, starts_at, ends_at, status, "
    "decided_at, created_at, updated_at, notes, contact_phone, reason"
)


def _load(rows: list[tuple]) -> int:
    if not rows:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buf = io.StringIO()
            for venue, scope, booker, title, n, s, e, status, decided, now in rows:
                d = decided.isoformat() if decided else r"\N"
                buf.write(
                    f"{venue}\t{scope}\t{booker}\t{title}\t{n}\t{s.isoformat()}\t{e.isoformat()}"
                    f"\t{status}\t{d}\t{now.isoformat()}\t{now.isoformat()}\t\t\\N\t\n"
                )
            with cursor.cursor.copy(
                f"COPY venues_booking ({COLUMNS}) FROM STDIN WITH (FORMAT text)"
            ) as copy:
                copy.write(buf.getvalue())
        else:
            ops = connection.ops
            cursor.executemany(
                f"INSERT INTO venues_booking ({COLUMNS}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', NULL, '')",
                [
                    (
                        *r[:5],
                        ops.adapt_datetimefield_value(r[5]),
                        ops.adapt_datetimefield_value(r[6]),
                        r[7],
                        ops.adapt_datetimefield_value(r[8]),
                        ops.adapt_datetimefield_value(r[9]),
                        ops.adapt_datetimefield_value(r[9]),
                    )
                    for r in rows
                ],
            )
    return len(rows)
