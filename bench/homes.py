"""Every role's home on city-scale data (issue 19's budget: p95 < 150 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_gen uv run jiceng generate \\
        --scale city --cases 100000 --activities 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_gen uv run python bench/homes.py

One user per role of the 13 is placed in the generated district (its first street, community
and grid; a department of the cases' units and a partner unit; the district for the district
and the administrators; a resident who reported cases there). Each home is opened end to end
through Django's test client (middleware, session, scoping, registrations, template), 200
samples in alternation with GET /livez through the same client (the floor, the same run): p95
against 150 ms and as a ratio to the floor's p95. The number of queries of each home is
printed beside it (budget 12, the test's). The figures are kept JICENG_FIGURES_TTL seconds
(300 by default); run with JICENG_FIGURES_TTL=0 for the cost of counting them every time.
"""

from __future__ import annotations

import os
import sys

from harness import Report, measure_pair, setup_django

RUNS = int(os.environ.get("JICENG_BENCH_RUNS", "200"))
HOME = {"resident": "/m/", "member": "/m/member/"}


def main() -> int:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.accounts.roles import ROLES, Role
    from jiceng.accounts.services import role_assign
    from jiceng.cases.models import Case
    from jiceng.demo.generate import CITY_CODE
    from jiceng.geo.models import Division
    from jiceng.partners.models import Partner

    code = os.environ.get("JICENG_BENCH_CODE", CITY_CODE)
    if not Case.objects.filter(scope_code__startswith=code).exists():
        print("needs `jiceng generate --scale city --cases 100000` loaded")
        return 2
    grid = Division.objects.filter(level="grid", code__startswith=code).order_by("code").first()
    community, street = grid.parent, grid.parent.parent
    district = Division.objects.get(code=code)
    department = Partner.objects.filter(kind="department", scope_code=code).order_by("pk").first()
    partner = (
        Partner.objects.filter(scope_code__startswith=code)
        .exclude(kind="department")
        .order_by("pk")
        .first()
    ) or Partner.objects.create(
        name="基准共建单位", kind="enterprise", division=street, scope_code=street.code
    )
    reporter = (
        Case.objects.filter(scope_code__startswith=grid.code, reporter__isnull=False)
        .values_list("reporter_id", flat=True)
        .first()
    )
    places = {
        Role.RESIDENT: grid,
        Role.MEMBER: community,
        Role.GRID_WORKER: grid,
        Role.GRID_CHIEF: grid,
        Role.COMMUNITY_WORKER: community,
        Role.COMMUNITY_SECRETARY: community,
        Role.STREET_STAFF: street,
        Role.DISTRICT_STAFF: district,
        Role.SYSTEM_ADMIN: district,
        Role.SECURITY_ADMIN: district,
        Role.AUDIT_ADMIN: district,
    }
    units = {Role.DEPARTMENT_STAFF: department, Role.PARTNER_STAFF: partner}
    report = Report("homes")
    print(f"{Case.objects.filter(scope_code__startswith=code).count():,} cases in {code}")
    for role in ROLES:
        if role == Role.RESIDENT and reporter:
            user = User.objects.get(pk=reporter)  # a resident with cases of their own
        else:
            user, _new = User.objects.get_or_create(username=f"bench_home_{role}")
        if not RoleAssignment.objects.active().filter(user=user, role=role).exists():
            role_assign(
                user=user, role=role, by=None, division=places.get(role), unit=units.get(role)
            )
        user = User.objects.get(pk=user.pk)
        client = Client()
        client.force_login(user)
        if ROLES[role].admin:
            device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
                user=user, name="bench", confirmed=True
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        url = HOME.get(role, "/console/")

        def home(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        def floor(client=client):
            client.get("/livez")

        home()
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, params, many, context, queries=queries: (
                queries.append(sql) or execute(sql, params, many, context)
            )
        ):
            home()
        ours, ref = measure_pair((f"{role} home", home), ("floor: GET /livez", floor), repeat=RUNS)
        report.compare(ours, ref, budget="p95 < 150 ms", passed=ours.p95 < 0.150)
        report.rows[-1].update(
            {
                "ours_p95_ms": round(ours.p95 * 1000, 1),
                "floor_p95_ms": round(ref.p95 * 1000, 1),
                "p95_ratio": round(ours.p95 / ref.p95, 2),
                "queries": len(queries),
            }
        )
        print(
            f"{role:22} p95 {ours.p95 * 1000:6.1f} ms  floor p95 {ref.p95 * 1000:5.1f} ms  "
            f"{ours.p95 / ref.p95:4.1f}×  {len(queries):2} queries  "
            f"{'pass' if ours.p95 < 0.150 else 'FAIL'}",
            flush=True,
        )
    report.print()
    report.save()
    return 0 if all(r["passed"] for r in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
