"""The last places of an activity under many sign-ups at once (PostgreSQL: real concurrency)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from jiceng.community import services
from jiceng.community.models import Activity, Signup
from tests.community.conftest import make_activity
from tests.factories import user_with_role


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_forty_people_and_the_last_five_places_never_lose_or_double(cast):
    """45 people (5 of them pressing twice) for the last 5 places of 20, at the same moment."""
    a = make_activity(cast, capacity=20)
    early = [user_with_role("resident", division=cast["places"]["grid1"]) for _ in range(15)]
    for person in early:
        services.signup(by=person, activity=a)
    people = [user_with_role("resident", division=cast["places"]["grid2"]) for _ in range(40)]
    presses = people + people[:5]
    barrier = threading.Barrier(len(presses))
    outcomes: list[str] = []
    positions: list[int] = []
    lock = threading.Lock()

    def press(person):
        try:
            barrier.wait()
            row = services.signup(by=person, activity=a)
            result = row.status
            if row.position_at_signup is not None:
                with lock:
                    positions.append(row.position_at_signup)
        except Exception as exc:  # noqa: BLE001 - the outcome is what we count
            result = type(exc).__name__ + ":" + str(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=press, args=(p,)) for p in presses]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("confirmed") == 5, outcomes
    assert outcomes.count("waiting") == 35, outcomes
    assert all("已报名" in o for o in outcomes if o not in ("confirmed", "waiting"))
    # each newcomer on the waiting list was told a place of its own, in order
    assert sorted(positions) == list(range(1, 36))
    a = Activity.objects.get(pk=a.pk)
    assert (a.taken, a.waiting) == (20, 35)
    rows = Signup.objects.filter(activity=a)
    assert rows.filter(status="confirmed").count() == 20
    assert rows.filter(status="waiting").count() == 35
    assert rows.count() == len({r.user_id for r in rows}) == 55
    # every sign-up's history starts with one event that says where it landed, by whom and when
    # it was confirmed (the locking statement writes it with the row's mark)
    for row in rows.prefetch_related("events"):
        events = list(row.events.all())
        assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in events] == [
            ("signup", "", row.status, row.user_id)
        ], row
        assert (row.confirmed_at is not None) == (row.status == "confirmed")
        if row.confirmed_at:
            assert events[0].at == row.confirmed_at
