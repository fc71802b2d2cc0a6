"""Each starter indicator equals its definition counted by hand from the records (one test per
domain), at every level: grid, community, street and district (counts add; rates are sums of
numerators over sums of denominators)."""

from __future__ import annotations

from datetime import date

import pytest

from jiceng.dashboard import snapshots
from tests.dashboard.conftest import MAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def may(world):
    snapshots.compute_period(snapshots.MONTH, MAY)
    return world


def value(key, code):
    return snapshots.values(key, [code], "month", MAY)[code]


def test_organization_indicators_match_the_register(cast, may):
    p = cast["places"]
    # committee, 2 branches, the unit's branch (community) + the neighbour's committee and branch;
    # the group and the dissolved branch are left out
    assert value("party.orgs", p["community"].code).value == 4
    assert value("party.orgs", p["neighbour"].code).value == 2
    assert value("party.orgs", p["grid1"].code).value == 1
    assert value("party.orgs", p["street"].code).value == 6
    assert value("party.orgs", "360602").value == 6
    # grids with an organization: grid1, grid2, grid_n of 4 (grid3 has none)
    street = value("party.grid_coverage", p["street"].code)
    assert (street.numerator, street.denominator) == (3, 4)
    assert value("party.grid_coverage", p["neighbour"].code).value == 0.5
    assert value("party.registered_members", p["community"].code).value == 1
    assert value("party.registered_orgs", p["community"].code).value == 0  # still pending


def test_branch_life_and_member_indicators_match_the_records(cast, may):
    p = cast["places"]
    # held 三会一课 in May: the general meeting and the lecture of branch 1
    assert value("party.meetings_held", p["grid1"].code).value == 2
    assert value("party.meetings_held", p["street"].code).value == 2
    # the general meeting: 2 present of branch 1's 3 members on the roll
    attendance = value("party.attendance_rate", p["community"].code)
    assert (attendance.numerator, attendance.denominator) == (2, 3)
    # branches: 1, 2 and the neighbour's; only the neighbour's held a theme day
    theme = value("party.theme_day_rate", p["street"].code)
    assert (theme.numerator, theme.denominator) == (1, 4)  # the unit's branch too
    assert value("party.theme_day_rate", p["neighbour"].code).value == 1.0
    # on the roll at the end of May: 甲 乙 (丙 joined in June, 丁 left on 15 May), 戊 己
    assert value("party.members", p["community"].code).value == 2
    assert value("party.members", p["street"].code).value == 4
    # May's dues: 甲 in May, 戊 ahead in April (on time), 乙 in June (late)
    dues = value("party.dues_on_time", p["street"].code)
    assert (dues.numerator, dues.denominator) == (2, 3)
    assert value("party.dues_on_time", p["neighbour"].code).value == 1.0
    assert value("party.learning_hours", p["street"].code).value == 2.0  # 90 + 30 minutes
    assert value("points.earned", p["grid1"].code).value == 5  # 5 + 3 - 3


def test_governance_indicators_match_the_case_tallies_and_the_case_metrics(cast, may):
    from jiceng.cases import metrics

    p = cast["places"]
    assert value("cases.reported", p["grid1"].code).value == 3
    assert value("cases.reported", p["street"].code).value == 5
    figures = metrics.compute(start=date(2026, 5, 1), end=date(2026, 5, 31), scope=p["street"].code)
    pairs = {
        "cases.response_rate": (figures.responded_on_time, figures.reported),
        "cases.closure_rate": (figures.closed, figures.due),
        "cases.on_time_closure_rate": (figures.closed_on_time, figures.due),
        "cases.rework_rate": (figures.reworked, figures.verified),
        "cases.satisfaction_rate": (figures.satisfied, figures.rated),
    }
    for key, pair in pairs.items():
        stored = value(key, p["street"].code)
        assert (stored.numerator, stored.denominator) == pair, key
    # by hand: 4 answered on time of 5; closed 3 (closed twice, evaluated) of 4 due (one
    # rejected); on time 2 (the evaluated one was late); reworked 1 of 3 verified; satisfied 2 of 3 rated
    assert pairs["cases.response_rate"] == (4, 5)
    assert pairs["cases.closure_rate"] == (3, 4)
    assert pairs["cases.on_time_closure_rate"] == (2, 4)
    assert pairs["cases.rework_rate"] == (1, 3)
    assert pairs["cases.satisfaction_rate"] == (2, 3)
    whistle = value("cases.whistle_rate", p["grid1"].code)
    assert (whistle.numerator, whistle.denominator) == (1, 2)


def test_service_indicators_match_the_records(cast, may):
    p = cast["places"]
    ours, street = p["community"].code, p["street"].code
    assert value("community.needs_accepted", ours).value == 2
    assert value("community.needs_accepted", street).value == 2  # the neighbour's was April's
    solved = value("community.needs_solved_rate", ours)
    assert (solved.numerator, solved.denominator) == (1, 2)
    assert value("community.wishes_lit", ours).value == 2
    fulfilled = value("community.wish_fulfilment_rate", street)
    assert (fulfilled.numerator, fulfilled.denominator) == (1, 3)
    assert value("community.activities", ours).value == 1  # the cancelled one left out
    assert value("community.volunteer_hours", ours).value == 4.0
    rated = value("community.order_satisfaction_rate", street)
    assert (rated.numerator, rated.denominator) == (2, 3)  # 5 and 4 of 5, 3, 4


def test_venue_indicators_match_the_records(cast, may):
    ours = cast["places"]["community"].code
    assert value("venues.opening_hours", ours).value == 40  # 8 hours x 5 weekdays
    assert value("venues.bookings", ours).value == 2
    assert value("venues.bookings", "360602").value == 2


def test_every_registered_indicator_has_a_definition_and_a_stored_value(cast, may):
    from jiceng.core.registry import indicators

    keys = [i.key for i in indicators()]
    assert len(keys) >= 15  # the starter set, and every app that adds its own
    stored = snapshots.place_values("360602", "month", MAY)
    assert set(stored) == set(keys)
    for ind in indicators():
        assert len(str(ind.definition)) > 20, ind.key
