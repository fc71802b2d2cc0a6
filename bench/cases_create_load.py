"""Case creation through the API under concurrent load, against a minimal Django JSON view on
the same server as the ceiling (issue 3: ours at least 40% of the ceiling's requests/s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_gen uv run python bench/cases_create_load.py

Starts gunicorn (the production command's settings: gthread workers) on a free loopback port,
logs a resident in, warms every worker, then runs 16 keep-alive connections against the
ceiling and ours in alternating 3 s slices (5 each, so that other work on a shared machine
weighs on both alike) and reports requests/s and p99 latency of each.
"""

from __future__ import annotations

import json
import sys

from harness import OUT, gunicorn_workers, setup_django
from loadgen import alternate, live_server, load_average, login, merge, public, sustained

ROUNDS = 5  # alternating slices of the ceiling and ours
SLICE = 3.0


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

    workers = gunicorn_workers()
    with live_server() as port:
        session, csrftoken = login(port, "bench_resident", "Bench@2026x")
        headers = {
            "Cookie": f"sessionid={session}; csrftoken={csrftoken}",
            "X-CSRFToken": csrftoken,
            "Content-Type": "application/json",
        }
        # Every worker loaded and warm before anything is measured.
        sustained(port, "GET", "/livez", None, headers, seconds=3)
        body = json.dumps(
            {
                "category": "0101",
                "description": "基准：井盖缺失",
                "lon": grid.centroid_lon,
                "lat": grid.centroid_lat,
            }
        ).encode()
        sustained(port, "POST", "/api/cases/", body, headers, seconds=2)
        # The ceiling and ours in alternating slices, so that the other work on this shared
        # machine weighs on both alike.
        ceiling_slices, our_slices = alternate(
            ROUNDS,
            lambda: sustained(port, "GET", "/livez", None, headers, seconds=SLICE),
            lambda: sustained(port, "POST", "/api/cases/", body, headers, seconds=SLICE),
        )
        ceiling, ours = merge(ceiling_slices), merge(our_slices)
    ratio = ours["per_s"] / ceiling["per_s"]
    result = {
        "ceiling (GET /livez)": public(ceiling),
        "ours (POST /api/cases/)": public(ours),
        "slices (ceiling, ours req/s)": [
            (c["per_s"], o["per_s"]) for c, o in zip(ceiling_slices, our_slices, strict=True)
        ],
        "load average (1 min) at the end": load_average(),
        "ratio": round(ratio, 3),
        "budget": "ours >= 40% of the ceiling (alternating slices)",
        "passed": ratio >= 0.4 and ours["errors"] == 0,
        "connections": 16,
        "gunicorn_workers": workers,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    OUT.mkdir(exist_ok=True)
    (OUT / "cases_create_load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
