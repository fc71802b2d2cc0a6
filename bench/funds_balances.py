"""The balance of every fund line of a district at city scale (issue 14's budget): 100
communities × 50 projects, a line per community and per street, an allocation per project,
1,000,000 spending records (generated in SQL on PostgreSQL).

    createdb -h 127.0.0.1 -U postgres jiceng_funds_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_funds_bench uv run jiceng migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_funds_bench uv run python bench/funds_balances.py

Ours: ``fund_selectors.line_balances`` over the district's lines of the year, as the console's
list and the API read them (three queries: the lines, one GROUP BY of allocations, one GROUP BY
of spending with the committed and executed sums), materialised into ``Balance`` objects.
Reference: one hand-written SQL statement returning the same figures (each line's amount,
allocated, committed, spent), no Django. The two are timed in alternation
(``harness.measure_pair``) and checked equal. Budget: ours ≤ 1.5× the reference's time.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

from harness import Report, measure_pair, setup_django

CODE = "990140"
STREETS, COMMUNITIES, PROJECTS = 10, 10, 50  # 10 streets × 10 communities × 50 projects
SPENDING = 1_000_000
YEAR = 2026
RUNS = 30

REFERENCE_SQL = """
SELECT l.id, l.amount, COALESCE(a.allocated, 0), COALESCE(s.committed, 0), COALESCE(s.spent, 0)
FROM projects_fundline l
LEFT JOIN (SELECT line_id, SUM(amount) AS allocated FROM projects_allocation GROUP BY line_id) a
  ON a.line_id = l.id
LEFT JOIN (
  SELECT line_id,
         SUM(amount) FILTER (WHERE status IN ('pending', 'approved')) AS committed,
         SUM(amount) FILTER (WHERE status = 'approved') AS spent
  FROM projects_spending GROUP BY line_id
) s ON s.line_id = l.id
WHERE l.scope_code >= %s AND l.scope_code <= %s AND l.year = %s
"""


def build() -> None:
    from django.db import connection, transaction

    from jiceng.accounts.models import User
    from jiceng.geo.models import Division
    from jiceng.projects.models import Allocation, FundKind, FundLine, Project, ProjectKind

    with transaction.atomic():
        district = Division.objects.create(
            code=CODE, name="基准区", level="district", kind="district"
        )
        user = User.objects.create(username="bench_funds")
        kind, _ = ProjectKind.objects.get_or_create(code="shishi", defaults={"name": "实事项目"})
        service = FundKind.objects.get(code="service_fund")
        benefit = FundKind.objects.get(code="benefit_fund")
        lines, projects = [], []
        for s in range(1, STREETS + 1):
            street = Division.objects.create(
                code=f"{CODE}{s:03d}",
                name=f"街道{s}",
                level="street",
                kind="street",
                parent=district,
            )
            lines.append(
                FundLine(
                    kind=benefit,
                    place=street,
                    year=YEAR,
                    amount=Decimal("5000000"),
                    scope_code=street.code,
                )
            )
            for c in range(1, COMMUNITIES + 1):
                community = Division.objects.create(
                    code=f"{street.code}{c:03d}",
                    name=f"社区{s}-{c}",
                    level="community",
                    kind="community",
                    parent=street,
                )
                lines.append(
                    FundLine(
                        kind=service,
                        place=community,
                        year=YEAR,
                        amount=Decimal("200000"),
                        scope_code=community.code,
                    )
                )
                for p in range(PROJECTS):
                    projects.append(
                        Project(
                            kind=kind,
                            title=f"项目{s}-{c}-{p}",
                            place=community,
                            owner=user,
                            year=YEAR,
                            starts_on=date(YEAR, 1, 1),
                            ends_on=date(YEAR, 12, 31),
                            status="active",
                            scope_code=community.code,
                        )
                    )
        FundLine.objects.bulk_create(lines)
        Project.objects.bulk_create(projects, batch_size=2000)
        by_place = {line.scope_code: line for line in lines if line.kind_id == service.pk}
        streets = {line.scope_code: line for line in lines if line.kind_id == benefit.pk}
        allocations = []
        for i, p in enumerate(projects):
            # most projects from their community's line, every tenth from its street's
            line = streets[p.scope_code[:9]] if i % 10 == 0 else by_place[p.scope_code]
            amount = Decimal("40000") if i % 10 == 0 else Decimal("4000")
            allocations.append(
                Allocation(
                    line=line, project=p, approved=amount, amount=amount, scope_code=p.scope_code
                )
            )
        Allocation.objects.bulk_create(allocations, batch_size=2000)
        # 1,000,000 spending records, 200 per allocation, in one statement: 90% approved,
        # 8% waiting, 2% sent back; amounts in fen that keep every allocation within itself
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO projects_spending (created_at, updated_at, scope_code, allocation_id,
                  line_id, amount, spent_on, purpose, payee, voucher, status, recorded_by_id,
                  approved_by_id, decided_at, decision_note)
                SELECT now(), now(), a.scope_code, a.id, a.line_id,
                       round((a.amount / 250) * (50 + (g %% 50)) / 100, 2),
                       make_date(%s, 1 + (g %% 12), 1 + (g %% 28)),
                       '支出', '收款方', 'funds/bench/voucher.jpg',
                       CASE WHEN g %% 50 = 0 THEN 'rejected' WHEN g %% 12 = 0 THEN 'pending' ELSE 'approved' END,
                       %s,
                       CASE WHEN g %% 12 = 0 AND g %% 50 <> 0 THEN NULL ELSE %s END,
                       NULL, ''
                FROM projects_allocation a
                JOIN generate_series(1, %s) g ON true
                WHERE a.scope_code >= %s AND a.scope_code <= %s
                """,
                [
                    YEAR,
                    user.pk,
                    approver(user).pk,
                    SPENDING // len(allocations),
                    CODE,
                    CODE + "9" * 9,
                ],
            )
        connection.cursor().execute(
            "ANALYZE projects_spending; ANALYZE projects_allocation; ANALYZE projects_fundline"
        )


