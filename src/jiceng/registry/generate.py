"""A believable register for a district, generated straight into the tables (COPY on PostgreSQL):
compounds in each community, buildings placed at points inside their grids, dwellings by entrance
and floor, households, and people with valid (synthetic) ID numbers and mobile numbers stored
encrypted with their lookup hashes, their residences, some care tags, a few moved out or
deceased. Used by the demo district and by the city-scale generator for the benchmarks.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import shapely
from django.db import connection, transaction
from django.utils import timezone
from shapely.geometry import shape

from jiceng.core.fields import field_fernet, lookup_hash
from jiceng.core.personal import id_check_char
from jiceng.core.scope import district_of
from jiceng.geo.models import Division
from jiceng.registry.models import normalize_address


def names(count: int, rng: random.Random) -> list[str]:
    """Chinese names from Faker's zh_CN data (weighted surnames), fast."""
    from faker.providers.person.zh_CN import Provider

    surnames = rng.choices(
        list(Provider.last_names), weights=list(Provider.last_names.values()), k=count
    )
    given = list(Provider.first_names)
    return [
        s + rng.choice(given) + (rng.choice(given) if rng.random() < 0.7 else "") for s in surnames
    ]


COMPOUND_WORDS = (
    "阳光", "湖滨", "翠苑", "金桥", "锦绣", "和平", "东湖", "信江", "龙岗", "梅园", "丰收",
    "景秀", "天和", "紫荆", "桂花", "滨江", "新城", "幸福", "春晖", "月湖", "清风", "长青",
)  # fmt: skip
COMPOUND_KINDS = ("小区", "花园", "家园", "苑", "新村", "公寓")
ROAD_WORDS = ("胜利", "站江", "梅园", "交通", "湖西", "沿江", "建设", "人民", "环城", "林荫")
ETHNICITIES = ("汉族",) * 48 + ("回族", "畲族")
CARE_TAGS = (
    ("elderly_alone", 0.03),
    ("disabled", 0.015),
    ("low_income", 0.02),
    ("veteran_family", 0.01),
    ("minor_in_difficulty", 0.003),
)
BATCH = 50_000


def _points_in(polygon, n: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    """n random points inside a polygon (rejection sampling on its bounds)."""
    minx, miny, maxx, maxy = polygon.bounds
    out: list[tuple[float, float]] = []
    while len(out) < n:
        xs = rng.uniform(minx, maxx, n * 3)
        ys = rng.uniform(miny, maxy, n * 3)
        inside = shapely.contains_xy(polygon, xs, ys)
        out.extend(zip(xs[inside].round(6).tolist(), ys[inside].round(6).tolist(), strict=True))
    return out[:n]


class IdNumbers:
    """Unique valid ID numbers: the sequence counts up per area and birth date, odd for men."""

    def __init__(self, area: str):
        self.area = area
        self.used: dict[tuple[date, int], int] = {}

    def make(self, birth: date, male: bool) -> str:
        parity = 1 if male else 0
        n = self.used.get((birth, parity), 0)
        self.used[(birth, parity)] = n + 1
        seq = 2 * n + parity + (0 if male else 2)  # 001, 003 ... / 002, 004 ...
        first17 = f"{self.area}{birth:%Y%m%d}{seq % 1000:03d}"
        return first17 + id_check_char(first17)


LOADED_TABLES = ("registry_person", "registry_residence", "registry_caretag")
INDEX_AFTER = 100_000  # from this many people, build the secondary indexes after the load


def _drop_secondary_indexes(tables: Sequence[str]) -> list[str]:
    """Drop the non-unique indexes of the tables a large load fills (PostgreSQL), returning
    their definitions: one sorted build at the end is several times cheaper than keeping each
    index current through half a million inserts. Unique indexes and keys stay."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = ANY(%s) AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
            [list(tables)],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _name, definition in found]


def _recreate_indexes(definitions: list[str]) -> None:
    if not definitions:
        return
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Deferred foreign-key checks still pending in this transaction block CREATE INDEX.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for definition in definitions:
            cursor.execute(definition)


def _next_ids(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0] + 1


def _write(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Rows into a table: COPY on PostgreSQL, executemany elsewhere; sequences moved past."""
    rows = list(rows)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if "id" in columns:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT MAX(id) FROM {table}))"
                )
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                rows,
            )
    return len(rows)


