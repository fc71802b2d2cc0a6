"""500 members checking in to one meeting over loopback (issue 5: all within a minute, no lost
or double check-in, each answered under 200 ms p99).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_pts_bench uv run python bench/party_checkin_load.py

Starts gunicorn as `jiceng serve` would (gthread workers) on a free loopback port; 500 members
of one branch, each logged in (sessions made in advance), POST /api/party/checkin with the
meeting's signed code over 16 keep-alive connections (bounded: each member once, then 100
repeated scans that must be refused). The ceiling is GET /livez on the same server in the same
run. Afterwards the database must hold exactly 500 attendances and 500 ledger entries.
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
import sys
import threading
import time
from datetime import date, timedelta

from harness import OUT, gunicorn_workers, setup_django, start_server

MEMBERS = 500
CONNECTIONS = 16
REPEATS = 100
# Bounded load: the 500 scans arrive spread over this many seconds (a meeting's members do not
# all press the button in the same millisecond), still twice the budget's rate.
SPREAD = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(port: int, jobs: list[tuple[str, str, bytes | None, dict]], spread: float = 0.0) -> dict:
    """Run the jobs (method, path, body, headers) over CONNECTIONS connections; with ``spread``
    job i is not sent before i * spread / len(jobs) seconds."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(reversed(list(enumerate(jobs))))
    begin = time.monotonic()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                i, (method, path, body, headers) = queue.pop()
            wait = begin + i * spread / len(jobs) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            start = time.perf_counter()
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "statuses": statuses,
        "seconds": round(wall, 2),
        "per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
    }


def prepare():
    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from django.utils import timezone

    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.geo.models import Division
    from jiceng.party import services
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
    return meeting, members, sessions, services.checkin_code(meeting)


def main() -> int:
    setup_django()
    from jiceng.party.models import Attendance
    from jiceng.points.models import PointEntry

    t = time.monotonic()
    meeting, members, sessions, code = prepare()
    print(f"prepared {MEMBERS} members and sessions in {time.monotonic() - t:.1f} s")
    port = free_port()
    workers = gunicorn_workers()
    server = start_server(port)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0)
        csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret

        def headers(session):
            return {
                "Cookie": f"sessionid={session}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
                "Content-Type": "application/json",
                "Referer": f"http://127.0.0.1:{port}/",
            }

        body = json.dumps({"code": code}).encode()
        run(port, [("GET", "/livez", None, headers(s)) for s in sessions])  # warm every worker
        ceiling = run(port, [("GET", "/livez", None, headers(s)) for s in sessions], SPREAD)
        ours = run(
            port, [("POST", "/api/party/checkin", body, headers(s)) for s in sessions], SPREAD
        )
        again = run(
            port, [("POST", "/api/party/checkin", body, headers(s)) for s in sessions[:REPEATS]]
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    attendances = Attendance.objects.filter(meeting=meeting).count()
    entries = PointEntry.objects.filter(
        source_key__in=[
            f"attendance:{pk}"
            for pk in Attendance.objects.filter(meeting=meeting).values_list("pk", flat=True)
        ]
    ).count()
    result = {
        "ceiling (GET /livez, 500 requests over 30 s)": ceiling,
        "check-in (POST /api/party/checkin, 500 members once, over 30 s)": ours,
        "repeated scans (100, must be 409)": again,
        "attendances in the database": attendances,
        "ledger entries for them": entries,
        "budget": "500 within 60 s, none lost or doubled, p99 < 200 ms",
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