def approver(user):
    from jiceng.accounts.models import User

    return User.objects.get_or_create(username="bench_funds_approver")[0]


def main() -> int:
    setup_django()
    from django.db import connection

    from jiceng.projects.fund_selectors import line_balances
    from jiceng.projects.models import FundLine, Spending

    if connection.vendor != "postgresql":
        print("needs PostgreSQL (DATABASE_URL=postgres://...)")
        return 2
    if not FundLine.objects.filter(scope_code__startswith=CODE).exists():
        print("building the district's money (1,000,000 spending records) ...", flush=True)
        build()
    count = Spending.objects.count()
    lines = FundLine.objects.within(CODE).filter(year=YEAR)

    def ours():
        return {
            pk: (b.amount, b.allocated, b.committed, b.spent)
            for pk, b in line_balances(lines).items()
        }

    def reference():
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE_SQL, [CODE, CODE + "9" * 9, YEAR])
            return {row[0]: tuple(Decimal(v) for v in row[1:]) for row in cursor.fetchall()}

    assert ours() == reference(), "the two disagree"
    a, b = measure_pair(
        ("line_balances (ORM, 3 queries)", ours),
        ("hand-written SQL", reference),
        repeat=RUNS,
        warmup=2,
    )
    ratio = a.median / b.median
    report = Report("funds_balances")
    report.compare(a, b, budget="≤ 1.5× the SQL's time", passed=ratio <= 1.5)
    report.notes["spending records"] = f"{count:,}"
    report.notes["fund lines"] = lines.count()
    report.notes["ours p95 / reference p95 (s)"] = f"{a.p95:.3f} / {b.p95:.3f}"
    report.print()
    report.save()
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
