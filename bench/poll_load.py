"""Household polls under load (issue 13): 2,000 households voting through the API within a
minute, and the results of a poll with 100,000 ballots.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_polls uv run python bench/poll_load.py

Builds its own place (a district code 99xxxx no other data uses): one community of four grids
with 2,000 households of the register, an adult each with an account linked to them, and a
second adult in 200 of them (who try to vote for the same household). A yes/no household poll
is opened, and gunicorn (as `jiceng serve` runs it) takes, in SLICES slices:

1. ours: POST /api/deliberation/polls/{id}/ballots from every household's first adult and the
   200 second adults (every tenth request), sent flat out over CONNECTIONS keep-alive
   connections, all of a slice at once;
2. the ceiling: GET /livez with the same sessions, connections and pattern, the same number of
   requests, in slices that alternate with ours.

Budgets: the 2,000 inside 60 s of sending, p99 < 300 ms, exactly 2,000 201s and 200 409s, the
count equal to the ballots sent (yes/no/abstain as chosen), no household in the voted register
twice. Throughput and p99 are also given as ratios to the ceiling's.

Then a single-choice poll of four options gets 100,000 ballots (straight into the tables) and
``polls.tally`` (what the results page and the API call) is timed against a hand-written SQL
count of the same rows (two GROUP BYs), alternating, 30 samples each: budget median < 200 ms.
"""

from __future__ import annotations

import json
import random
import secrets
import sys
import time
import uuid
from datetime import date, timedelta

from harness import OUT, Report, gunicorn_workers, measure_pair, setup_django
from loadgen import alternate, api_headers, burst, live_server, load_average, merge, public

HOUSEHOLDS = 2_000
SECOND_ADULTS = 200
SLICES = 4
CONNECTIONS = 16
BIG = 100_000


def build_place():
    """The district, its households and people, and the accounts linked to them."""
    from django.contrib.auth.hashers import make_password

    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.deliberation.models import RegisterLink
    from jiceng.geo.models import Division
    from jiceng.registry.models import Building, Compound, Dwelling, Household, Person

    tag = f"{random.randrange(10_000):04d}"
    while Division.objects.filter(code=f"99{tag}").exists():
        tag = f"{random.randrange(10_000):04d}"
    district = Division.objects.create(
        code=f"99{tag}", name=f"基准区{tag}", level="district", kind="district"
    )
    street = Division.objects.create(
        code=district.code + "001", name="基准街道", level="street", kind="street", parent=district
    )
    community = Division.objects.create(
        code=street.code + "001",
        name="基准社区",
        level="community",
        kind="community",
        parent=street,
    )
    grids = [
        Division.objects.create(
            code=f"{community.code}{g:03d}",
            name=f"基准网格{g}",
            level="grid",
            kind="grid",
            parent=community,
        )
        for g in range(1, 5)
    ]
    compound = Compound.objects.create(
        community=community, name="基准小区", scope_code=community.code
    )
    buildings = [
        Building.objects.create(
            compound=compound, grid=grids[b % 4], name=f"{b + 1}栋", scope_code=grids[b % 4].code
        )
        for b in range(20)
    ]
    dwellings = Dwelling.objects.bulk_create(
        Dwelling(
            building=buildings[i % 20],
            number=f"{i // 20 + 101}",
            scope_code=buildings[i % 20].scope_code,
        )
        for i in range(HOUSEHOLDS)
    )
    households = Household.objects.bulk_create(
        Household(dwelling=d, scope_code=d.scope_code) for d in dwellings
    )
    born = date(1980, 1, 1)
    people = Person.objects.bulk_create(
        [
            Person(
                name=f"户主{i}",
                birth_date=born,
                dwelling=h.dwelling,
                household=h,
                scope_code=h.scope_code,
            )
            for i, h in enumerate(households)
        ]
        + [
            Person(
                name=f"家人{i}",
                birth_date=born,
                dwelling=h.dwelling,
                household=h,
                scope_code=h.scope_code,
            )
            for i, h in enumerate(households[:SECOND_ADULTS])
        ]
    )
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"bench_poll_{tag}_{i}", full_name=p.name, password=unusable)
        for i, p in enumerate(people)
    )
    grid_by_code = {g.code: g for g in grids}
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            user=u, role="resident", division=grid_by_code[p.scope_code], scope_code=p.scope_code
        )
        for u, p in zip(users, people, strict=True)
    )
    RegisterLink.objects.bulk_create(
        RegisterLink(user=u, person=p) for u, p in zip(users, people, strict=True)
    )
    secretary = User.objects.create(username=f"bench_poll_{tag}_sec", password=unusable)
    RoleAssignment.objects.create(
        user=secretary, role="community_secretary", division=community, scope_code=community.code
    )
    return community, User.objects.get(pk=secretary.pk), users


