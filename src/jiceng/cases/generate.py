"""City-scale cases for the benchmarks: cases in every stage with a year of events, loaded with
COPY on PostgreSQL (batched inserts elsewhere). Written straight to the tables: the services'
checks are what the tests exercise; this only has to look like a year of real work."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.cases import tally
from jiceng.cases.models import Case, CaseCategory
from jiceng.cases.workflow import Status
from jiceng.core.errors import UserError
from jiceng.geo.models import Division
from jiceng.partners.models import Partner

# final stage -> (share of cases, the path of stages that leads there)
PATHS = {
    Status.REPORTED: (0.04, []),
    Status.FILED: (0.04, ["filed"]),
    Status.DISPATCHED: (0.05, ["filed", "filed", "dispatched"]),
    Status.COORDINATING: (0.03, ["filed", "coordinating"]),
    Status.SELF_HELP: (0.02, ["filed", "self_help"]),
    Status.IN_PROGRESS: (0.08, ["filed", "filed", "dispatched", "in_progress"]),
    Status.HANDLED: (0.04, ["filed", "filed", "dispatched", "in_progress", "handled"]),
    Status.CLOSED: (0.30, ["filed", "filed", "dispatched", "in_progress", "handled", "closed"]),
    Status.EVALUATED: (
        0.35,
        ["filed", "filed", "dispatched", "in_progress", "handled", "closed", "evaluated"],
    ),
    Status.REJECTED: (0.03, ["rejected"]),
    Status.MERGED: (0.02, ["merged"]),
}
ACTION = {
    "filed": "file",
    "dispatched": "dispatch",
    "coordinating": "triage",
    "self_help": "triage",
    "in_progress": "accept",
    "handled": "report_back",
    "closed": "verify_ok",
    "evaluated": "rate",
    "rejected": "reject",
    "merged": "merge",
}
BATCH = 20_000


def generate_cases(
    *, district: str, count: int, seed: int = 1, log=print, prefix: str = "B"
) -> int:
    """``count`` cases over the past year in the grids of ``district``."""
    grids = list(
        Division.objects.filter(level="grid", code__startswith=district).values_list(
            "code", flat=True
        )
    )
    if not grids:
        raise UserError(f"区划 {district} 没有网格；请先运行 jiceng generate --scale city。")
    # (id, name): a case's text follows its category (the demo's ledgers print it)
    categories = list(CaseCategory.objects.filter(children__isnull=True).values_list("id", "name"))
    district_div = Division.objects.get(code=district)
    units = list(
        Partner.objects.filter(kind="department", scope_code=district).values_list("id", flat=True)
    )
    if not units:
        made = Partner.objects.bulk_create(
            Partner(
                name=f"基准部门{i}", kind="department", division=district_div, scope_code=district
            )
            for i in range(1, 11)
        )
        units = (
            [p.pk for p in made]
            if made[0].pk
            else list(
                Partner.objects.filter(kind="department", scope_code=district).values_list(
                    "id", flat=True
                )
            )
        )
    reporters = list(
        User.objects.filter(username__startswith=f"g{district}_").values_list("id", flat=True)[
            :50_000
        ]
    ) or [None]
    rng = random.Random(seed)
    finals = list(PATHS)
    weights = [PATHS[s][0] for s in finals]
    now = timezone.now()
    start_number = Case.objects.count()
    last_id = Case.objects.aggregate(m=Max("id"))["m"] or 0
    started = time.monotonic()
    done = 0
    while done < count:
        n = min(BATCH, count - done)
        _load_batch(
            rng,
            n,
            done + start_number,
            grids,
            categories,
            units,
            reporters,
            finals,
            weights,
            now,
            prefix,
        )
        done += n
        log(f"案件：{done}/{count}，用时 {time.monotonic() - started:.0f} 秒")
    tallied = tally.rebuild(since_id=last_id)
    log(f"统计摘要：{tallied} 个案件，用时 {time.monotonic() - started:.0f} 秒")
    return done


# What a resident adds to the category's name (by the case's place in the batch: no draw of the
# generator's random numbers, so every other figure of a seed stays as it was).
TAILS = ("，请尽快处理。", "，已影响居民出行。", "，反映多次仍未解决。", "，希望社区协调。", "。")


def _described(category: tuple[int, str], i: int) -> tuple[int, str]:
    pk, name = category
    return pk, f"居民反映：{name}{TAILS[i % len(TAILS)]}"


def _load_batch(
    rng, n, offset, grids, categories, units, reporters, finals, weights, now, prefix
) -> None:
    events: list[tuple] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
        first_id = cursor.fetchone()[0] + 1
        rows = []
        for i in range(n):
            case_id = first_id + i
            final = rng.choices(finals, weights)[0]
            path = PATHS[final][1]
            gaps = [timedelta(hours=rng.expovariate(1 / 6)) for _ in path]
            span = sum(gaps, timedelta())
            created = now - span - timedelta(seconds=rng.uniform(60, 365 * 86400))
            at = created
            stamps = [(at, "", "reported", "report", None)]
            handler = None
            for step, gap in zip(path, gaps, strict=True):
                at = at + gap
                if step == "dispatched":
                    handler = rng.choice(units)
                stamps.append((at, stamps[-1][2], step, ACTION[step], rng.random() > 0.1))
            stage_start = stamps[-1][0]
            open_ = final not in (Status.CLOSED, Status.EVALUATED, Status.REJECTED, Status.MERGED)
            deadline = stage_start + timedelta(hours=rng.choice([2, 8, 24, 72])) if open_ else None
            warn = stage_start + (deadline - stage_start) * 0.8 if deadline else None
            rating = ""
            if final == Status.EVALUATED:
                rating = rng.choices(
                    ["satisfied", "basically_satisfied", "dissatisfied"], [70, 20, 10]
                )[0]
            number = f"B{offset + i + 1:011d}"
            rows.append(
                (
                    case_id,
                    number,
                    *_described(rng.choice(categories), i),
                    final,
                    "major" if handler else ("" if final == "reported" else "minor"),
                    "resident",
                    rng.choice(reporters),
                    rng.choice(grids),
                    handler,
                    created,
                    stamps[-1][0],
                    stage_start,
                    deadline,
                    warn,
                    rating,
                    stamps[-1][0] if final in (Status.CLOSED, Status.EVALUATED) else None,
                )
            )
            previous_at = None
            for at_, frm, to, action, on_time in stamps:
                span = (at_ - previous_at).total_seconds() / 3600 if previous_at else None
                events.append(
                    (
                        case_id,
                        at_,
                        action,
                        frm,
                        to,
                        handler if to == "dispatched" else None,
                        on_time,
                        span,
                    )
                )
                previous_at = at_
        _write(cursor, rows, events)


CASE_COLUMNS = (
    "id",
    "number",
    "category_id",
    "description",
    "status",
    "triage",
    "source",
    "reporter_id",
    "scope_code",
    "handler_id",
    "created_at",
    "updated_at",
    "stage_started_at",
    "deadline_at",
    "warn_at",
    "rating",
    "closed_at",
)
CASE_FIXED = {
    "is_anonymous": False,
    "address": "",
    "rework_count": 0,
    "rating_comment": "",
    "needs_review": False,
    "version": 0,
}
EVENT_COLUMNS = (
    "case_id",
    "at",
    "action",
    "from_status",
    "to_status",
    "handler_id",
    "on_time",
    "span_hours",
)


def _value(v) -> str:
    if v is None:
        return r"\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v)


def _write(cursor, rows: list[tuple], events: list[tuple]) -> None:
    fixed_cols = tuple(CASE_FIXED)
    fixed_vals = tuple(CASE_FIXED.values())
    if connection.vendor == "postgresql":
        raw = cursor.cursor
        with raw.copy(
            f"COPY cases_case ({', '.join(CASE_COLUMNS + fixed_cols)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write("\t".join(_value(v) for v in row + fixed_vals) + "\n")
        with raw.copy(
            f"COPY cases_caseevent ({', '.join(EVENT_COLUMNS)}, note) FROM STDIN"
        ) as copy:
            for event in events:
                copy.write("\t".join(_value(v) for v in event) + "\t\n")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), "
            "(SELECT MAX(id) FROM cases_case))"
        )
    else:
        cols = CASE_COLUMNS + fixed_cols
        cursor.executemany(
            f"INSERT INTO cases_case ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
            [row + fixed_vals for row in rows],
        )
        cursor.executemany(
            f"INSERT INTO cases_caseevent ({', '.join(EVENT_COLUMNS)}, note) "
            f"VALUES ({', '.join(['%s'] * len(EVENT_COLUMNS))}, '')",
            events,
        )
