"""The resident's monthly activity calendar for a community (issue 6: p95 under 100 ms), on
city-scale data with 100,000 activities over a year.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_services_bench
    uv run jiceng generate --scale city --activities 100000
    uv run python bench/services_calendar.py

Ours: GET /m/services/calendar/ through Django's test client as a resident of the community
(middleware, session, the page's queries, the template), and the page's two reads
(selectors.month_reads: the month's activities with the resident's own sign-up status, one
statement). Reference: the same rows by hand-written SQL on the same connection, fetched, in two
forms (two statements; one LEFT JOIN), the faster of the two counting.
"""

from __future__ import annotations

import sys
import time

from harness import Report, Timing, measure, setup_django

REPEAT = 100


def main() -> int:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from jiceng.accounts.models import RoleAssignment
    from jiceng.community import selectors
    from jiceng.community.models import Activity, Signup

    month = timezone.localdate().replace(day=1)
    start, end = selectors.month_bounds(month)
    # The community with the most activities this month, and one of its residents who signed up.
    busiest = (
        Signup.objects.filter(activity__starts_at__gte=start, activity__starts_at__lt=end)
        .values_list("activity__scope_code", "user_id")
        .first()
    )
    if busiest is None:
        raise SystemExit("needs `jiceng generate --scale city --activities 100000`")
    code, user_id = busiest
    user = RoleAssignment.objects.get(user_id=user_id, role="resident").user
    total = Activity.objects.count()
    in_month = Activity.objects.filter(scope_code=code, starts_at__gte=start, starts_at__lt=end)
    client = Client()
    client.force_login(user)
    url = f"/m/services/calendar/?month={month:%Y-%m}"
    assert client.get(url).status_code == 200

    def page():
        response = client.get(url)
        assert response.status_code == 200

    def ours():
        selectors.month_reads(user=user, community=code, month=month)

    def sql_one():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.id, a.title, a.place, a.starts_at, a.ends_at, a.capacity, a.taken, "
                "a.waiting, a.signup_opens_at, a.signup_closes_at, a.status, s.status "
                "FROM community_activity a LEFT JOIN community_signup s ON s.activity_id = a.id "
                "AND s.user_id = %s AND s.status IN ('confirmed', 'waiting') "
                "WHERE a.scope_code = %s AND a.starts_at >= %s AND a.starts_at < %s "
                "AND a.status = 'published' ORDER BY a.starts_at, a.id",
                [user.pk, code, start, end],
            )
            cursor.fetchall()

    def sql():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, title, place, starts_at, ends_at, capacity, taken, waiting, "
                "signup_opens_at, signup_closes_at, status FROM community_activity "
                "WHERE scope_code = %s AND starts_at >= %s AND starts_at < %s "
                "AND status = 'published' ORDER BY starts_at, id",
                [code, start, end],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT s.activity_id, s.status FROM community_signup s "
                "JOIN community_activity a ON a.id = s.activity_id "
                "WHERE s.user_id = %s AND s.status IN ('confirmed', 'waiting') "
                "AND a.scope_code = %s AND a.starts_at >= %s AND a.starts_at < %s",
                [user.pk, code, start, end],
            )
            cursor.fetchall()

    report = Report("services_calendar")
    t = time.perf_counter()
    page_t = measure("calendar page (GET /m/services/calendar/)", page, repeat=REPEAT, warmup=5)
    # Interleaved, so that a busy moment of the shared machine falls on every side alike.
    ours_t = Timing("selectors.month_reads (the page's read)", [])
    sql_two = Timing("hand-written SQL, two statements", [])
    sql_join = Timing("hand-written SQL, one LEFT JOIN", [])
    for fn in (ours, sql, sql_one) * 5:
        fn()
    for _ in range(REPEAT * 2):
        for timing, fn in ((ours_t, ours), (sql_two, sql), (sql_join, sql_one)):
            begin = time.perf_counter()
            fn()
            timing.seconds.append(time.perf_counter() - begin)
    sql_t = min(sql_two, sql_join, key=lambda t: t.median)  # the faster hand-written form
    ratio = ours_t.median / sql_t.median
    report.rows.append(
        {
            "ours": page_t.name,
            "p95_ms": round(page_t.p95 * 1000, 1),
            "median_ms": round(page_t.median * 1000, 1),
            "budget": "p95 < 100 ms",
            "passed": page_t.p95 < 0.1,
        }
    )
    report.rows.append(
        {
            "ours": ours_t.name,
            "reference": sql_t.name,
            "ours_median_ms": round(ours_t.median * 1000, 2),
            "ours_p95_ms": round(ours_t.p95 * 1000, 2),
            "reference_median_ms": round(sql_t.median * 1000, 2),
            "hand-written medians (two statements / one join), ms": [
                round(sql_two.median * 1000, 2),
                round(sql_join.median * 1000, 2),
            ],
            "ratio_ours_over_sql": round(ratio, 2),
            # Issue 6 sets no ratio; issue 3's lists aimed at <= 1.5x, reported against that.
            "budget": "none in issue 6 (issue 3's lists: <= 1.5x)",
            "passed": None,
        }
    )
    report.notes.update(
        {
            "activities in the database": total,
            "community": code,
            "activities of the community this month": in_month.count(),
            "database": connection.vendor,
            "seconds": round(time.perf_counter() - t, 1),
        }
    )
    for row in report.rows:
        print(row)
    print(report.notes)
    report.save()
    return 0 if all(r["passed"] is not False for r in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
