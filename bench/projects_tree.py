"""A street's project tree with rolled-up progress at city scale (issue 14's budget: p95 <
150 ms): 100 communities × 50 projects × 12 monthly reports.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_projects uv run jiceng migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_projects uv run python \\
        bench/projects_tree.py

It builds its own district (code 990100, once; kept for the next run): 10 streets of 10
communities, each community with 50 projects (5 secretary's projects with 9 weighted children
each), 12 monthly reports each (60,000 reports), one child in ten not reported this month.
Then, as the first street's staff, through Django's test client (middleware, session,
scoping, template): the console's tree page (/console/projects/, the street's 500 projects
rolled up) and the API's tree (/api/projects/), each 200 samples in alternation with GET
/livez through the same client (the floor, the same run). JICENG_BENCH_STREETS=1 puts all 100
communities in one street (a 5,000-project tree) instead.
"""

from __future__ import annotations

import os
import random
import sys
from datetime import date
from decimal import Decimal

from harness import Report, measure_pair, setup_django

RUNS = int(os.environ.get("JICENG_BENCH_RUNS", "200"))
CODE = "990100"


def build(streets: int) -> None:
    from jiceng.accounts.models import User
    from jiceng.geo.models import Division
    from jiceng.projects.models import ProgressReport, Project, ProjectKind

    rng = random.Random(14)
    district = Division.objects.create(code=CODE, name="基准区", level="district", kind="district")
    per_street = 100 // streets
    owner, _ = User.objects.get_or_create(username="bench_projects_owner")
    kind = ProjectKind.objects.get(code="secretary")
    today = date.today()
    year = today.year
    months = [date(year - (1 if m > today.month else 0), m, 1) for m in range(1, 13)]
    months.sort()
    for s in range(1, streets + 1):
        street = Division.objects.create(
            code=f"{CODE}{s:03d}",
            name=f"基准街道{s}",
            level="street",
            kind="street",
            parent=district,
        )
        communities = Division.objects.bulk_create(
            Division(
                code=f"{street.code}{c:03d}",
                name=f"基准社区{s}-{c}",
                level="community",
                kind="community",
                parent=street,
            )
            for c in range(1, per_street + 1)
        )
        for community in communities:
            parents = Project.objects.bulk_create(
                Project(
                    kind=kind,
                    place=community,
                    scope_code=community.code,
                    title=f"书记项目{i}",
                    owner=owner,
                    year=year,
                    starts_on=months[0],
                    ends_on=date(year, 12, 31),
                    status="active",
                )
                for i in range(5)
            )
            children = []
            for parent in parents:
                for j in range(9):
                    stale = rng.random() < 0.1
                    children.append(
                        Project(
                            kind=kind,
                            place=community,
                            scope_code=community.code,
                            parent=parent,
                            weight=Decimal(rng.randint(1, 5)),
                            title=f"{parent.title}-{j}",
                            owner=owner,
                            year=year,
                            starts_on=months[0],
                            ends_on=date(year, 12, 31),
                            status="active",
                            progress=rng.randint(0, 100),
                            reported_month=months[-2] if stale else months[-1],
                        )
                    )
            children = Project.objects.bulk_create(children)
            ProgressReport.objects.bulk_create(
                ProgressReport(
                    project=p,
                    month=m,
                    text="进展",
                    progress=min(100, 8 * (k + 1)),
                    health="on_track",
                    reported_by=owner,
                )
                for p in [*parents, *children]
                for k, m in enumerate(months)
            )


def main() -> int:
    setup_django()
    from django.db import connection
    from django.test import Client

    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.accounts.services import role_assign
    from jiceng.geo.models import Division
    from jiceng.projects.models import ProgressReport, Project

    streets = int(os.environ.get("JICENG_BENCH_STREETS", "10"))
    if not Division.objects.filter(code=CODE).exists():
        print("building the benchmark's district …", flush=True)
        build(streets)
    street = Division.objects.filter(level="street", code__startswith=CODE).order_by("code")[0]
    user, _ = User.objects.get_or_create(username="bench_projects_street")
    if not RoleAssignment.objects.active().filter(user=user, role="street_staff").exists():
        role_assign(user=user, role="street_staff", by=None, division=street)
    user = User.objects.get(pk=user.pk)
    in_street = Project.objects.within(street.code).count()
    print(
        f"{Project.objects.within(CODE).count():,} projects, "
        f"{ProgressReport.objects.filter(project__scope_code__startswith=CODE).count():,} reports "
        f"in {CODE}; the street {street.code} holds {in_street:,} projects",
        flush=True,
    )
    client = Client()
    client.force_login(user)
    report = Report("projects_tree")

    def floor():
        client.get("/livez")

    for name, url in (("console tree", "/console/projects/"), ("API tree", "/api/projects/")):

        def page(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        page()
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, params, many, context, queries=queries: (
                queries.append(sql) or execute(sql, params, many, context)
            )
        ):
            page()
        ours, ref = measure_pair((name, page), ("floor: GET /livez", floor), repeat=RUNS)
        report.compare(ours, ref, budget="p95 < 150 ms", passed=ours.p95 < 0.150)
        report.rows[-1].update(
            {
                "ours_p95_ms": round(ours.p95 * 1000, 1),
                "floor_p95_ms": round(ref.p95 * 1000, 1),
                "p95_ratio": round(ours.p95 / ref.p95, 2),
                "queries": len(queries),
                "projects": in_street,
            }
        )
        print(
            f"{name:14} p95 {ours.p95 * 1000:6.1f} ms  median {ours.median * 1000:6.1f} ms  "
            f"floor p95 {ref.p95 * 1000:5.1f} ms  {ours.p95 / ref.p95:4.1f}×  "
            f"{len(queries):2} queries  {'pass' if ours.p95 < 0.150 else 'FAIL'}  "
            f"load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    report.print()
    report.save()
    return 0 if all(r["passed"] for r in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
