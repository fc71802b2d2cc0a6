"""Case creation through the API under concurrent load, against a minimal Django JSON view on
the same server as the ceiling (issue 3: ours at least 40% of the ceiling's requests/s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_gen uv run python bench/cases_create_load.py

Starts gunicorn (the production command's settings: gthread workers) on a free loopback port,
logs a resident in, warms every worker, then runs 16 keep-alive connections against the
ceiling and ours in alternating 3 s slices (5 each, so that other work on a shared machine
weighs on both alike) and reports requests/s and p99 latency of each.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import sys
import threading
import time

from harness import OUT, gunicorn_workers, setup_django, start_server

CONNECTIONS = 16
SECONDS = 10.0
ROUNDS = 5  # alternating slices of the ceiling and ours
SLICE = 3.0
MAX_REQUESTS = 20_000


def free_port() -> int:
    if os.environ.get("JICENG_BENCH_PORT"):  # an engineer's own port range on a shared machine
        return int(os.environ["JICENG_BENCH_PORT"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(port: int, username: str, password: str) -> tuple[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    csrftoken = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    response.read()
    body = f"username={username}&password={password}&csrfmiddlewaretoken={csrftoken}"
    conn.request(
        "POST",
        "/accounts/login/",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrftoken}"},
    )
    response = conn.getresponse()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    response.read()
    if not session:
        raise SystemExit("login failed")
    return session.group(1), csrftoken


def _merge(slices: list[dict]) -> dict:
    seconds = sum(s["seconds"] for s in slices)
    requests = sum(s["requests"] for s in slices)
    latencies = sorted(x for s in slices for x in s["latencies"])
    return {
        "requests": requests,
        "errors": sum(s["errors"] for s in slices),
        "seconds": round(seconds, 2),
        "per_s": round(requests / seconds, 1),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
    }


def run_load(
    port: int, method: str, path: str, body: bytes | None, headers: dict, seconds: float = 0
) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + (seconds or SECONDS)

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local = []
        while time.monotonic() < stop_at:
            with lock:
                if len(latencies) + len(local) >= MAX_REQUESTS:
                    break
            start = time.perf_counter()
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            response.read()
            local.append(time.perf_counter() - start)
            if response.status >= 300:
                errors[0] += 1
        with lock:
            latencies.extend(local)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "seconds": round(elapsed, 2),
        "per_s": round(len(latencies) / elapsed, 1),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
        "latencies": latencies,
    }


def main() -> int:
    setup_django()
    from jiceng.accounts.models import User
    from jiceng.accounts.services import role_assign
    from jiceng.geo.models import Division

    # The last grid of the district: its cases stay out of the inbox cases_lists.py measures.
    grid = (
        Division.objects.filter(level="grid", code__startswith="990101").order_by("-code").first()
    )
    if grid is None:
        print("needs `jiceng generate --scale city` in DATABASE_URL")
        return 2
    user, created = User.objects.get_or_create(username="bench_resident")
    user.set_password("Bench@2026x")
    user.save()
    if created:
        role_assign(user=user, role="resident", division=grid, by=None)

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
        session, csrftoken = login(port, "bench_resident", "Bench@2026x")
        headers = {
            "Cookie": f"sessionid={session}; csrftoken={csrftoken}",
            "X-CSRFToken": csrftoken,
            "Content-Type": "application/json",
        }
        # Every worker loaded and warm before anything is measured.
        run_load(port, "GET", "/livez", None, headers, seconds=3)
        body = json.dumps(
            {
                "category": "0101",
                "description": "基准：井盖缺失",
                "lon": grid.centroid_lon,
                "lat": grid.centroid_lat,
            }
        ).encode()
        run_load(port, "POST", "/api/cases/", body, headers, seconds=2)
        # The ceiling and ours in alternating slices, so that the other work on this shared
        # machine weighs on both alike.
        ceiling_slices, our_slices = [], []
        for _ in range(ROUNDS):
            ceiling_slices.append(run_load(port, "GET", "/livez", None, headers, seconds=SLICE))
            our_slices.append(run_load(port, "POST", "/api/cases/", body, headers, seconds=SLICE))
        ceiling, ours = _merge(ceiling_slices), _merge(our_slices)
    finally:
        server.terminate()
        server.wait(timeout=20)
    ratio = ours["per_s"] / ceiling["per_s"]
    result = {
        "ceiling (GET /livez)": ceiling,
        "ours (POST /api/cases/)": ours,
        "slices (ceiling, ours req/s)": [
            (c["per_s"], o["per_s"]) for c, o in zip(ceiling_slices, our_slices, strict=True)
        ],
        "load average (1 min) at the end": round(os.getloadavg()[0], 2),
        "ratio": round(ratio, 3),
        "budget": "ours >= 40% of the ceiling (alternating slices)",
        "passed": ratio >= 0.4 and ours["errors"] == 0,
        "connections": CONNECTIONS,
        "gunicorn_workers": workers,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    OUT.mkdir(exist_ok=True)
    (OUT / "cases_create_load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