def sessions(users) -> list[str]:
    """A signed-in session per account, written as ``login`` writes it (without its signal and
    the password check, which would only slow the preparation)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore
    out = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        out.append(session.session_key)
    return out


def big_poll(community, secretary):
    """A closed single-choice poll with BIG ballots (straight into the tables)."""
    from django.utils import timezone

    from jiceng.deliberation import polls
    from jiceng.deliberation.models import Ballot, BallotMark, Poll

    poll = polls.poll_create(
        by=secretary,
        division=community,
        title="十万票计票基准",
        kind=Poll.Kind.SINGLE,
        electorate=Poll.Electorate.HOUSEHOLD,
        options=["甲", "乙", "丙", "丁"],
        closes_at=timezone.now() + timedelta(days=1),
    )
    options = list(poll.options.values_list("id", flat=True))
    rng = random.Random(13)
    for _chunk in range(0, BIG, 20_000):
        ballots = [
            Ballot(id=uuid.uuid4(), poll=poll, channel="web" if rng.random() < 0.7 else "paper")
            for _ in range(20_000)
        ]
        Ballot.objects.bulk_create(ballots, batch_size=5_000)
        BallotMark.objects.bulk_create(
            (
                BallotMark(ballot=b, poll=poll, option_id=rng.choices(options, [4, 3, 2, 1])[0])
                for b in ballots
            ),
            batch_size=5_000,
        )
    Poll.objects.filter(pk=poll.pk).update(status="closed", electorate_size=150_000)
    return Poll.objects.get(pk=poll.pk)


def main() -> int:
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from jiceng.deliberation import polls
    from jiceng.deliberation.models import Ballot, BallotMark, Poll, VoteRecord

    if connection.vendor != "postgresql":
        raise SystemExit("run on PostgreSQL: DATABASE_URL=postgres://...")
    t = time.monotonic()
    community, secretary, users = build_place()
    poll = polls.poll_create(
        by=secretary,
        division=community,
        title="基准：是否同意加装电梯",
        kind=Poll.Kind.YES_NO,
        electorate=Poll.Electorate.HOUSEHOLD,
        closes_at=timezone.now() + timedelta(days=1),
    )
    poll = polls.poll_open(poll=poll, by=secretary)
    cookies = sessions(users)
    print(
        f"prepared {len(users)} voters of {poll.electorate_size} households in {time.monotonic() - t:.1f} s"
    )
    options = dict(poll.options.values_list("code", "id"))
    rng = random.Random(5)
    chosen: dict[int, str] = {}
    firsts = cookies[:HOUSEHOLDS]
    seconds = cookies[HOUSEHOLDS:]
    csrf = secrets.token_hex(16)
    workers = gunicorn_workers()

    with live_server() as port:
        jobs = []
        for i, session in enumerate(firsts):
            answer = rng.choices(["yes", "no", "abstain"], [6, 3, 1])[0]
            chosen[i] = answer
            body = json.dumps({"options": [options[answer]]}).encode()
            jobs.append(
                (
                    "POST",
                    f"/api/deliberation/polls/{poll.pk}/ballots",
                    body,
                    api_headers(session, csrf, port),
                )
            )
            if i % 10 == 9:  # the household's second adult, right behind
                other = seconds[i // 10 % SECOND_ADULTS] if i // 10 < SECOND_ADULTS else None
                if other is not None:
                    body = json.dumps({"options": [options["no"]]}).encode()
                    jobs.append(
                        (
                            "POST",
                            f"/api/deliberation/polls/{poll.pk}/ballots",
                            body,
                            api_headers(other, csrf, port),
                        )
                    )
        # the second adults of households 0..199 vote after their household's first adult in
        # the same slice or a later one: both orders are tried across slices
        per = -(-len(jobs) // SLICES)
        slices = iter([jobs[k : k + per] for k in range(0, len(jobs), per)])
        livez = [("GET", "/livez", None, api_headers(s, csrf, port)) for s in cookies[:per]]
        burst(port, livez, connections=CONNECTIONS)  # warm every worker
        ceiling_slices, our_slices = alternate(
            SLICES,
            lambda: burst(port, livez, connections=CONNECTIONS, together=True),
            lambda: burst(port, next(slices), connections=CONNECTIONS, together=True),
        )
    ceiling, ours = merge(ceiling_slices), merge(our_slices)

    voted = VoteRecord.objects.filter(poll=poll)
    keys = list(voted.values_list("voter_key", flat=True))
    expected = {
        code: sum(1 for a in chosen.values() if a == code) for code in ("yes", "no", "abstain")
    }
    result = polls.tally(poll)
    counted = {o.code: o.votes for o in result.options}
    load = {
        f"ceiling (GET /livez, {SLICES} slices)": public(ceiling),
        f"ballots (POST …/ballots, {len(jobs)} requests, {SLICES} slices, all of a slice at once)": public(
            ours
        ),
        "sending time of our slices (s)": ours["seconds"],
        "throughput / ceiling": round(ours["per_s"] / ceiling["per_s"], 2),
        "p99 / ceiling p99": round(ours["p99_ms"] / ceiling["p99_ms"], 2),
        "households in the voted register": len(keys),
        "distinct households": len(set(keys)),
        "ballots": Ballot.objects.filter(poll=poll).count(),
        "counted": counted,
        "sent": expected,
        "statuses": ours["statuses"],
    }
    passed_load = (
        ours["statuses"] == {201: HOUSEHOLDS, 409: SECOND_ADULTS}
        and len(keys) == len(set(keys)) == HOUSEHOLDS
        and counted == expected
        and ours["seconds"] < 60
        and ours["p99_ms"] < 300
    )
    load["budget"] = "2,000 within 60 s, p99 < 300 ms, totals exact, no household twice"
    load["passed"] = passed_load

    big = big_poll(community, secretary)
    table_b, table_m = Ballot._meta.db_table, BallotMark._meta.db_table

    def by_hand():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT channel, count(*) FROM {table_b} WHERE poll_id = %s GROUP BY channel",
                [big.pk],
            )
            channels = cursor.fetchall()
            cursor.execute(
                f"SELECT option_id, count(*), sum(value) FROM {table_m} WHERE poll_id = %s GROUP BY option_id",
                [big.pk],
            )
            return channels, cursor.fetchall()

    ours_t, ref_t = measure_pair(
        ("polls.tally, 100,000 ballots", lambda: polls.tally(big)),
        ("hand-written SQL count", by_hand),
        repeat=30,
    )
    check = polls.tally(big)
    report = Report("poll_load")
    report.compare(ours_t, ref_t, budget="median < 200 ms", passed=ours_t.median < 0.2)
    report.notes.update(
        {
            "100,000-ballot count equals the SQL": sorted((o.id, o.votes) for o in check.options)
            == sorted((o, n) for o, n, _ in by_hand()[1]),
            "tally p95 (ms)": round(ours_t.p95 * 1000, 1),
            "SQL p95 (ms)": round(ref_t.p95 * 1000, 1),
            "load": load,
            "gunicorn_workers": workers,
            "connections": CONNECTIONS,
            "load average (1 min) at the end": load_average(),
        }
    )
    report.print()
    report.save()
    (OUT / "poll_load.json").write_text(
        json.dumps(
            {"rows": report.rows, "notes": report.notes}, ensure_ascii=False, indent=2, default=str
        )
    )
    return 0 if passed_load and ours_t.median < 0.2 else 1


if __name__ == "__main__":
    sys.exit(main())
