"""The staff's pages of money, under /console/projects/funds/ (one page key, ``funds``): the
lines with their balances, a line (its allocations, its spending with vouchers), the spending
list (what waits for approval), and the forms."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.core.errors import Forbidden
from jiceng.core.forms import submit
from jiceng.core.scope import visible_or_404
from jiceng.projects import fund_forms as f
from jiceng.projects import fund_selectors as sel
from jiceng.projects import funds
from jiceng.projects.models import Spending

KEY = "funds"


def _year(request) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


@page(KEY)
def lines(request):
    year = _year(request) or sel.year_of()
    show = request.GET.get("show", "")
    rows = sel.lines_page(request.user, year=year, status=show)
    total = sel.Balance()
    for _line, b in rows:
        total.amount += b.amount
        total.allocated += b.allocated
        total.committed += b.committed
        total.spent += b.spent
    return render(
        request,
        "projects/funds/lines.html",
        {
            "rows": rows,
            "year": year,
            "years": range(sel.year_of() + 1, sel.year_of() - 4, -1),
            "show": show,
            "total": total,
            "can_keep": request.user.has_role(*sel.KEEPER_ROLES),
            "waiting": sel.waiting_approval(request.user).count(),
        },
    )


@page(KEY)
def line_new(request):
    if not request.user.has_role(*sel.KEEPER_ROLES):
        raise Forbidden(_("只有街道或区的工作人员可以登记资金。"))
    form = f.LineForm(request.POST or None, user=request.user, initial={"year": sel.year_of()})
    if request.method == "POST":
        line = submit(
            form,
            lambda d: funds.line_create(
                by=request.user,
                kind=d["kind"],
                place=d["place"],
                year=d["year"],
                amount=d["amount"],
                unit=d["unit"],
                note=d["note"],
                request=request,
            ),
        )
        if line is not None:
            messages.success(request, _("资金已登记。"))
            return redirect("funds:line", line.pk)
    return render(
        request, "projects/funds/line_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _approvable(user, rows) -> set[int]:
    """The spending of the page this user may approve (the buttons shown)."""
    return {s.pk for s in rows if s.status == Spending.Status.PENDING and sel.can_approve(user, s)}


def _line(request, pk):
    return visible_or_404(
        sel.visible_lines(request.user).select_related("kind", "place", "unit"), pk=pk
    )


def _line_page(request, line, *, allocation_form=None, status=200):
    allocations = list(line.allocations.select_related("project", "project__place").order_by("id"))
    balances = sel.allocation_balances(allocations)
    keeper = sel.can_keep(request.user, line)
    spending = sel.spending_list(request.user, line=line)
    page_obj = Paginator(spending, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/funds/line.html",
        {
            "line": line,
            "balance": sel.line_balances(type(line).objects.filter(pk=line.pk))[line.pk],
            "allocations": [
                (a, balances[a.pk], sel.can_spend(request.user, a)) for a in allocations
            ],
            "can_keep": keeper,
            "below": sel.below_rule(line),
            "allocation_form": allocation_form
            or (f.AllocationForm(user=request.user, line=line) if keeper else None),
            "page_obj": page_obj,
            "approvable": _approvable(request.user, page_obj),
        },
        status=status,
    )


@page(KEY)
def line_detail(request, pk: int):
    line = _line(request, pk)
    if request.method == "POST":
        if not sel.can_keep(request.user, line):
            raise Forbidden(_("只有街道或区的工作人员可以安排资金。"))
        form = f.AllocationForm(request.POST, user=request.user, line=line)
        done = submit(
            form,
            lambda d: funds.allocation_create(
                by=request.user,
                line=line,
                project=d["project"],
                amount=d["amount"],
                note=d["note"],
                request=request,
            ),
        )
        if done is not None:
            messages.success(request, _("已安排给项目。"))
            return redirect("funds:line", line.pk)
        return _line_page(request, line, allocation_form=form, status=400)
    return _line_page(request, line)


def _allocation(request, pk):
    return visible_or_404(
        sel.visible_allocations(request.user).select_related(
            "line__kind", "line__place", "project"
        ),
        pk=pk,
    )


@page(KEY)
def allocation_revise(request, pk: int):
    allocation = _allocation(request, pk)
    if not sel.can_keep(request.user, allocation.line):
        raise Forbidden(_("只有街道或区的工作人员可以调整资金安排。"))
    form = f.ReviseForm(request.POST or None, initial={"amount": allocation.amount})
    if request.method == "POST":
        done = submit(
            form,
            lambda d: funds.allocation_revise(
                by=request.user,
                allocation=allocation,
                amount=d["amount"],
                note=d["note"],
                request=request,
            ),
        )
        if done is not None:
            messages.success(request, _("资金安排已调整。"))
            return redirect("funds:line", allocation.line_id)
    return render(
        request,
        "projects/funds/revise.html",
        {"form": form, "allocation": allocation, "balance": sel.allocation_balance(allocation)},
        status=400 if form.errors else 200,
    )


@page(KEY)
def spending_new(request, pk: int):
    allocation = _allocation(request, pk)
    if not sel.can_spend(request.user, allocation):
        raise Forbidden(_("只有项目所在社区、街道或区的工作人员可以登记支出。"))
    form = f.SpendingForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        done = submit(
            form,
            lambda d: funds.spending_record(
                by=request.user,
                allocation=allocation,
                amount=d["amount"],
                spent_on=d["spent_on"],
                purpose=d["purpose"],
                payee=d["payee"],
                voucher=d["voucher"],
                request=request,
            ),
        )
        if done is not None:
            messages.success(request, _("支出已登记，等待街道审核。"))
            return redirect("funds:line", allocation.line_id)
    return render(
        request,
        "projects/funds/spending_form.html",
        {"form": form, "allocation": allocation, "balance": sel.allocation_balance(allocation)},
        status=400 if form.errors else 200,
    )


@page(KEY)
def spending_list(request):
    status = request.GET.get("status", "")
    if status == "pending" and request.user.has_role(*sel.KEEPER_ROLES):
        rows = (
            sel.waiting_approval(request.user)
            .select_related(
                "allocation__project", "line__kind", "line__place", "recorded_by", "approved_by"
            )
            .order_by("-spent_on", "-id")
        )
    else:
        rows = sel.spending_list(request.user, status=status)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/funds/spending.html",
        {
            "page_obj": page_obj,
            "status": status,
            "statuses": Spending.Status.choices,
            "approvable": _approvable(request.user, page_obj),
        },
    )


@page(KEY)
@require_POST
def spending_decide(request, pk: int, action: str):
    spending = visible_or_404(sel.visible_spending(request.user).select_related("line"), pk=pk)
    form = f.DecideForm(request.POST)
    service = {"approve": funds.spending_approve, "reject": funds.spending_reject}.get(action)
    if service is None:
        return redirect("funds:line", spending.line_id)
    done = submit(
        form,
        lambda d: service(by=request.user, spending=spending, note=d["note"], request=request),
    )
    if done is None:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, _("已审核。"))
    return redirect("funds:line", spending.line_id)
