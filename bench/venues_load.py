"""100 concurrent bookings, then 100 concurrent approvals, for overlapping times of one venue
over loopback (issue 6: exactly one approved per slot).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_venues_bench uv run python bench/venues_load.py

Needs the city-scale district (`jiceng generate --scale city`) and its venues
(`jiceng.venues.generate.generate_venues(district="990101", venues=2000)`; this script runs it
when the district has no venues yet). Starts gunicorn as `jiceng serve` would (gthread workers)
on a free loopback port in 8300-8399, and, against two fresh venues of a generated community:

1. bookings: 100 residents (sessions made in advance) POST /api/venues/venues/{id}/bookings at a
   venue that needs no approval, 10 per slot, every request of a slot overlapping the others of
   that slot (start shifted by 0-20 minutes), all sent at once over 25 keep-alive connections;
2. approvals: 100 pending requests for the same kind of slots at a venue that needs approval,
   and 5 of its managers POST /api/venues/bookings/{id}/approve for all 100 at once.

Both must end with exactly one approved booking per slot (10), the other 90 answered 409 with the
reason, and no two approved bookings overlapping. The ceiling is GET /livez on the same server in
the same run with the same connections.
"""

from __future__ import annotations

import http.client
import json
import random
import secrets
import socket
import sys
import threading
import time
from datetime import datetime, timedelta

from harness import OUT, gunicorn_workers, setup_django, start_server

REQUESTS = 100
SLOTS = 10
CONNECTIONS = 25
PORTS = range(8300, 8400)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8300-8399")


def run(port: int, jobs: list[tuple[str, str, bytes | None, dict]]) -> dict:
    """All jobs at once over CONNECTIONS keep-alive connections (each starts when the barrier
    opens); latencies per request, statuses and bodies counted."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    bodies: dict[str, int] = {}
    lock = threading.Lock()
    queue = list(reversed(jobs))
    barrier = threading.Barrier(CONNECTIONS)

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        barrier.wait()
        while True:
            with lock:
                if not queue:
                    break
                method, path, body, headers = queue.pop()
            start = time.perf_counter()
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status >= 400:
                    detail = json.loads(data).get("detail", "")[:12]
                    bodies[detail] = bodies.get(detail, 0) + 1
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
        "refusals": bodies,
        "seconds": round(wall, 2),
        "per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
    }


def slot_times(day) -> list[tuple[datetime, datetime, int]]:
    """REQUESTS (start, end, slot): slot k from 08:00 + 80 min * k; each request of a slot
    starts 0-20 minutes into it and lasts an hour, so it overlaps every other of its slot and
    none of the next."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    rng = random.Random(6)
    base = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(hours=8)
    rows = []
    for i in range(REQUESTS):
        slot = i % SLOTS
        start = base + timedelta(minutes=80 * slot + rng.choice([0, 5, 10, 15, 20]))
        rows.append((start, start + timedelta(hours=1), slot))
    return rows


def prepare():
    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from django.utils import timezone

    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.geo.models import Division
    from jiceng.venues import services
    from jiceng.venues.generate import generate_venues
    from jiceng.venues.models import Venue

    if not Division.objects.filter(code="990101").exists():
        raise SystemExit("needs `jiceng generate --scale city` in DATABASE_URL")
    if not Venue.objects.filter(scope_code__startswith="990101").exists():
        generate_venues(district="990101", venues=2000, days=365)
    community = Division.objects.filter(level="community", code__startswith="990101").first()
    tag = secrets.token_hex(3)
    unusable = make_password(None)
    residents = User.objects.bulk_create(
        User(username=f"bench_vb_{tag}_{i}", full_name=f"预约{i}", password=unusable)
        for i in range(REQUESTS)
    )
    managers = User.objects.bulk_create(
        User(username=f"bench_vm_{tag}_{i}", full_name=f"管理{i}", password=unusable)
        for i in range(5)
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role="resident", division=community, scope_code=community.code)
            for u in residents
        ]
        + [
            RoleAssignment(
                user=u, role="community_worker", division=community, scope_code=community.code
            )
            for u in managers
        ]
    )
    manager = User.objects.get(pk=managers[0].pk)
    every_day = {d: "08:00-22:00" for d in range(7)}
    common = {
        "by": manager,
        "division": community,
        "address": "基准路 1 号",
        "capacity": 50,
        "windows": every_day,
        "closed_on_holidays": False,
    }
    open_room = services.venue_create(
        name=f"基准自助活动室{tag}", approval_required=False, **common
    )
    hall = services.venue_create(name=f"基准议事厅{tag}", approval_required=True, **common)
    day = timezone.localdate() + timedelta(days=7)
    times = slot_times(day)
    pending = []
    for u, (start, end, _) in zip(residents, times, strict=True):
        user = User.objects.get(pk=u.pk)
        pending.append(
            services.booking_create(
                by=user, venue=hall, starts_at=start, ends_at=end, title="议事", attendees=10
            )
        )

    def session(user):
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    return (
        open_room,
        hall,
        times,
        pending,
        [session(u) for u in residents],
        [session(u) for u in managers],
    )


