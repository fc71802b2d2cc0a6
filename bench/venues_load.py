"""100 concurrent bookings, then 100 concurrent approvals, for overlapping times of one venue
over loopback (issue 6: exactly one approved per slot).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_venues_bench uv run python bench/venues_load.py

Needs the city-scale district (`jiceng generate --scale city`) and its venues
(`jiceng.venues.generate.generate_venues(district="990101", venues=2000)`; this script runs it
when the district has no venues yet). Starts gunicorn as `jiceng serve` would (gthread workers)
on JICENG_BENCH_PORT or a free loopback port, and ROUNDS times, against two fresh venues of a
generated community:

1. bookings: 100 residents (sessions made in advance) POST /api/venues/venues/{id}/bookings at a
   venue that needs no approval, 10 per slot, every request of a slot overlapping the others of
   that slot (start shifted by 0-20 minutes), all sent at once over 25 keep-alive connections;
2. approvals: 100 pending requests for the same kind of slots at a venue that needs approval,
   and 5 of its managers POST /api/venues/bookings/{id}/approve for all 100 at once.

Both must end with exactly one approved booking per slot (10), the other 90 answered 409 with the
reason, and no two approved bookings overlapping. The ceiling is GET /livez on the same server
with the same connections, 100 at once, sent before each of the two (alternating slices), so
that other work on a shared machine weighs on both alike; latencies are reported as ratios to
its p99. There is no latency budget (issue 6): one venue's bookings queue on one row lock.
"""

from __future__ import annotations

import json
import random
import secrets
import sys
import time
from datetime import datetime, timedelta

from harness import OUT, gunicorn_workers, setup_django
from loadgen import alternate, api_headers, burst, live_server, load_average, merge, public

REQUESTS = 100
SLOTS = 10
CONNECTIONS = 25
ROUNDS = 3


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
    from jiceng.venues.models import Booking

    t = time.monotonic()
    rounds = [prepare() for _ in range(ROUNDS)]
    print(
        f"prepared {ROUNDS} rounds of {REQUESTS} residents, 5 managers and {REQUESTS} "
        f"requests in {time.monotonic() - t:.1f} s"
    )
    workers = gunicorn_workers()
    csrf = secrets.token_hex(16)
    work = iter([(kind, r) for r in rounds for kind in ("bookings", "approvals")])
    with live_server() as port:

        def send(kind, prepared):
            open_room, hall, times, pending, residents, managers = prepared
            if kind == "bookings":
                jobs = [
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
                        api_headers(s, csrf, port),
                    )
                    for i, (s, (start, end, _)) in enumerate(zip(residents, times, strict=True))
                ]
            else:
                jobs = [
                    (
                        "POST",
                        f"/api/venues/bookings/{b.pk}/approve",
                        b"{}",
                        api_headers(managers[i % 5], csrf, port),
                    )
                    for i, b in enumerate(pending)
                ]
            result = burst(port, jobs, connections=CONNECTIONS, together=True)
            result["kind"] = kind
            return result

        livez = [("GET", "/livez", None, api_headers(s, csrf, port)) for s in rounds[0][4]]
        burst(port, livez, connections=CONNECTIONS)  # warm every worker
        ceiling_slices, our_slices = alternate(
            2 * ROUNDS,
            lambda: burst(port, livez, connections=CONNECTIONS, together=True),
            lambda: send(*next(work)),
        )
    ceiling = merge(ceiling_slices)
    bookings = merge([r for r in our_slices if r["kind"] == "bookings"])
    approvals = merge([r for r in our_slices if r["kind"] == "approvals"])
    exact = []
    for open_room, hall, times, *_ in rounds:
        for venue in (open_room, hall):
            starts = Booking.objects.filter(venue=venue, status="approved").values_list(
                "starts_at", flat=True
            )
            slots = sorted(next(k for s, _, k in times if s == start) for start in starts)
            exact.append(
                check(venue) == {"approved": SLOTS, "overlapping_pairs": 0}
                and slots == list(range(SLOTS))
            )
    result = {
        f"ceiling (GET /livez, {REQUESTS} at once, {2 * ROUNDS} slices)": public(ceiling),
        f"bookings (POST …/bookings, {REQUESTS} at once, {SLOTS} slots, {ROUNDS} rounds)": public(
            bookings
        ),
        f"approvals (POST …/approve, {REQUESTS} pending at once, 5 managers, {ROUNDS} rounds)": (
            public(approvals)
        ),
        "every venue: one approved per slot, none overlapping": exact,
        "p99 / ceiling p99": {
            "bookings": round(bookings["p99_ms"] / ceiling["p99_ms"], 2),
            "approvals": round(approvals["p99_ms"] / ceiling["p99_ms"], 2),
        },
        "load average (1 min) at the end": load_average(),
        "budget": "exactly one approved per slot (10 of 100), the rest refused with 409",
        "passed": (
            bookings["statuses"] == {201: SLOTS * ROUNDS, 409: (REQUESTS - SLOTS) * ROUNDS}
            and approvals["statuses"] == {200: SLOTS * ROUNDS, 409: (REQUESTS - SLOTS) * ROUNDS}
            and all(exact)
        ),
        "connections": CONNECTIONS,
        "gunicorn_workers": workers,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    OUT.mkdir(exist_ok=True)
    (OUT / "venues_load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
