"""Register look-ups over the 500,000-resident city-scale data (issue 4's budgets).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_register_bench uv run jiceng generate --scale city
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_register_bench uv run python bench/registry_lookup.py

Measured in the same run, each p95 against 50 ms and as a ratio to the database floor:
- exact ID lookup: the register's search with an ID number (normalise, keyed hash under every
  current key, scoped query, the row with its dwelling, decrypt for the masked display);
- name search: a full name, the first page (50) and the count, as the search page does;
- both end to end through the JSON API (test client: middleware, session, scoping, JSON);
- reference: hand-written SQL on the same indexes returning the same rows (the hash known in
  advance, no Django).
Viewers: a district staff member (scope: all 500,000) and a community worker (one community,
the columns with masked contact data).
"""

from __future__ import annotations

import sys

from harness import Report, Timing, measure, measure_pair, setup_django

CODE = "990101"
RUNS = 60


def main() -> int:
    setup_django()
    from django.db import connection
    from django.test import Client

    from jiceng.accounts.models import User
    from jiceng.accounts.services import role_assign
    from jiceng.core.fields import lookup_hash
    from jiceng.geo.models import Division
    from jiceng.registry import selectors
    from jiceng.registry.models import Person

    if (
        connection.vendor != "postgresql"
        or not Person.objects.filter(scope_code__startswith=CODE).exists()
    ):
        print("needs PostgreSQL with `jiceng generate --scale city` loaded")
        return 2
    district = Division.objects.get(code=CODE)
    community = Division.objects.get(code=f"{CODE}001001")
    viewers = {}
    for username, role, place in [
        ("bench_district", "district_staff", district),
        ("bench_community", "community_worker", community),
    ]:
        user, created = User.objects.get_or_create(username=username)
        if created:
            role_assign(user=user, role=role, division=place, by=None)
        viewers[role] = User.objects.get(pk=user.pk)
    total = Person.objects.count()
    sample = list(
        Person.objects.filter(scope_code__startswith=community.code, status="living")
        .order_by("?")
        .only("id", "name", "id_number")[:RUNS]
    )
    ids = [p.id_number for p in sample]
    full_names = [p.name for p in sample]

    def cycle(values):
        it = iter(values * 10)
        return lambda: next(it)

    timings: list[tuple[Timing, float]] = []
    ratios = []
    for role, user in viewers.items():
        next_id, next_name = cycle(ids), cycle(full_names)

        def by_id(user=user, next_id=next_id):
            f = selectors.PeopleFilters(query=next_id())
            rows = selectors.people(user=user, filters=f)
            found = list(rows[:50])
            assert len(found) == 1
            return [p.id_number_masked for p in found]

        def by_name(user=user, next_name=next_name):
            f = selectors.PeopleFilters(query=next_name())
            rows = selectors.people(user=user, filters=f)
            n = rows.count()
            return n, [(p.name, p.dwelling_id) for p in rows[:50]]

        client = Client()
        client.force_login(user)

        def api_id(client=client, next_id=next_id):
            r = client.get("/api/registry/people", {"q": next_id(), "status": "all"})
            assert r.status_code == 200 and r.json()["count"] == 1, r.content

        def api_name(client=client, next_name=next_name):
            r = client.get("/api/registry/people", {"q": next_name(), "limit": 50})
            assert r.status_code == 200 and r.json()["count"] >= 1, r.content

        scope = user.scopes_for(role)[0]
        upper = scope + "9" * (15 - len(scope))
        hashes = [lookup_hash("id", n) for n in ids]
        next_hash = cycle(hashes)

        def sql_id(next_hash=next_hash, scope=scope, upper=upper):
            with connection.cursor() as c:
                c.execute(
                    "SELECT p.id, p.name, p.id_number, d.id FROM registry_person p "
                    "LEFT JOIN registry_dwelling d ON d.id = p.dwelling_id "
                    "WHERE p.id_number_hash = %s AND p.scope_code BETWEEN %s AND %s",
                    [next_hash(), scope, upper],
                )
                return c.fetchall()

        next_name_sql = cycle(full_names)

        def sql_name(next_name_sql=next_name_sql, scope=scope, upper=upper):
            name = next_name_sql()
            with connection.cursor() as c:
                c.execute(
                    "SELECT COUNT(*) FROM registry_person WHERE name LIKE %s "
                    "AND scope_code BETWEEN %s AND %s AND status = 'living'",
                    [name + "%", scope, upper],
                )
                c.fetchall()
                c.execute(
                    "SELECT p.id, p.name, p.dwelling_id FROM registry_person p "
                    "WHERE p.name LIKE %s AND p.scope_code BETWEEN %s AND %s "
                    "AND p.status = 'living' ORDER BY p.name, p.id LIMIT 50",
                    [name + "%", scope, upper],
                )
                return c.fetchall()

        # Each pair in alternation, so that other work on a shared machine weighs on both.
        pairs = [
            measure_pair((f"ID lookup ({role})", by_id), (f"SQL: ID hash ({role})", sql_id),
                         repeat=RUNS, warmup=3),
            measure_pair((f"name search ({role})", by_name),
                         (f"SQL: name prefix ({role})", sql_name), repeat=RUNS, warmup=3),
        ]  # fmt: skip
        for ours, ref in pairs:
            timings.append((ours, 0.050))
            ratios.append((ours, ref))
        timings.append((measure(f"API ID lookup ({role})", api_id, repeat=RUNS, warmup=3), 0.050))
        timings.append(
            (measure(f"API name search ({role})", api_name, repeat=RUNS, warmup=3), 0.050)
        )

    report = Report("registry_lookup")
    for ours, ref in ratios:
        report.compare(ours, ref, budget="informational: ORM path vs SQL floor", passed=True)
        report.rows[-1]["ratio_time"] = round(ours.median / ref.median, 2)
    for timing, budget in timings:
        report.rows.append(
            {
                "ours": timing.name,
                "p95_ms": round(timing.p95 * 1000, 1),
                "median_ms": round(timing.median * 1000, 1),
                "budget": f"p95 < {budget * 1000:.0f} ms",
                "passed": timing.p95 < budget,
            }
        )
    report.notes = {"people": total, "sampled in community": community.code}
    report.print()
    for ours, ref in ratios:
        print(f"  {ours.name}: {ours.median * 1000:.2f} ms vs {ref.name} {ref.median * 1000:.2f} ms"
              f" = {ours.median / ref.median:.2f}x")  # fmt: skip
    for timing, budget in timings:
        verdict = "PASS" if timing.p95 < budget else "FAIL"
        print(
            f"  {timing.name}: p95 {timing.p95 * 1000:.1f} ms, median {timing.median * 1000:.1f}"
            f" ms (budget p95 < {budget * 1000:.0f} ms) {verdict}"
        )
    report.save()
    return 0 if all(r["passed"] for r in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
