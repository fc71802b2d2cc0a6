"""What the funds give the shared surfaces: the warning of a line below its rule, the
execution rate (checked by hand), the ledger, the to-do against its list, and the demo."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core.registry import indicator, record_book, todos_for, warning_sources
from jiceng.projects import funds
from jiceng.projects.demo_funds import build_funds_demo
from jiceng.projects.fund_selectors import line_balances
from jiceng.projects.models import FundLine, Spending
from tests.projects_funds.conftest import YEAR, fund_kind, make_project, spend

pytestmark = pytest.mark.django_db


def _source(kind):
    return next(s for s in warning_sources() if s.kind == kind)


def test_a_community_line_below_its_rule_is_a_warning_and_stops_when_raised(cast):
    source = _source("funds.below_rule")
    assert source.collect(timezone.localdate()) == []
    funds.line_revise(by=cast["street"], line=cast["line"], amount="150000")
    (alert,) = source.collect(timezone.localdate())
    assert alert.scope_code == cast["community"].code and "200000.00" in alert.title
    assert alert.url == reverse("funds:line", args=[cast["line"].pk])
    # a street's line of the same kind is not held to the community's rule
    funds.line_create(
        by=cast["street"], kind=fund_kind(), place=cast["places"]["street"], year=YEAR, amount="1"
    )
    assert len(source.collect(timezone.localdate())) == 1
    funds.line_revise(by=cast["street"], line=cast["line"], amount="200000")
    assert source.collect(timezone.localdate()) == []


def test_the_execution_rate_is_spent_over_allocated(cast):
    s1 = spend(cast, "10000.00")
    spend(cast, "5000.00")  # waiting: not spent yet
    funds.spending_approve(by=cast["street"], spending=s1)
    rate = indicator("projects.fund_execution_rate")
    values = rate.compute(cast["places"]["district"].code, date(YEAR, 1, 1), date(YEAR + 1, 1, 1))
    assert values == {cast["community"].code: (10000.0, 50000.0)}
    # a period before the spending: nothing spent yet
    before = rate.compute(cast["places"]["district"].code, date(YEAR, 1, 1), date(YEAR, 1, 1))
    assert before.get(cast["community"].code, (0, 0))[0] in (0, 0.0) or s1.spent_on.month == 1


def test_the_ledger_lists_spending_with_vouchers_inside_the_place(cast):
    s = spend(cast, "321.00")
    funds.spending_approve(by=cast["street"], spending=s)
    book = record_book("projects.funds_ledger")
    rows = list(
        book.rows(cast["street"], cast["community"].code, date(YEAR, 1, 1), date(YEAR + 1, 1, 1))
    )
    assert len(rows) == 1 and rows[0][5] == Decimal("321.00") and rows[0][6].endswith(".jpg")
    assert len(rows[0]) == len(book.columns)
    assert (
        list(
            book.rows(
                cast["street"],
                cast["places"]["neighbour"].code,
                date(YEAR, 1, 1),
                date(YEAR + 1, 1, 1),
            )
        )
        == []
    )


def test_the_street_todo_counts_what_its_list_shows(client, cast):
    spend(cast)
    spend(cast, by="street")  # the street's own: someone else approves it
    (line,) = [t for t in todos_for(cast["street"]) if t.url.endswith("?status=pending")]
    assert line.count == 1
    client.force_login(cast["street"])
    html = client.get(line.url).content.decode()
    assert html.count('data-testid="spending-') == 1
    assert [
        t for t in todos_for(cast["secretary"]) if "status=pending" in t.url and "funds" in t.url
    ] == []


def test_the_demo_gives_every_community_a_line_and_a_year_of_spending(cast):
    make_project(cast["places"]["neighbour"], cast["outsider"], title="湖西实事")
    counts = build_funds_demo(district=cast["places"]["district"].code)
    assert counts["spending"] > 0
    lines = FundLine.objects.filter(kind__code="service_fund", year=YEAR, place__level="community")
    assert set(lines.values_list("place__code", flat=True)) == {
        cast["community"].code,
        cast["places"]["neighbour"].code,
    }
    assert not Spending.objects.filter(voucher="").exists()
    for b in line_balances(FundLine.objects.all()).values():
        assert Decimal(0) <= b.spent <= b.committed <= b.allocated <= b.amount
