"""500 members checking in to one meeting over loopback (issue 5: all within a minute, no lost
or double check-in, each answered under 200 ms p99).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_pts_bench uv run python bench/party_checkin_load.py

Starts gunicorn as `jiceng serve` would (gthread workers) on a free loopback port; 500 members
of one branch, each logged in (sessions made in advance), POST /api/party/checkin with the
meeting's signed code over 16 keep-alive connections (bounded: each member once, then 100
repeated scans that must be refused). The ceiling is GET /livez on the same server, sent in the
same pattern and alternated with the check-ins in ROUNDS slices (100 members a slice, spread
over 6 s), so that other work on a shared machine weighs on both alike. Afterwards the database must hold exactly 500 attendances and 500 ledger entries.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from datetime import date, timedelta

from harness import OUT, gunicorn_workers, setup_django
from loadgen import alternate, api_headers, burst, live_server, load_average, merge, public

MEMBERS = 500
CONNECTIONS = 16
REPEATS = 100
ROUNDS = 5
# Bounded load: the 500 scans arrive spread over this many seconds (a meeting's members do not
# all press the button in the same millisecond), still twice the budget's rate.
SPREAD = 30.0


def prepare():
    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from django.utils import timezone

    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.geo.models import Division
    from jiceng.party import meetings
    from jiceng.party.models import Meeting, Member, PartyOrg

    grid = (
        Division.objects.filter(level="grid", code__startswith="990101").order_by("-code").first()
    )
    if grid is None:
        raise SystemExit("needs `jiceng generate --scale city` in DATABASE_URL")
    community = grid.parent
    tag = secrets.token_hex(3)
    branch = PartyOrg.objects.create(name=f"基准签到党支部{tag}", kind="branch", division=grid)
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"bench_ci_{tag}_{i}", full_name=f"签到{i}", password=unusable)
        for i in range(MEMBERS)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role="member", division=community, scope_code=community.code)
        for u in users
    )
    members = Member.objects.bulk_create(
        Member(
            name=u.full_name,
            user=u,
            org=branch,
            scope_code=branch.scope_code,
            joined_at=date(2000, 7, 1),
            dues_from=date(2000, 7, 1),
        )
        for u in users
    )
    now = timezone.now()
    meeting = Meeting.objects.create(
        org=branch,
        kind="general_meeting",
        title="基准：支部党员大会",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        scope_code=branch.scope_code,
    )
    sessions = []
    for u in users:
        client = Client()
        client.force_login(u)
        sessions.append(client.cookies["sessionid"].value)
    return meeting, members, sessions, meetings.checkin_code(meeting)


def main() -> int:
    setup_django()
    from jiceng.party.models import Attendance
    from jiceng.points.models import PointEntry

    t = time.monotonic()
    meeting, members, sessions, code = prepare()
    print(f"prepared {MEMBERS} members and sessions in {time.monotonic() - t:.1f} s")
    workers = gunicorn_workers()
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    body = json.dumps({"code": code}).encode()
    per_round = MEMBERS // ROUNDS
    chunks = iter([sessions[i : i + per_round] for i in range(0, MEMBERS, per_round)])
    with live_server() as port:

        def jobs(method, path, data, people):
            return [(method, path, data, api_headers(s, csrf, port)) for s in people]

        burst(port, jobs("GET", "/livez", None, sessions), connections=CONNECTIONS)  # warm up
        ceiling_slices, our_slices = alternate(
            ROUNDS,
            lambda: burst(
                port,
                jobs("GET", "/livez", None, sessions[:per_round]),
                connections=CONNECTIONS,
                spread=SPREAD / ROUNDS,
            ),
            lambda: burst(
                port,
                jobs("POST", "/api/party/checkin", body, next(chunks)),
                connections=CONNECTIONS,
                spread=SPREAD / ROUNDS,
            ),
        )
        again = burst(
            port,
            jobs("POST", "/api/party/checkin", body, sessions[:REPEATS]),
            connections=CONNECTIONS,
        )
    ceiling, ours = merge(ceiling_slices), merge(our_slices)
    attendances = Attendance.objects.filter(meeting=meeting).count()
    entries = PointEntry.objects.filter(
        source_key__in=[
            f"attendance:{pk}"
            for pk in Attendance.objects.filter(meeting=meeting).values_list("pk", flat=True)
        ]
    ).count()
    ratio = ours["p99_ms"] / ceiling["p99_ms"]
    result = {
        f"ceiling (GET /livez, {ROUNDS} slices of {per_round} over {SPREAD / ROUNDS:.0f} s)": public(
            ceiling
        ),
        f"check-in (POST /api/party/checkin, {MEMBERS} members once, alternating)": public(ours),
        "repeated scans (100, must be 409)": public(again),
        "attendances in the database": attendances,
        "ledger entries for them": entries,
        "p99 / ceiling p99": round(ratio, 2),
        "load average (1 min) at the end": load_average(),
        "budget": "500 within 60 s of sending, none lost or doubled, p99 < 200 ms",
        "passed": (
            ours["statuses"] == {200: MEMBERS}
            and again["statuses"] == {409: REPEATS}
            and attendances == MEMBERS
            and entries == MEMBERS
            and ours["seconds"] < 60
            and ours["p99_ms"] < 200
        ),
        "connections": CONNECTIONS,
        "gunicorn_workers": workers,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    OUT.mkdir(exist_ok=True)
    (OUT / "party_checkin_load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
