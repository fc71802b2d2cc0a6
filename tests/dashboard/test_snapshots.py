"""Snapshots: an indicator's numbers roll up the place tree (counts add; a rate is the sum of
numerators over the sum of denominators), a run is idempotent, and the read functions return
what was stored."""

from __future__ import annotations

from datetime import date

import pytest

from jiceng.core.registry import COUNT, RATE, Indicator, register_indicator, unregister_indicator
from jiceng.dashboard import snapshots
from jiceng.dashboard.models import Snapshot

pytestmark = pytest.mark.django_db

SEEN: list[tuple] = []


def _fake_count(within, start, end):
    SEEN.append((within, start, end))
    return {"360602001001001": (3, 0), "360602001001002": (2, 0), "360602001002": (4, 0)}


def _fake_rate(within, start, end):
    # grid 1: 1 of 1 (100 %); the neighbour community: 1 of 9 (11 %)
    return {"360602001001001": (1, 1), "360602001002001": (1, 9)}


@pytest.fixture
def fakes():
    count = Indicator(
        "test.count", "计数", "定义", "个", "organization", "org_coverage", _fake_count
    )
    rate = Indicator(
        "test.rate", "比率", "定义", "%", "organization", "org_coverage", _fake_rate, kind=RATE
    )
    register_indicator(count)
    register_indicator(rate)
    SEEN.clear()
    yield
    unregister_indicator("test.count")
    unregister_indicator("test.rate")


def test_counts_add_up_the_tree_and_rates_are_sums_of_numerators_over_denominators(places, fakes):
    snapshots.compute_period(snapshots.MONTH, date(2026, 5, 17), keys=["test.count", "test.rate"])
    start = date(2026, 5, 1)
    counts = snapshots.values(
        "test.count", [p.code for p in places.values()], snapshots.MONTH, start
    )
    assert counts["360602"].value == 9
    assert counts["360602001"].value == 9
    assert counts["360602001001"].value == 5
    assert counts["360602001001001"].value == 3
    assert counts["360602001002"].value == 4
    assert counts["360602001002001"].value == 0  # computed, nothing counted
    rates = snapshots.children_values("test.rate", "360602001", snapshots.MONTH, start)
    assert rates["360602001001"].value == 1.0
    assert rates["360602001002"].value == pytest.approx(1 / 9)
    street = snapshots.values("test.rate", ["360602001"], snapshots.MONTH, start)["360602001"]
    # 2 of 10, not the average of 100 % and 11 %
    assert (street.numerator, street.denominator) == (2, 10)
    assert street.value == pytest.approx(0.2)
    assert (
        snapshots.values("test.rate", ["360602001001002"], snapshots.MONTH, start)[
            "360602001001002"
        ].value
        is None
    )
    # the period asked of the app is the whole month, inside the district
    within, begin, end = SEEN[0]
    assert within == "360602"
    assert (begin.date(), end.date()) == (date(2026, 5, 1), date(2026, 6, 1))


def test_a_second_run_replaces_the_first(places, fakes):
    for _ in range(2):
        snapshots.compute_period(snapshots.MONTH, date(2026, 5, 1), keys=["test.count"])
    assert Snapshot.objects.filter(indicator="test.count").count() == 7  # one per place
    assert COUNT == "count"


def test_series_and_night_run(places, fakes):
    report = snapshots.run_night(date(2026, 5, 17), keys=["test.count"])
    assert report.periods == 3
    kinds = set(Snapshot.objects.values_list("period_kind", "period_start"))
    assert kinds == {
        ("day", date(2026, 5, 17)),
        ("month", date(2026, 5, 1)),
        ("year", date(2026, 1, 1)),
    }
    trend = snapshots.series("test.count", "360602", "month", date(2026, 3, 1), date(2026, 5, 1))
    assert [s for s, _ in trend] == [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)]
    assert trend[0][1] is None and trend[2][1].value == 9
