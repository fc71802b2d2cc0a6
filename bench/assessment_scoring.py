"""Assessment at city scale (issue 15's budgets).

    JICENG_VAR_DIR=$(mktemp -d) uv run jiceng migrate
    JICENG_VAR_DIR=... uv run python bench/assessment_scoring.py      # or with DATABASE_URL=postgres://...

Builds its own district (990201: 10 streets x 10 communities x 10 grids, a branch in every
grid: 100 communities and 1,000 branches) with last year's snapshots of every indicator the
schemes read (random values), the starter schemes and a branch scheme on the grids' snapshots.
Measured in the same run, each pair in alternation (``harness.measure_pair``):

- scoring a period: the community round and the branch round (``scoring.score_round``: read the
  snapshots, convert, total, rank, store every item score with its source) against the floor of
  the same work without any of ours: reading the same snapshot rows and inserting as many rows
  of the same width into a scratch table (budget: < 60 s);
- one community's score with its full breakdown (``/console/assessment/results/<id>/`` through
  Django's test client as the district's staff) against ``GET /livez`` through the same client,
  200 samples each (budget: p95 < 150 ms).
"""

from __future__ import annotations

import random
import sys
from datetime import date
from decimal import Decimal

from harness import Report, measure_pair, setup_django

CODE = "990201"
YEAR = 2025


def build():
    from django.utils import timezone

    from jiceng.accounts.models import User
    from jiceng.accounts.services import role_assign
    from jiceng.assessment import schemes
    from jiceng.assessment.models import Node, Scheme, Source, SubjectKind
    from jiceng.dashboard.models import Snapshot
    from jiceng.geo.models import Division
    from jiceng.party.models import PartyOrg

    if Division.objects.filter(code=CODE).exists():
        district = Division.objects.get(code=CODE)
    else:
        district = Division.objects.create(code=CODE, name="测评区", level="district", kind="urban")
        rows, orgs = [], []
        for s in range(1, 11):
            street = Division(
                code=f"{CODE}{s:03d}",
                name=f"第{s}街道",
                level="street",
                kind="urban",
                parent=district,
            )
            rows.append(street)
        Division.objects.bulk_create(rows)
        streets = list(Division.objects.filter(level="street", code__startswith=CODE))
        rows = [
            Division(
                code=f"{st.code}{c:03d}",
                name=f"{st.name}第{c}社区",
                level="community",
                kind="urban",
                parent=st,
            )
            for st in streets
            for c in range(1, 11)
        ]
        Division.objects.bulk_create(rows)
        comms = list(Division.objects.filter(level="community", code__startswith=CODE))
        rows = [
            Division(
                code=f"{cm.code}{g:03d}",
                name=f"{cm.name}第{g}网格",
                level="grid",
                kind="urban",
                parent=cm,
            )
            for cm in comms
            for g in range(1, 11)
        ]
        Division.objects.bulk_create(rows)
        grids = list(Division.objects.filter(level="grid", code__startswith=CODE))
        for g in grids:
            orgs.append(
                PartyOrg(name=f"{g.name}党支部", kind="branch", division=g, scope_code=g.code)
            )
        PartyOrg.objects.bulk_create(orgs)
        made = schemes.load_starters(district=district, year=YEAR)
        branch = Scheme.objects.create(
            key="branch_annual",
            name="党支部年度考核",
            subject_kind=SubjectKind.BRANCH,
            year=YEAR,
            division=district,
        )
        dom = Node.objects.create(
            scheme=branch, level="domain", name="组织生活", weight=Decimal(100)
        )
        cat = Node.objects.create(
            scheme=branch, parent=dom, level="category", name="组织生活", weight=Decimal(100)
        )
        for i, (key, conv) in enumerate(
            (
                ("party.meetings_held", "rank"),
                ("party.attendance_rate", "linear"),
                ("party.theme_day_rate", "linear"),
                ("party.dues_on_time", "linear"),
                ("points.earned", "rank"),
            )
        ):
            Node.objects.create(
                scheme=branch,
                parent=cat,
                level="item",
                name=key,
                weight=Decimal(20),
                source=Source.INDICATOR,
                indicator=key,
                conversion=conv,
                low=0.5 if conv == "linear" else None,
                high=1.0 if conv == "linear" else None,
                order=i,
            )
        schemes.check(branch)
        branch.status = "published"
        branch.save()
        keys = sorted({n.indicator for s in [*made, branch] for n in s.nodes.all() if n.indicator})
        rng = random.Random(15)
        codes = list(Division.objects.filter(code__startswith=CODE).values_list("code", flat=True))
        now = timezone.now()
        snaps = []
        for key in keys:
            for code in codes:
                den = rng.randint(20, 200)
                snaps.append(
                    Snapshot(
                        indicator=key,
                        scope_code=code,
                        period_kind="year",
                        period_start=date(YEAR, 1, 1),
                        numerator=rng.randint(0, den),
                        denominator=den,
                        computed_at=now,
                    )
                )
        Snapshot.objects.bulk_create(snaps, batch_size=5000)
        staff = User.objects.create(username="bench_assess", full_name="测评")
        role_assign(user=staff, role="district_staff", division=district, by=None)
    return district


