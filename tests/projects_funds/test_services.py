"""Allocations and spending: what is refused (with nothing changed), who may do what, and the
balances by phase."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.core.errors import Forbidden, UserError
from jiceng.core.models import AuditEntry
from jiceng.projects import funds
from jiceng.projects.fund_selectors import allocation_balance, line_balances, project_balances
from jiceng.projects.models import Allocation, FundLine, Spending
from tests.projects_funds.conftest import YEAR, make_project, pdf, spend

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(FundLine.objects.values_list("pk", "amount")),
        list(Allocation.objects.values_list("pk", "amount")),
        list(Spending.objects.values_list("pk", "amount", "status")),
        AuditEntry.objects.count(),
    )


def test_spending_is_committed_then_executed_when_the_street_approves(cast):
    s = spend(cast, "1200.50")
    b = allocation_balance(cast["allocation"])
    assert (b.committed, b.spent, b.available) == (
        Decimal("1200.50"),
        Decimal("0"),
        Decimal("48799.50"),
    )
    funds.spending_approve(by=cast["street"], spending=s)
    line = line_balances(FundLine.objects.filter(pk=cast["line"].pk))[cast["line"].pk]
    assert (line.amount, line.allocated, line.spent, line.balance) == (
        Decimal("200000.00"),
        Decimal("50000.00"),
        Decimal("1200.50"),
        Decimal("198799.50"),
    )
    assert project_balances([cast["project"]])[cast["project"].pk].spent == Decimal("1200.50")
    assert AuditEntry.objects.filter(action="funds.approve", object_id=str(s.pk)).exists()


def test_spending_above_the_allocation_is_refused_and_nothing_changes(cast):
    spend(cast, "49000.00")
    before = _state()
    with pytest.raises(UserError, match="1000.00"):
        spend(cast, "1000.01")
    assert _state() == before


@pytest.mark.parametrize(
    "amount, message",
    [("-5", "大于零"), ("0", "大于零"), ("1.001", "两位小数"), ("abc", "金额"), ("NaN", "金额")],
)
def test_bad_amounts_are_refused(cast, amount, message):
    before = _state()
    with pytest.raises(UserError, match=message):
        funds.spending_record(
            by=cast["secretary"],
            allocation=cast["allocation"],
            amount=amount,
            spent_on=timezone.localdate(),
            purpose="x",
            payee="y",
            voucher=pdf(),
        )
    assert _state() == before


def test_a_float_is_never_money(cast):
    with pytest.raises(TypeError):
        funds.check_money(0.1)


def test_spending_without_a_voucher_or_with_a_bad_one_is_refused(cast):
    before = _state()
    with pytest.raises(UserError, match="凭证"):
        spend(cast, voucher=None)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(UserError, match="凭证"):
        spend(cast, voucher=SimpleUploadedFile("x.jpg", b"not an image"))
    assert _state() == before


def test_a_pdf_voucher_is_kept(cast):
    s = spend(cast, voucher=pdf())
    assert s.voucher.name.endswith(".pdf")


def test_spending_outside_the_year_or_in_the_future_is_refused(cast):
    with pytest.raises(UserError, match=str(YEAR)):
        spend(cast, spent_on=date(YEAR - 1, 12, 31))
    with pytest.raises(UserError, match="晚于今天"):
        spend(cast, spent_on=timezone.localdate() + timedelta(days=1))


def test_the_author_cannot_approve_and_nor_can_the_community(cast):
    s = spend(cast, by="street")
    with pytest.raises(Forbidden):
        funds.spending_approve(by=cast["street"], spending=s)
    s2 = spend(cast)
    with pytest.raises(Forbidden):
        funds.spending_approve(by=cast["worker"], spending=s2)
    funds.spending_approve(by=cast["street2"], spending=s)
    s.refresh_from_db()
    assert (s.status, s.approved_by) == ("approved", cast["street2"])


def test_approving_twice_is_refused(cast):
    s = spend(cast)
    funds.spending_approve(by=cast["street"], spending=s)
    with pytest.raises(UserError, match="已审核"):
        funds.spending_approve(by=cast["district"], spending=s)


def test_rejected_spending_gives_the_money_back(cast):
    s = spend(cast, "50000.00")
    with pytest.raises(UserError, match="退回原因"):
        funds.spending_reject(by=cast["street"], spending=s, note=" ")
    funds.spending_reject(by=cast["street"], spending=s, note="发票抬头不对")
    assert allocation_balance(cast["allocation"]).available == Decimal("50000.00")


def test_a_line_cannot_allocate_more_than_its_amount(cast):
    other = make_project(cast["community"], cast["secretary"], title="口袋公园")
    before = _state()
    with pytest.raises(UserError, match="150000.00"):
        funds.allocation_create(
            by=cast["street"], line=cast["line"], project=other, amount=Decimal("150000.01")
        )
    assert _state() == before
    funds.allocation_create(
        by=cast["street"], line=cast["line"], project=other, amount=Decimal("150000.00")
    )


def test_revisions_stay_between_committed_and_what_the_line_has_left(cast):
    spend(cast, "30000.00")
    with pytest.raises(UserError, match="30000.00"):
        funds.allocation_revise(
            by=cast["street"], allocation=cast["allocation"], amount="29999.99", note="压减"
        )
    with pytest.raises(UserError, match="200000.00"):
        funds.allocation_revise(
            by=cast["street"], allocation=cast["allocation"], amount="200000.01", note="追加"
        )
    a = funds.allocation_revise(
        by=cast["street"], allocation=cast["allocation"], amount="60000", note="追加"
    )
    assert (a.approved, a.amount) == (Decimal("50000.00"), Decimal("60000.00"))
    with pytest.raises(UserError, match="60000.00"):
        funds.line_revise(by=cast["street"], line=cast["line"], amount="59999")


def test_only_the_street_or_district_keeps_lines(cast):
    with pytest.raises(Forbidden):
        funds.allocation_create(
            by=cast["secretary"], line=cast["line"], project=cast["project"], amount="1"
        )
    with pytest.raises(Forbidden):
        funds.line_revise(by=cast["outsider"], line=cast["line"], amount="1")


def test_an_outsider_cannot_record_spending(cast):
    with pytest.raises(Forbidden):
        spend(cast, by="outsider")


def test_a_project_elsewhere_or_of_another_year_cannot_receive_the_line(cast):
    elsewhere = make_project(cast["places"]["neighbour"], cast["outsider"])
    with pytest.raises(UserError, match="本地区"):
        funds.allocation_create(by=cast["street"], line=cast["line"], project=elsewhere, amount="1")
    later = make_project(cast["community"], cast["secretary"], year=YEAR + 1)
    with pytest.raises(UserError, match="年度"):
        funds.allocation_create(by=cast["street"], line=cast["line"], project=later, amount="1")
