"""The funds' JSON API under /api/projects/funds: the lines a person sees with their balances,
one line's allocations, the spending (filtered by status), and approving or sending back a
spending record. Amounts are strings of yuan to the fen (never floats)."""

from datetime import date
from decimal import Decimal

from ninja import Router, Schema
from ninja.pagination import paginate

from jiceng.core.inputs import Id, Pagination, Year
from jiceng.core.scope import visible_or_404
from jiceng.projects import fund_selectors as sel
from jiceng.projects import funds
from jiceng.projects.models import Spending

router = Router(tags=["project funds"])


class BalanceOut(Schema):
    amount: Decimal
    allocated: Decimal
    committed: Decimal
    spent: Decimal
    balance: Decimal


class FundLineOut(Schema):
    id: int
    kind: str
    kind_name: str
    place: str
    place_name: str
    year: int
    unit: str | None
    balance: BalanceOut


class AllocationOut(Schema):
    id: int
    project: int
    project_title: str
    approved: Decimal
    amount: Decimal
    committed: Decimal
    spent: Decimal


class LineDetailOut(FundLineOut):
    allocations: list[AllocationOut]


class SpendingOut(Schema):
    id: int
    line: int
    allocation: int
    project_title: str
    amount: Decimal
    spent_on: date
    purpose: str
    payee: str
    status: str
    voucher: str
    recorded_by: str
    approved_by: str | None


class DecisionIn(Schema):
    note: str = ""


def _balance(b: sel.Balance) -> dict:
    return {
        "amount": b.amount,
        "allocated": b.allocated,
        "committed": b.committed,
        "spent": b.spent,
        "balance": b.balance,
    }


def _line_out(line, b: sel.Balance) -> dict:
    return {
        "id": line.pk,
        "kind": line.kind.code,
        "kind_name": line.kind.name,
        "place": line.scope_code,
        "place_name": line.place.name,
        "year": line.year,
        "unit": line.unit.name if line.unit_id else None,
        "balance": _balance(b),
    }


def _spending_out(s: Spending) -> dict:
    return {
        "id": s.pk,
        "line": s.line_id,
        "allocation": s.allocation_id,
        "project_title": s.allocation.project.title,
        "amount": s.amount,
        "spent_on": s.spent_on,
        "purpose": s.purpose,
        "payee": s.payee,
        "status": s.status,
        "voucher": s.voucher.url if s.voucher else "",
        "recorded_by": s.recorded_by.username,
        "approved_by": s.approved_by.username if s.approved_by_id else None,
    }


@router.get("/lines", response=list[FundLineOut])
def line_list(request, year: Year | None = None):
    """The lines of the reader's scope for a year (this year by default), with balances."""
    return [
        _line_out(line, b) for line, b in sel.lines_page(request.user, year=year or sel.year_of())
    ]


@router.get("/lines/{line_id}", response=LineDetailOut)
def line_detail(request, line_id: Id):
    line = visible_or_404(
        sel.visible_lines(request.user).select_related("kind", "place", "unit"), pk=line_id
    )
    allocations = list(line.allocations.select_related("project").order_by("id"))
    balances = sel.allocation_balances(allocations)
    out = _line_out(line, sel.line_balances(type(line).objects.filter(pk=line.pk))[line.pk])
    out["allocations"] = [
        {
            "id": a.pk,
            "project": a.project_id,
            "project_title": a.project.title,
            "approved": a.approved,
            "amount": a.amount,
            "committed": balances[a.pk].committed,
            "spent": balances[a.pk].spent,
        }
        for a in allocations
    ]
    return out


@router.get("/spending", response=list[SpendingOut])
@paginate(Pagination)
def spending_list(request, status: str = "", line: Id | None = None):
    rows = sel.spending_list(request.user, status=status)
    if line is not None:
        rows = rows.filter(line_id=line)
    return [_spending_out(s) for s in rows]


def _decide(request, spending_id: int, service, note: str):
    spending = visible_or_404(
        sel.visible_spending(request.user).select_related("line"), pk=spending_id
    )
    service(by=request.user, spending=spending, note=note, request=request)
    spending = sel.spending_list(request.user).get(pk=spending.pk)
    return _spending_out(spending)


@router.post("/spending/{spending_id}/approve", response=SpendingOut)
def approve(request, spending_id: Id, payload: DecisionIn):
    return _decide(request, spending_id, funds.spending_approve, payload.note)


@router.post("/spending/{spending_id}/reject", response=SpendingOut)
def reject(request, spending_id: Id, payload: DecisionIn):
    return _decide(request, spending_id, funds.spending_reject, payload.note)