def check(venue) -> dict:
    from jiceng.venues.models import Booking

    approved = list(Booking.objects.filter(venue=venue, status="approved").order_by("starts_at"))
    overlapping = sum(
        1 for a, b in zip(approved, approved[1:], strict=False) if a.ends_at > b.starts_at
    )
    return {"approved": len(approved), "overlapping_pairs": overlapping}


def main() -> int:
    setup_django()

    t = time.monotonic()
    open_room, hall, times, pending, residents, managers = prepare()
    print(
        f"prepared {REQUESTS} residents, 5 managers, {len(pending)} requests in {time.monotonic() - t:.1f} s"
    )
    port = free_port()
    workers = gunicorn_workers()
    server = start_server(port)
    csrf = secrets.token_hex(16)

    def headers(session):
        return {
            "Cookie": f"sessionid={session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/json",
            "Referer": f"http://127.0.0.1:{port}/",
        }

    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0)
        livez = [("GET", "/livez", None, headers(s)) for s in residents]
        run(port, livez)  # warm every worker
        run(port, livez)
        ceiling = run(port, livez)
        bookings = run(
            port,
            [
                (
                    "POST",
                    f"/api/venues/venues/{open_room.pk}/bookings",
                    json.dumps(
                        {
                            "starts_at": start.isoformat(),
                            "ends_at": end.isoformat(),
                            "title": f"自助{i}",
                            "attendees": 10,
                        }
                    ).encode(),
                    headers(s),
                )
                for i, (s, (start, end, _)) in enumerate(zip(residents, times, strict=True))
            ],
        )
        approvals = run(
            port,
            [
                ("POST", f"/api/venues/bookings/{b.pk}/approve", b"{}", headers(managers[i % 5]))
                for i, b in enumerate(pending)
            ],
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    from jiceng.venues.models import Booking

    per_slot = {}
    for venue in (open_room, hall):
        rows = Booking.objects.filter(venue=venue, status="approved").values_list(
            "starts_at", flat=True
        )
        slots = [next(k for s, _, k in times if s == start) for start in rows]
        per_slot[venue.name] = sorted(slots)
    booked, approved = check(open_room), check(hall)
    result = {
        "ceiling (GET /livez, 100 at once)": ceiling,
        "bookings (POST …/bookings, 100 at once, 10 slots, no approval)": bookings,
        "approvals (POST …/approve, 100 pending at once, 10 slots, 5 managers)": approvals,
        "bookings: approved in the database": booked,
        "approvals: approved in the database": approved,
        "approved slots per venue": per_slot,
        "budget": "exactly one approved per slot (10 of 100), the rest refused with 409",
        "passed": (
            bookings["statuses"] == {201: SLOTS, 409: REQUESTS - SLOTS}
            and approvals["statuses"] == {200: SLOTS, 409: REQUESTS - SLOTS}
            and booked == {"approved": SLOTS, "overlapping_pairs": 0}
            and approved == {"approved": SLOTS, "overlapping_pairs": 0}
            and all(v == list(range(SLOTS)) for v in per_slot.values())
        ),
        "p99 vs ceiling p99": {
            "bookings": round(bookings["p99_ms"] / ceiling["p99_ms"], 2),
            "approvals": round(approvals["p99_ms"] / ceiling["p99_ms"], 2),
        },
        "connections": CONNECTIONS,
        "gunicorn_workers": workers,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    OUT.mkdir(exist_ok=True)
    (OUT / "venues_load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
