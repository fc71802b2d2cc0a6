"""200 people signing up for the last 20 places of an activity at once, over loopback (issue 6:
exactly 20 places taken, the rest on the waiting list, none lost or doubled, p99 under 300 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_services_bench uv run python bench/services_signup_load.py

Starts gunicorn as `jiceng serve` would (gthread workers) on a free loopback port. An activity of
the city-scale district with 100 places, 80 of them already taken; 200 residents of its
community, each logged in (sessions made in advance), POST /api/services/activities/<id>/signup
all at once over CONNECTIONS keep-alive connections (16; SIGNUP_CONNECTIONS to change) (bounded: each person once, then 50 repeated
presses that must be refused). The ceiling is GET /livez on the same server in the same run.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import sys
import time
from datetime import timedelta

import party_checkin_load
from harness import OUT, gunicorn_workers, setup_django, start_server
from party_checkin_load import free_port, run

# Keep-alive connections the 200 presses go over: 16 as in the other load benchmarks (bounded);
# SIGNUP_CONNECTIONS=40 puts more people on the wire at once than the server has threads (20).
CONNECTIONS = int(os.environ.get("SIGNUP_CONNECTIONS", "16"))
party_checkin_load.CONNECTIONS = CONNECTIONS

PEOPLE = 200
CAPACITY = 100
TAKEN = 80
REPEATS = 50


def prepare():
    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from django.utils import timezone

    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.geo.models import Division
    from jiceng.services.models import Activity, Signup

    community = (
        Division.objects.filter(level="community", code__startswith="990101")
        .order_by("-code")
        .first()
    )
    if community is None:
        raise SystemExit("needs `jiceng generate --scale city` in DATABASE_URL")
    grid = Division.objects.filter(parent=community).order_by("code").first()
    tag = secrets.token_hex(3)
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"bench_su_{tag}_{i}", full_name=f"报名{i}", password=unusable)
        for i in range(PEOPLE + TAKEN)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role="resident", division=grid, scope_code=grid.code) for u in users
    )
    now = timezone.now()
    activity = Activity.objects.create(
        community=community,
        scope_code=community.code,
        title=f"基准：最后 20 个名额 {tag}",
        place="党群服务中心",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=2),
        capacity=CAPACITY,
        signup_opens_at=now - timedelta(days=1),
        signup_closes_at=now + timedelta(days=2),
        taken=TAKEN,
    )
    Signup.objects.bulk_create(
        Signup(activity=activity, user=u, status="confirmed", confirmed_at=now)
        for u in users[:TAKEN]
    )
    sessions = []
    for u in users[TAKEN:]:
        client = Client()
        client.force_login(u)
        sessions.append(client.cookies["sessionid"].value)
    return activity, sessions


def main() -> int:
    setup_django()
    from jiceng.services.models import Activity, Signup

    t = time.monotonic()
    activity, sessions = prepare()
    print(f"prepared {PEOPLE} residents and sessions in {time.monotonic() - t:.1f} s")
    port = free_port()
    workers = gunicorn_workers()
    server = start_server(port)
    path = f"/api/services/activities/{activity.pk}/signup"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        ready_by = time.monotonic() + 120
        while time.monotonic() < ready_by:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                probe.request("GET", "/livez")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        csrf = secrets.token_hex(16)

        def headers(session):
            return {
                "Cookie": f"sessionid={session}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
                "Content-Type": "application/json",
                "Referer": f"http://127.0.0.1:{port}/",
            }

        run(port, [("GET", "/livez", None, headers(s)) for s in sessions])  # warm every worker
        ceiling = run(port, [("GET", "/livez", None, headers(s)) for s in sessions])
        ours = run(port, [("POST", path, b"", headers(s)) for s in sessions])
        again = run(port, [("POST", path, b"", headers(s)) for s in sessions[:REPEATS]])
    finally:
        server.terminate()
        server.wait(timeout=20)
    activity = Activity.objects.get(pk=activity.pk)
    rows = Signup.objects.filter(activity=activity)
    confirmed = rows.filter(status="confirmed").count()
    waiting = rows.filter(status="waiting").count()
    distinct = rows.values("user_id").distinct().count()
    result = {
        f"ceiling (GET /livez, {PEOPLE} requests at once)": ceiling,
        f"sign-up (POST {path}, {PEOPLE} people at once)": ours,
        f"repeated presses ({REPEATS}, must be 409)": again,
        "places taken (counter / rows)": [activity.taken, confirmed],
        "waiting (counter / rows)": [activity.waiting, waiting],
        "sign-up rows / distinct people": [rows.count(), distinct],
        "budget": "exactly 20 of the last 20 places taken, 180 waiting, none lost or doubled, "
        "p99 < 300 ms",
        "passed": (
            ours["statuses"] == {201: PEOPLE}
            and again["statuses"] == {409: REPEATS}
            and activity.taken == confirmed == CAPACITY
            and activity.waiting == waiting == PEOPLE - (CAPACITY - TAKEN)
            and rows.count() == distinct == TAKEN + PEOPLE
            and ours["p99_ms"] < 300
        ),
        "connections": CONNECTIONS,
        "gunicorn_workers": workers,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    OUT.mkdir(exist_ok=True)
    (OUT / "services_signup_load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