def generate_register(
    *,
    district: str,
    residents: int,
    seed: int = 1,
    per_dwelling: float = 2.5,
    events: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, int]:
    """Fill the register of a district whose grids exist (with boundaries); returns counts."""
    started = time.monotonic()
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    grids = list(
        Division.objects.filter(level="grid", code__startswith=district, is_active=True)
        .exclude(boundary=None)
        .order_by("code")
        .values("id", "code", "boundary", "parent_id", "parent__code", "parent__name")
    )
    if not grids:
        return {"people": 0}
    by_community: dict[int, list[dict]] = {}
    for g in grids:
        by_community.setdefault(g["parent_id"], []).append(g)
    dwellings_needed = int(residents / per_dwelling * 1.08) + 1  # some stand empty
    per_building = 36  # at most 3 entrances x 6 floors x 2 flats
    buildings_needed = max(len(grids), dwellings_needed // per_building + 1)
    per_grid = max(1, round(buildings_needed / len(grids)))
    # Small districts get low-rise buildings: flats enough for the people, not six storeys empty.
    flats = max(2, -(-dwellings_needed // (per_grid * len(grids))))
    entrance_count = 1 if flats <= 12 else 2 if flats <= 24 else 3
    floor_count = max(1, min(6, -(-flats // (entrance_count * 2))))
    entrance_names = [f"{i}单元" for i in range(1, entrance_count + 1)]
    now = timezone.now()
    today = timezone.localdate()

    compound_id, building_id = _next_ids("registry_compound"), _next_ids("registry_building")
    dwelling_id, household_id = _next_ids("registry_dwelling"), _next_ids("registry_household")
    person_id, residence_id = _next_ids("registry_person"), _next_ids("registry_residence")
    compounds: list[tuple] = []
    buildings: list[tuple] = []
    dwellings: list[tuple[int, str, str, str, int, str]] = []  # id, scope, entrance, number...
    road_no = 0
    for community_id, cgrids in by_community.items():
        community_code = cgrids[0]["parent__code"]
        n_compounds = max(1, (per_grid * len(cgrids)) // 12)
        used: set[str] = set()
        mine = []
        for _ in range(n_compounds):
            name = rng.choice(COMPOUND_WORDS) + rng.choice(COMPOUND_KINDS)
            while name in used:
                name = (
                    rng.choice(COMPOUND_WORDS)
                    + rng.choice(COMPOUND_WORDS)
                    + rng.choice(COMPOUND_KINDS)
                )
            used.add(name)
            road_no += 1
            road = f"{rng.choice(ROAD_WORDS)}路{road_no}号"
            compounds.append((compound_id, name, road, community_code, community_id, now, now))
            mine.append((compound_id, name, road))
            compound_id += 1
        counters = dict.fromkeys(range(len(mine)), 0)
        # A compound's buildings stand together: each building joins the compound whose centre
        # (a point of the community, drawn apart from the other draws) is nearest.
        area = shapely.union_all([shape(g["boundary"]) for g in cgrids])
        centres = np.array(_points_in(area, len(mine), np.random.default_rng(community_id)))
        for g in cgrids:
            polygon = shape(g["boundary"])
            for lon, lat in _points_in(polygon, per_grid, nrng):
                rng.randrange(len(mine))  # the draw that chose the compound, kept for the sequence
                k = int(np.argmin(((centres - (lon, lat)) ** 2).sum(axis=1)))
                cid, cname, road = mine[k]
                counters[k] += 1
                bname = f"{counters[k]}栋"
                address = f"{road}{bname}"
                buildings.append(
                    (
                        building_id, bname, address, normalize_address(address), lon, lat,
                        floor_count,
                        g["code"], cid, g["id"], now, now,
                    )
                )  # fmt: skip
                for entrance in entrance_names:
                    for floor in range(1, floor_count + 1):
                        for flat in (1, 2):
                            dwellings.append(
                                (
                                    dwelling_id, building_id, entrance, f"{floor}0{flat}", floor,
                                    g["code"],
                                )
                            )  # fmt: skip
                            dwelling_id += 1
                building_id += 1
    log(
        f"登记台账：{len(compounds)} 个小区，{len(buildings)} 栋楼，{len(dwellings)} 套房屋，"
        f"用时 {time.monotonic() - started:.1f} 秒"
    )
    with transaction.atomic():
        _write(
            "registry_compound",
            ("id", "name", "address", "scope_code", "community_id", "created_at", "updated_at"),
            compounds,
        )
        _write(
            "registry_building",
            (
                "id",
                "name",
                "address",
                "address_key",
                "lon",
                "lat",
                "floors",
                "scope_code",
                "compound_id",
                "grid_id",
                "created_at",
                "updated_at",
            ),  # fmt: skip
            buildings,
        )
        _write(
            "registry_dwelling",
            (
                "id",
                "building_id",
                "entrance",
                "number",
                "floor",
                "scope_code",
                "created_at",
                "updated_at",
            ),  # fmt: skip
            [d + (now, now) for d in dwellings],
        )

    # People, household by household, dwelling by dwelling (a shuffled order, some left empty).
    order = list(range(len(dwellings)))
    rng.shuffle(order)
    fernet = field_fernet()
    area = district_of(district)
    ids = IdNumbers(area)
    full_names = iter(names(residents + 10, rng))
    person_rows: list[tuple] = []
    residence_rows: list[tuple] = []
    household_rows: list[tuple] = []
    tag_rows: list[tuple] = []
    event_rows: list[tuple] = []
    used_phones: set[str] = set()

    def flush() -> None:
        nonlocal person_rows, residence_rows, household_rows, tag_rows, event_rows
        with transaction.atomic():
            # Heads are written with their households: the foreign key is checked at commit.
            _write(
                "registry_household",
                ("id", "dwelling_id", "scope_code", "created_at", "updated_at", "head_id"),
                household_rows,
            )
            _write("registry_person", PERSON_COLUMNS, person_rows)
            _write(
                "registry_residence",
                ("id", "person_id", "dwelling_id", "moved_in", "moved_out", "note", "scope_code"),
                residence_rows,
            )
            _write(
                "registry_caretag",
                ("person_id", "tag", "note", "scope_code", "created_at", "updated_at"),
                tag_rows,
            )
            _write(
                "registry_personevent",
                ("person_id", "action", "at", "note", "detail", "scope_code"),
                event_rows,
            )
        person_rows, residence_rows, household_rows, tag_rows, event_rows = [], [], [], [], []

    def phone() -> str:
        while True:
            number = f"1{rng.choice('356789')}{rng.randrange(10**9):09d}"
            if number not in used_phones:
                used_phones.add(number)
                return number

    def _people_loop() -> tuple[int, int]:
        nonlocal person_id, residence_id, household_id
        people = tags = 0
        for index in order:
            if people >= residents:
                break
            d_id, _building, _entrance, _number, _floor, scope = dwellings[index]
            size = min(residents - people, rng.choice((1, 1, 2, 2, 2, 3, 3, 3, 4, 5)))
            household_rows.append((household_id, d_id, scope, now, now, person_id))
            head_age = rng.randint(24, 88)
            for k in range(size):
                if k == 0:
                    relation, age = "head", head_age
                elif k == 1 and size > 1:
                    relation, age = "spouse", max(20, head_age + rng.randint(-5, 5))
                elif head_age > 70 and rng.random() < 0.3:
                    relation, age = "child", max(1, head_age - rng.randint(22, 35))
                else:
                    relation, age = "child", max(0, head_age - rng.randint(22, 38))
                male = rng.random() < (0.6 if k == 0 else 0.45)
                birth = today - timedelta(days=age * 365 + rng.randrange(365))
                number = ids.make(birth, male)
                mobile = phone() if age >= 14 else ""
                moved_in = max(birth, today - timedelta(days=rng.randrange(20 * 365)))
                roll = rng.random()
                status, dwelling_ref, died, moved_out = "living", d_id, None, None
                if roll < 0.02 and k > 0:
                    status, dwelling_ref = "moved_out", None
                    moved_out = min(today, moved_in + timedelta(days=rng.randrange(1, 3000)))
                elif roll < 0.025 and age > 60 and k > 0:
                    status, dwelling_ref = "deceased", None
                    died = min(today, moved_in + timedelta(days=rng.randrange(1, 3000)))
                    moved_out = died
                resident_type = rng.choices(
                    ("registered", "resident", "floating"), weights=(70, 20, 10)
                )[0]
                person_rows.append(
                    (
                        person_id, next(full_names), "male" if male else "female", birth,
                        rng.choice(ETHNICITIES),
                        fernet.encrypt(number.encode()).decode(), lookup_hash("id", number),
                        fernet.encrypt(mobile.encode()).decode() if mobile else None,
                        lookup_hash("phone", mobile), status, resident_type, dwelling_ref,
                        household_id if status == "living" else None, relation, "", died, scope, 1,
                        now, now,
                    )
                )  # fmt: skip
                residence_rows.append(
                    (residence_id, person_id, d_id, moved_in, moved_out, "", scope)
                )
                residence_id += 1
                if events:
                    event_rows.append((person_id, "created", now, "", "{}", scope))
                if status == "living":
                    for tag, share in CARE_TAGS:
                        fits = (
                            (tag == "elderly_alone" and age >= 70 and size == 1)
                            or (tag == "minor_in_difficulty" and age < 16)
                            or tag in ("disabled", "low_income", "veteran_family")
                        )
                        if fits and rng.random() < (share * (8 if tag == "elderly_alone" else 1)):
                            tag_rows.append((person_id, tag, "", scope, now, now))
                            tags += 1
                person_id += 1
                people += 1
            household_id += 1
            if len(person_rows) >= BATCH:
                flush()
                log(f"居民台账：{people}/{residents}，用时 {time.monotonic() - started:.1f} 秒")
        flush()
        return people, tags

    dropped = _drop_secondary_indexes(LOADED_TABLES) if residents >= INDEX_AFTER else []
    try:
        people, tags = _people_loop()
    finally:
        _recreate_indexes(dropped)
        if dropped:
            log(f"索引重建完成，用时 {time.monotonic() - started:.1f} 秒")
    log(f"居民台账：{people} 人，用时 {time.monotonic() - started:.1f} 秒")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "registry_compound", "registry_building", "registry_dwelling",
                "registry_household", "registry_person", "registry_residence", "registry_caretag",
            ):  # fmt: skip
                cursor.execute(f"ANALYZE {table}")
    return {
        "compounds": len(compounds),
        "buildings": len(buildings),
        "dwellings": len(dwellings),
        "people": people,
        "care_tags": tags,
    }


PERSON_COLUMNS = (
    "id", "name", "gender", "birth_date", "ethnicity", "id_number", "id_number_hash", "phone",
    "phone_hash", "status", "residence_type", "dwelling_id", "household_id", "relation", "note",
    "died_on", "scope_code", "version", "created_at", "updated_at",
)  # fmt: skip
