"""Random sequences of allocations, revisions, spending, approvals and refusals: every balance
equals its entries (and a ledger kept here beside the services), none is ever below zero."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.errors import UserError
from jiceng.projects import funds
from jiceng.projects.fund_selectors import allocation_balances, line_balances, project_balances
from jiceng.projects.models import Allocation, FundLine, Spending
from tests.projects_funds.conftest import YEAR, fund_kind, make_project, pdf

pytestmark = pytest.mark.django_db

cents = st.integers(min_value=-100, max_value=6_000_000).map(lambda c: Decimal(c) / 100)
op = st.one_of(
    st.tuples(st.just("allocate"), st.integers(0, 1), st.integers(0, 2), cents),
    st.tuples(st.just("revise"), st.integers(0, 5), cents),
    st.tuples(st.just("spend"), st.integers(0, 5), cents),
    st.tuples(st.just("approve"), st.integers(0, 20)),
    st.tuples(st.just("reject"), st.integers(0, 20)),
)


class Rollback(Exception):
    pass


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(op, max_size=25))
def test_every_balance_equals_its_entries(cast, ops):
    try:
        with transaction.atomic():
            _run(cast, ops)
            raise Rollback
    except Rollback:
        pass


def _run(cast, ops):
    street, community = cast["street"], cast["community"]
    lines = [cast["line"]]
    lines.append(
        funds.line_create(
            by=street, kind=fund_kind("benefit_fund"), place=community, year=YEAR, amount="80000"
        )
    )
    projects = [cast["project"]] + [
        make_project(community, cast["secretary"], title=f"项目{i}") for i in (1, 2)
    ]
    allocations = [cast["allocation"]]
    spending: list[Spending] = []
    # the ledger kept beside the services: what each successful call should have moved
    allocated = {cast["line"].pk: Decimal("50000.00"), lines[1].pk: Decimal("0")}
    alloc_amount = {cast["allocation"].pk: Decimal("50000.00")}
    committed = {cast["allocation"].pk: Decimal("0")}
    spent = {cast["allocation"].pk: Decimal("0")}
    for step in ops:
        try:
            if step[0] == "allocate":
                _, li, pi, amount = step
                a = funds.allocation_create(
                    by=street, line=lines[li], project=projects[pi], amount=amount
                )
                allocations.append(a)
                allocated[lines[li].pk] += amount
                alloc_amount[a.pk], committed[a.pk], spent[a.pk] = amount, Decimal(0), Decimal(0)
            elif step[0] == "revise" and step[1] < len(allocations):
                a = allocations[step[1]]
                funds.allocation_revise(by=street, allocation=a, amount=step[2], note="调整")
                allocated[a.line_id] += step[2] - alloc_amount[a.pk]
                alloc_amount[a.pk] = step[2]
            elif step[0] == "spend" and step[1] < len(allocations):
                a = allocations[step[1]]
                s = funds.spending_record(
                    by=cast["secretary"],
                    allocation=a,
                    amount=step[2],
                    spent_on=timezone.localdate(),
                    purpose="用途",
                    payee="收款方",
                    voucher=pdf(),
                )
                spending.append(s)
                committed[a.pk] += step[2]
            elif step[0] in ("approve", "reject") and step[1] < len(spending):
                s = spending[step[1]]
                if step[0] == "approve":
                    funds.spending_approve(by=street, spending=s)
                    spent[s.allocation_id] += s.amount
                else:
                    funds.spending_reject(by=street, spending=s, note="退回")
                    committed[s.allocation_id] -= s.amount
        except UserError:
            pass
    _check(lines, allocated, alloc_amount, committed, spent)


def _check(lines, allocated, alloc_amount, committed, spent):
    by_line = line_balances(FundLine.objects.filter(pk__in=[x.pk for x in lines]))
    for line in FundLine.objects.filter(pk__in=by_line):
        b = by_line[line.pk]
        entries = sum((a.amount for a in Allocation.objects.filter(line=line)), Decimal("0"))
        done = sum(
            (s.amount for s in Spending.objects.filter(line=line, status="approved")), Decimal(0)
        )
        assert b.allocated == entries == allocated[line.pk]
        assert b.spent == done
        assert b.amount == line.amount
        assert Decimal(0) <= b.allocated <= b.amount
        assert b.balance >= 0 and b.unallocated >= 0
        assert b.spent <= b.committed <= b.allocated
    by_alloc = allocation_balances(Allocation.objects.all())
    for pk, b in by_alloc.items():
        assert b.amount == alloc_amount[pk]
        assert b.committed == committed[pk]
        assert b.spent == spent[pk]
        assert Decimal(0) <= b.spent <= b.committed <= b.amount
        assert b.available >= 0
    projects = {a.project for a in Allocation.objects.select_related("project")}
    for p, b in project_balances(projects).items():
        mine = [x for x in by_alloc if Allocation.objects.get(pk=x).project_id == p]
        assert b.spent == sum((by_alloc[x].spent for x in mine), Decimal(0))
        assert b.amount == sum((by_alloc[x].amount for x in mine), Decimal(0))