def main() -> int:
    setup_django()
    from django.db import connection
    from django.test import Client

    from jiceng.accounts.models import User
    from jiceng.assessment import scoring
    from jiceng.assessment.models import ItemScore, Result, Round, Scheme
    from jiceng.dashboard.models import Snapshot

    district = build()
    rounds = []
    for key in ("community_party", "branch_annual"):
        scheme = Scheme.objects.get(scope_code=CODE, key=key, year=YEAR)
        rnd = Round.objects.filter(scheme=scheme).first() or Round.objects.create(
            scheme=scheme,
            name=key,
            period_start=date(YEAR, 1, 1),
            period_end=date(YEAR, 12, 31),
            division=district,
        )
        Round.objects.filter(pk=rnd.pk).update(status="draft")
        rounds.append(rnd)
    keys = sorted({n.indicator for r in rounds for n in r.scheme.nodes.all() if n.indicator})

    def ours():
        for rnd in rounds:
            scoring.score_round(rnd=rnd)

    n_rows = []

    def reference():
        rows = list(
            Snapshot.objects.filter(
                indicator__in=keys,
                period_kind="year",
                period_start=date(YEAR, 1, 1),
                scope_code__startswith=CODE,
            ).values_list("scope_code", "indicator", "numerator", "denominator")
        )
        count = ItemScore.objects.filter(result__round__in=rounds).count() or len(rows)
        with connection.cursor() as cur:
            cur.execute("DELETE FROM bench_scratch")
            cur.executemany(
                "INSERT INTO bench_scratch (a, b, c, d, e, f, g) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(i, i, "1.00", 0.5, 1.0, 2.0, CODE) for i in range(count)],
            )
        n_rows.append(count)

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_scratch")
        cur.execute(
            "CREATE TABLE bench_scratch (a integer, b integer, c numeric(7,2), "
            "d double precision, e double precision, f double precision, g varchar(15))"
        )
    report = Report("assessment_scoring")
    t_ours, t_ref = measure_pair(
        ("score the community and branch rounds", ours),
        ("read the snapshots + insert as many rows", reference),
        repeat=3,
        warmup=1,
    )
    subjects = Result.objects.filter(round__in=rounds).count()
    items = ItemScore.objects.filter(result__round__in=rounds).count()
    report.compare(t_ours, t_ref, budget="< 60 s", passed=t_ours.median < 60)
    report.notes["subjects scored"] = subjects
    report.notes["item scores stored"] = items

    client = Client()
    client.force_login(User.objects.get(username="bench_assess"))
    result = Result.objects.filter(round=rounds[0]).order_by("rank").first()
    url = f"/console/assessment/results/{result.pk}/"
    assert client.get(url).status_code == 200
    page, floor = measure_pair(
        ("score with breakdown page", lambda: client.get(url)),
        ("GET /livez", lambda: client.get("/livez")),
        repeat=200,
        warmup=5,
    )
    report.compare(page, floor, budget="p95 < 150 ms", passed=page.p95 < 0.150)
    report.notes["page p95 ms"] = round(page.p95 * 1000, 1)
    report.notes["livez p95 ms"] = round(floor.p95 * 1000, 1)
    report.notes["scoring median s / reference median s"] = (
        f"{t_ours.median:.2f} / {t_ref.median:.2f}"
    )
    report.notes["database"] = connection.vendor
    report.print()
    report.save()
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_scratch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
