"""One ballot per household when its members and the paper batches arrive at the same moment
(PostgreSQL: real concurrency), and the database's constraint as the last word on both
databases."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from jiceng.deliberation import ballots
from jiceng.deliberation.models import Ballot, VoteRecord
from tests.deliberation_polls.conftest import make_poll, option


@pytest.mark.django_db
def test_the_database_refuses_a_second_row_for_a_household(cast):
    poll = make_poll(cast)
    VoteRecord.objects.create(poll=poll, voter_key="h1", channel="web", scope_code="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteRecord.objects.create(poll=poll, voter_key="h1", channel="paper", scope_code="1")


def _agreed_batch(poll, cast, household):
    batch = ballots.batch_create(
        poll=poll, by=cast["secretary"], sheets=1, signed_by="监票人", lines=f"{household.pk} 2"
    )
    return ballots.batch_second(batch=batch, by=cast["worker"], lines=f"{household.pk} 2")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_web_and_paper_at_the_same_moment_count_once_per_household(cast):
    poll = make_poll(cast)
    batches = [_agreed_batch(poll, cast, cast["h1"]), _agreed_batch(poll, cast, cast["h4"])]
    yes = option(poll, 1)
    # h1: both adults on the phone, twice each, and its paper batch; h2: one adult pressing
    # four times; h4: the adult on the phone and its paper batch
    actions = (
        [("web", cast["wang"])] * 2
        + [("web", cast["li"])] * 2
        + [("web", cast["zhao"])] * 4
        + [("web", cast["zhou"])]
        + [("paper", b) for b in batches]
    )
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def act(kind, who):
        try:
            barrier.wait()
            if kind == "web":
                ballots.cast_web(poll=poll, user=who, options=[yes])
            else:
                ballots.batch_count(batch=who, by=cast["secretary"])
            result = "ok"
        except Exception as exc:  # noqa: BLE001 - the outcome is what we count
            result = type(exc).__name__ + ":" + str(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=act, args=a) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 3, outcomes  # h1, h2, h4: one each
    assert all("本户已投票" in o for o in outcomes if o != "ok"), outcomes
    keys = list(VoteRecord.objects.filter(poll=poll).values_list("voter_key", flat=True))
    assert sorted(keys) == sorted(f"h{cast[h].pk}" for h in ("h1", "h2", "h4"))
    assert Ballot.objects.filter(poll=poll).count() == 3
