"""The hotline's three rates of the units that handle cases: a unit's total recomputed by hand
from the cases it handled ("solved" apart from "closed") equals the published score, with the
same numerator and denominator as the case metrics of that handler; a scheme for handling
units refuses an indicator that cannot be counted per unit; a unit's item opens only the cases
the viewer may see; the unit's own staff read their score."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from jiceng.assessment import schemes, scoring, services
from jiceng.assessment.models import ItemScore, Node, Result, Round, Scheme, Source, SubjectKind
from jiceng.cases import metrics
from jiceng.cases.models import CaseCategory
from jiceng.core.errors import UserError
from tests.assessment.conftest import YEAR, linear_points, tallied_case
from tests.conftest import restore_starter_categories
from tests.factories import division, partner, user_with_role

# (number, where, answered on time, status, reworked, rating); all handled by the street's
# works company but the last, handled by the district's department
CASES = [
    ("H00001", "grid1", True, "closed", False, "satisfied"),  # solved
    ("H00002", "grid1", True, "evaluated", False, "dissatisfied"),  # closed, not solved
    ("H00003", "grid1", True, "closed", True, "basically_satisfied"),  # closed after rework
    ("H00004", "grid1", False, "in_progress", False, ""),
    ("H00005", "other_grid", True, "evaluated", False, "satisfied"),  # the other street's
    ("H00006", "other_grid", False, "rejected", False, ""),  # not due
    ("H00007", "grid1", True, "closed", False, "satisfied"),  # the department's
]


@pytest.fixture
def units(cast):
    """The street's works company (handles cases in both streets), the district's department,
    a unit that handled nothing; a second street with a grid and its staff."""
    places = cast["places"]
    other_street = division("360602002", "湖东街道", places["district"])
    other_community = division("360602002001", "湖东社区", other_street)
    places["other_grid"] = division("360602002001001", "湖东社区第1网格", other_community)
    cast["other_street"] = user_with_role("street_staff", division=other_street)
    works = partner("江边市政养护公司", "enterprise", places["street"])
    department = partner("月湖区城市管理局", "department", places["district"])
    idle = partner("江边物业服务公司", "property_company", places["street"])
    restore_starter_categories()
    category = CaseCategory.objects.get(code="0101")
    for number, where, on_time, status, reworked, rating in CASES:
        tallied_case(
            number,
            category,
            places[where].code,
            cast["secretary"],
            status=status,
            rating=rating,
            on_time=on_time,
            reworked=reworked,
            verified=status in ("closed", "evaluated"),
            handler=department if number == "H00007" else works,
        )
    return {"works": works, "department": department, "idle": idle}


@pytest.fixture
def hotline_round(cast, units):
    scheme = next(
        s
        for s in schemes.load_starters(district=cast["places"]["district"], year=YEAR)
        if s.key == "hotline_handlers"
    )
    rnd = services.round_create(
        scheme=scheme,
        name="2025 年度处置单位热线三率",
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 12, 31),
        by=cast["district"],
        red_count=1,
        black_count=0,
    )
    scoring.score_round(rnd=rnd, by=cast["district"])
    rnd.refresh_from_db()
    services.round_publish(rnd=rnd, by=cast["district"], now=rnd.appeal_deadline + timedelta(1))
    rnd.refresh_from_db()
    return rnd


_linear = linear_points


def _items(rnd):
    return {n.indicator: n for n in rnd.scheme.nodes.filter(level=Node.Level.ITEM)}


def test_five_starter_schemes_and_the_handling_units_is_one_of_them(cast):
    made = schemes.load_starters(district=cast["places"]["district"], year=YEAR)
    assert len(made) == 5 == len(schemes.STARTERS)
    hotline = next(s for s in made if s.key == "hotline_handlers")
    assert hotline.subject_kind == SubjectKind.HANDLER
    assert hotline.status == Scheme.Status.PUBLISHED and schemes.problems(hotline) == []
    items = hotline.nodes.filter(level=Node.Level.ITEM)
    assert sum(n.weight for n in items) == Decimal(100)
    assert {n.indicator for n in items} == {
        "cases.response_rate",
        "assessment.cases_solved_rate",
        "cases.satisfaction_rate",
    }


def test_a_units_three_rates_recomputed_by_hand_from_the_cases_it_handled(
    cast, units, hotline_round
):
    works = units["works"]
    mine = [c for c in CASES if c[0] != "H00007"]  # both streets: the district's round
    due = [c for c in mine if c[3] != "rejected"]
    response = sum(c[2] for c in mine) / len(mine)  # 4 / 6
    closed = [c for c in due if c[3] in ("closed", "evaluated")]
    solved = [c for c in closed if not c[4] and c[5] != "dissatisfied"]
    assert (len(closed), len(solved)) == (4, 2)  # closing is not solving
    rated = [c for c in mine if c[5]]
    satisfaction = sum(c[5] in ("satisfied", "basically_satisfied") for c in rated) / len(rated)
    by_hand = (
        _linear(response, 0.6, 1.0, 30)
        + _linear(len(solved) / len(due), 0.4, 1.0, 40)
        + _linear(satisfaction, 0.6, 1.0, 30)
    )
    result = Result.objects.get(round=hotline_round, subject_ref=f"unit:{works.pk}")
    assert hotline_round.status == Round.Status.PUBLISHED
    assert result.total == by_hand and result.subject_name == works.name
    # every item keeps what it was counted from: the same numbers as the case metrics of the
    # handler (one definition of each rate, grouped by place or by unit)
    items = {
        i.node.indicator: i for i in ItemScore.objects.filter(result=result).select_related("node")
    }
    figures = metrics.compute(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), handler_id=works.pk)
    assert (items["cases.response_rate"].numerator, items["cases.response_rate"].denominator) == (
        figures.responded_on_time,
        figures.reported,
    )
    solved_item = items["assessment.cases_solved_rate"]
    assert (solved_item.numerator, solved_item.denominator) == (2, figures.due)
    assert figures.closed == 4  # the closure rate would have counted twice as many
    satisfied = items["cases.satisfaction_rate"]
    assert (satisfied.numerator, satisfied.denominator) == (figures.satisfied, figures.rated)
    # the department ranks on its one case, first; the unit that handled nothing is not ranked
    department = Result.objects.get(
        round=hotline_round, subject_ref=f"unit:{units['department'].pk}"
    )
    assert department.total == Decimal(100) and department.rank == 1
    assert not Result.objects.filter(subject_ref=f"unit:{units['idle'].pk}").exists()


def test_a_handling_units_scheme_refuses_an_indicator_not_counted_per_unit(cast):
    scheme = Scheme.objects.create(
        key="units_meetings",
        name="处置单位考核",
        subject_kind=SubjectKind.HANDLER,
        year=YEAR,
        division=cast["places"]["district"],
    )
    domain = schemes.node_add(scheme=scheme, parent=None, name="会议", weight=Decimal(100), by=None)
    cat = schemes.node_add(scheme=scheme, parent=domain, name="会议", weight=Decimal(100), by=None)
    schemes.node_add(
        scheme=scheme,
        parent=cat,
        name="三会一课",
        weight=Decimal(100),
        by=None,
        source=Source.INDICATOR,
        indicator="party.meetings_held",
        conversion="rank",
    )
    with pytest.raises(UserError, match="不能按处置单位统计"):
        schemes.scheme_publish(scheme=scheme, by=cast["district"])
    scheme.refresh_from_db()
    assert scheme.status == Scheme.Status.DRAFT


def _records_link(client, result, node) -> str:
    page = client.get(reverse("assessment:item", args=[result.pk, node.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('data-testid="records"')
    href = html.rfind('href="', 0, start)
    return html[href + 6 : html.index('"', href + 6)].replace("&amp;", "&")


def test_a_units_records_show_only_the_cases_the_viewer_may_see(client, cast, units, hotline_round):
    works = units["works"]
    result = Result.objects.get(round=hotline_round, subject_ref=f"unit:{works.pk}")
    node = _items(hotline_round)["assessment.cases_solved_rate"]

    client.force_login(cast["district"])  # the whole district: both streets' cases
    link = _records_link(client, result, node)
    assert f"handler={works.pk}" in link and f"since={YEAR}-01-01" in link
    html = client.get(link).content.decode()
    assert all(n in html for n in ("H00001", "H00002", "H00004", "H00005", "H00006"))
    assert "H00007" not in html  # the department's
    assert works.name in html

    client.force_login(cast["street"])  # our street: its own cases of the unit, no other
    html = client.get(_records_link(client, result, node)).content.decode()
    assert all(n in html for n in ("H00001", "H00002", "H00003", "H00004"))
    assert "H00005" not in html and "H00006" not in html

    # the other street's staff do not see the unit's score, nor its cases through the link
    client.force_login(cast["other_street"])
    assert client.get(reverse("assessment:result", args=[result.pk])).status_code == 404
    html = client.get(link).content.decode()
    assert "H00005" in html and "H00001" not in html

    # the API gives the street the same scoped link
    client.force_login(cast["street"])
    body = client.get(f"/api/assessment/results/{result.pk}").json()
    items = [i["item"] for d in body["lines"] for c in d["children"] for i in c["children"]]
    solved = next(i for i in items if i["indicator"] == "assessment.cases_solved_rate")
    assert f"handler={works.pk}" in solved["records_url"]
    assert (solved["numerator"], solved["denominator"]) == (2, 5)

    # the unit's own staff read their score and open their cases
    staff = user_with_role("partner_staff", unit=works)
    client.force_login(staff)
    assert client.get(reverse("assessment:result", args=[result.pk])).status_code == 200
    html = client.get(_records_link(client, result, node)).content.decode()
    assert "H00001" in html and "H00007" not in html


def test_the_inbox_refuses_a_bad_period_or_unit(client, cast):
    client.force_login(cast["district"])
    url = reverse("cases:inbox")
    assert client.get(url, {"handler": "x1"}).status_code == 400
    assert client.get(url, {"since": "2025-13-01"}).status_code == 400
    assert client.get(url, {"since": "2025-05-01", "until": "2025-04-01"}).status_code == 400


def test_a_units_score_in_english(
    client, cast, units, hotline_round, django_assert_max_num_queries
):
    result = Result.objects.get(round=hotline_round, subject_ref=f"unit:{units['works'].pk}")
    node = _items(hotline_round)["cases.response_rate"]
    client.force_login(cast["district"])
    client.cookies["django_language"] = "en"
    with django_assert_max_num_queries(16):
        page = client.get(reverse("assessment:result", args=[result.pk]))
    assert page.status_code == 200 and "Response rate" in page.content.decode()
    html = client.get(reverse("assessment:item", args=[result.pk, node.pk])).content.decode()
    assert "handled by" in html and "本区上报" not in html
    ranking = client.get(reverse("assessment:round", args=[hotline_round.pk])).content.decode()
    assert "Handling unit" in ranking or units["works"].name in ranking
