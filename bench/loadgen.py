"""Load over loopback for the benchmarks that drive a live server.

One place for what every load benchmark needs: the port (``JICENG_BENCH_PORT``, so that engineers
sharing a machine keep apart), the server as `jiceng serve` runs it and its readiness, logins,
bursts of jobs, sustained slices, and the ceiling (``GET /livez`` on the same server) measured
in alternation with the work, so that whatever else the machine does weighs on both alike.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator

from harness import start_server

CONNECTIONS = 16
MAX_REQUESTS = 20_000


def bench_port() -> int:
    """JICENG_BENCH_PORT when set (an engineer's own port on a shared machine), else a free one."""
    if os.environ.get("JICENG_BENCH_PORT"):
        return int(os.environ["JICENG_BENCH_PORT"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, timeout: float = 120.0) -> None:
    """Until GET /livez answers 200 (every worker has loaded the app: gunicorn --preload)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/livez")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not answer /livez in {timeout:.0f} s")


@contextlib.contextmanager
def live_server(port: int | None = None, *, threads: int = 4) -> Iterator[int]:
    """gunicorn as `jiceng serve` runs it, ready, stopped on the way out."""
    port = port or bench_port()
    server = start_server(port, threads=threads)
    try:
        wait_ready(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def login(port: int, username: str, password: str) -> tuple[str, str]:
    """Log in through the real form; the session and CSRF cookies."""
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


def api_headers(session: str, csrf: str, port: int) -> dict:
    return {
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/json",
        "Referer": f"http://127.0.0.1:{port}/",
    }


def _pct(latencies: list[float], q: float) -> float:
    ordered = sorted(latencies)
    return round(ordered[int(q * (len(ordered) - 1))] * 1000, 1) if ordered else 0.0


def summary(latencies: list[float], seconds: float, **extra) -> dict:
    return {
        "requests": len(latencies),
        **extra,
        "seconds": round(seconds, 2),
        "per_s": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": _pct(latencies, 0.5),
        "p99_ms": _pct(latencies, 0.99),
        "latencies": latencies,
    }


def burst(
    port: int,
    jobs: list[tuple[str, str, bytes | None, dict]],
    *,
    connections: int = CONNECTIONS,
    spread: float = 0.0,
    together: bool = False,
) -> dict:
    """Send the jobs (method, path, body, headers) over ``connections`` keep-alive connections.
    With ``spread`` job i is not sent before i * spread / len(jobs) s; with ``together`` every
    connection is open before the first request goes (all at once). Statuses and the first words
    of each refusal are counted."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    refusals: dict[str, int] = {}
    lock = threading.Lock()
    queue = list(reversed(list(enumerate(jobs))))
    gate = threading.Barrier(connections) if together else None
    begin = time.monotonic()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        if gate is not None:
            gate.wait()
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
            data = response.read()
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status >= 400:
                    words = data[:60].decode("utf-8", "replace")
                    refusals[words] = refusals.get(words, 0) + 1
        conn.close()

    seconds = _on_threads(worker, connections)
    return summary(latencies, seconds, statuses=statuses, refusals=refusals)


def sustained(
    port: int,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict,
    *,
    seconds: float,
    connections: int = CONNECTIONS,
) -> dict:
    """As many requests as ``connections`` keep-alive connections manage in ``seconds``."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local: list[float] = []
        while time.monotonic() < stop_at and len(latencies) + len(local) < MAX_REQUESTS:
            start = time.perf_counter()
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            response.read()
            local.append(time.perf_counter() - start)
            if response.status >= 300:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(local)
        conn.close()

    seconds = _on_threads(worker, connections)
    return summary(latencies, seconds, errors=errors[0])


def _on_threads(worker: Callable[[], None], connections: int) -> float:
    """Run ``worker`` on one thread per connection; the wall time until all are done."""
    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def merge(results: list[dict]) -> dict:
    """Slices of one kind as one figure: requests/s over their time, p99 over all latencies."""
    latencies = [x for r in results for x in r["latencies"]]
    seconds = sum(r["seconds"] for r in results)
    statuses: dict[int, int] = {}
    for r in results:
        for status, n in r.get("statuses", {}).items():
            statuses[status] = statuses.get(status, 0) + n
    merged = summary(latencies, seconds, statuses=statuses)
    merged["errors"] = sum(r.get("errors", 0) for r in results)
    return merged


def alternate(
    rounds: int, ceiling: Callable[[], dict], ours: Callable[[], dict]
) -> tuple[list[dict], list[dict]]:
    """The ceiling and ours in alternating slices (ceiling, ours, ceiling, ...)."""
    ceilings: list[dict] = []
    mine: list[dict] = []
    for _ in range(rounds):
        ceilings.append(ceiling())
        mine.append(ours())
    return ceilings, mine


def public(result: dict) -> dict:
    """A result without its raw latencies, for printing and the JSON file."""
    return {k: v for k, v in result.items() if k != "latencies"}


def load_average() -> float:
    return round(os.getloadavg()[0], 2)
