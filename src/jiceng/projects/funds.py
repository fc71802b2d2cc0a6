"""Every write of money: fund lines, allocations to projects, spending with its voucher and its
approval. Keyword-only, one transaction each, an audit entry each.

No write can overdraw: an allocation locks its line ``FOR UPDATE`` and sums the line's
allocations under the lock; spending locks its allocation and sums its committed spending under
the lock (SQLite's IMMEDIATE transactions serialize writers the same way). Locks are always
taken line → allocation → spending, so two writers never wait on each other in a circle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.photos import MAX_BYTES, prepare_photos
from jiceng.core.scope import covers
from jiceng.projects.fund_selectors import (
    COMMITTED,
    can_approve,
    can_keep,
    can_spend,
    fen,
)
from jiceng.projects.models import Allocation, FundKind, FundLine, Project, Spending

MOST = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)
FEN = Decimal("0.01")


def check_money(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """An amount in yuan to the fen: a Decimal (never a float), positive, two places at most."""
    if isinstance(value, float):
        raise TypeError("money is a Decimal, never a float")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise UserError(_("请输入金额（元，最多两位小数）。"), field=field) from exc
    if not amount.is_finite():
        raise UserError(_("请输入金额（元，最多两位小数）。"), field=field)
    if amount != amount.quantize(FEN):
        raise UserError(_("金额最多精确到分（两位小数）。"), field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise UserError(_("金额须大于零。"), field=field)
    if amount > MOST:
        raise UserError(_("金额过大。"), field=field)
    return amount.quantize(FEN)


def _keeper(by, code: str) -> None:
    if not can_keep(by, code):
        raise Forbidden(_("只有街道或区的工作人员可以管理这笔资金。"))


def _allocated(line: FundLine, *, without: Allocation | None = None) -> Decimal:
    rows = Allocation.objects.filter(line=line)
    if without is not None:
        rows = rows.exclude(pk=without.pk)
    return fen(rows.aggregate(s=Sum("amount"))["s"])


def _committed(allocation: Allocation) -> Decimal:
    rows = Spending.objects.filter(allocation=allocation, status__in=COMMITTED)
    return fen(rows.aggregate(s=Sum("amount"))["s"])


# --- lines ------------------------------------------------------------------------------------


def line_create(
    *,
    by,
    kind: FundKind,
    place,
    year: int,
    amount: Any,
    unit=None,
    note: str = "",
    request=None,
) -> FundLine:
    """A place's fund line for a year (its approved amount)."""
    _keeper(by, place.code)
    amount = check_money(amount, allow_zero=True)
    if kind.from_unit and unit is None:
        raise UserError(_("共建单位出资须注明出资单位。"), field="unit")
    if not kind.from_unit:
        unit = None
    with transaction.atomic():
        if FundLine.objects.filter(kind=kind, place=place, year=year, unit=unit).exists():
            raise UserError(_("该地区本年度已有这项资金。"), field="kind")
        line = FundLine.objects.create(
            kind=kind,
            place=place,
            year=year,
            amount=amount,
            unit=unit,
            note=note.strip(),
            created_by=by,
        )
        audit(
            actor=by,
            action="funds.line_create",
            obj=line,
            request=request,
            detail={"amount": str(amount), "kind": kind.code, "year": year},
        )
    return line


def line_revise(*, by, line: FundLine, amount: Any, note: str = "", request=None) -> FundLine:
    """Change a line's amount: never below what it has allocated."""
    _keeper(by, line.scope_code)
    amount = check_money(amount, allow_zero=True)
    with transaction.atomic():
        line = FundLine.objects.select_for_update().get(pk=line.pk)
        allocated = _allocated(line)
        if amount < allocated:
            raise UserError(
                _("已安排给项目 {allocated} 元，资金额度不能低于此数。").format(
                    allocated=allocated
                ),
                field="amount",
            )
        old = line.amount
        line.amount = amount
        if note:
            line.note = note.strip()
        line.save(update_fields=["amount", "note", "updated_at"])
        audit(
            actor=by,
            action="funds.line_revise",
            obj=line,
            request=request,
            detail={"from": str(old), "to": str(amount), "note": note},
        )
    return line


# --- allocations ------------------------------------------------------------------------------


def allocation_create(
    *, by, line: FundLine, project: Project, amount: Any, note: str = "", request=None
) -> Allocation:
    """Give part of a line to a project of the line's place and year; the line's allocations
    never exceed its amount."""
    _keeper(by, line.scope_code)
    amount = check_money(amount)
    if not covers([line.scope_code], project.scope_code):
        raise UserError(_("只能安排给本地区的项目。"), field="project")
    if project.year != line.year:
        raise UserError(_("项目年度与资金年度不一致。"), field="project")
    if project.status == Project.Status.CANCELLED:
        raise UserError(_("项目已撤销。"), field="project")
    with transaction.atomic():
        line = FundLine.objects.select_for_update().get(pk=line.pk)
        if Allocation.objects.filter(line=line, project=project).exists():
            raise UserError(_("这个项目已从这项资金中安排过，请调整原安排。"), field="project")
        left = line.amount - _allocated(line)
        if amount > left:
            raise UserError(
                _("超出可安排余额：这项资金还可安排 {left} 元。").format(left=left), field="amount"
            )
        allocation = Allocation.objects.create(
            line=line,
            project=project,
            approved=amount,
            amount=amount,
            note=note.strip(),
            created_by=by,
            scope_code=project.scope_code,
        )
        audit(
            actor=by,
            action="funds.allocate",
            obj=allocation,
            request=request,
            detail={"line": line.pk, "project": project.pk, "amount": str(amount)},
        )
    return allocation


def allocation_revise(
    *, by, allocation: Allocation, amount: Any, note: str = "", request=None
) -> Allocation:
    """Revise an allocation: not below what is committed against it, not above what its line
    has left."""
    _keeper(by, allocation.line.scope_code)
    amount = check_money(amount, allow_zero=True)
    if not note.strip():
        raise UserError(_("请说明调整原因。"), field="note")
    with transaction.atomic():
        line = FundLine.objects.select_for_update().get(pk=allocation.line_id)
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        committed = _committed(allocation)
        if amount < committed:
            raise UserError(
                _("已登记支出 {committed} 元，安排金额不能低于此数。").format(committed=committed),
                field="amount",
            )
        left = line.amount - _allocated(line, without=allocation)
        if amount > left:
            raise UserError(
                _("超出可安排余额：这项资金还可安排 {left} 元。").format(left=left), field="amount"
            )
        old = allocation.amount
        allocation.amount = amount
        allocation.note = note.strip()
        allocation.save(update_fields=["amount", "note", "updated_at"])
        audit(
            actor=by,
            action="funds.allocation_revise",
            obj=allocation,
            request=request,
            detail={"from": str(old), "to": str(amount), "note": note.strip()},
        )
    return allocation


# --- spending ---------------------------------------------------------------------------------


def prepare_voucher(upload) -> ContentFile:
    """The voucher as kept: a photo checked and resized (core.photos), or a PDF checked by its
    first bytes; anything else is refused."""
    if not upload:
        raise UserError(_("请上传支出凭证（照片或 PDF）。"), field="voucher")
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if (getattr(upload, "size", 0) or 0) > MAX_BYTES:
            raise UserError(_("凭证超过 15 MB。"), field="voucher")
        data = upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise UserError(_("凭证超过 15 MB。"), field="voucher")
        return ContentFile(data, name="voucher.pdf")
    try:
        (photo,) = prepare_photos([upload])
    except UserError as exc:
        raise UserError(_("凭证须为照片（JPEG、PNG、WebP）或 PDF 文件。"), field="voucher") from exc
    photo.name = "voucher.jpg"
    return photo


def spending_record(
    *,
    by,
    allocation: Allocation,
    amount: Any,
    spent_on: date,
    purpose: str,
    payee: str,
    voucher,
    request=None,
) -> Spending:
    """Record a payment against a project's allocation with its voucher: committed until the
    street approves it; never more than the allocation has left."""
    if not can_spend(by, allocation):
        raise Forbidden(_("只有项目所在社区、街道或区的工作人员可以登记支出。"))
    amount = check_money(amount)
    purpose, payee = (purpose or "").strip(), (payee or "").strip()
    if not purpose:
        raise UserError(_("请填写用途。"), field="purpose")
    if not payee:
        raise UserError(_("请填写收款方。"), field="payee")
    if spent_on is None:
        raise UserError(_("请填写支出日期。"), field="spent_on")
    line = allocation.line
    if spent_on.year != line.year:
        raise UserError(
            _("支出日期须在资金年度（{year} 年）内。").format(year=line.year), field="spent_on"
        )
    if spent_on > timezone.localdate():
        raise UserError(_("支出日期不能晚于今天。"), field="spent_on")
    kept = prepare_voucher(voucher)
    with transaction.atomic():
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        left = allocation.amount - _committed(allocation)
        if amount > left:
            raise UserError(
                _("超出项目资金余额：这个项目还可支出 {left} 元。").format(left=left),
                field="amount",
            )
        spending = Spending(
            allocation=allocation,
            line_id=allocation.line_id,
            amount=amount,
            spent_on=spent_on,
            purpose=purpose,
            payee=payee,
            recorded_by=by,
            scope_code=allocation.scope_code,
        )
        spending.voucher.save(kept.name, kept, save=False)
        spending.save(force_insert=True)
        audit(
            actor=by,
            action="funds.spend",
            obj=spending,
            request=request,
            detail={"allocation": allocation.pk, "amount": str(amount)},
        )
    return spending


def _decide(*, by, spending: Spending, status: str, note: str, action: str, request) -> Spending:
    with transaction.atomic():
        spending = Spending.objects.select_for_update().select_related("line").get(pk=spending.pk)
        if spending.recorded_by_id == by.pk:
            raise Forbidden(_("经办人不能审核自己登记的支出。"))
        if not can_approve(by, spending):
            raise Forbidden(_("只有街道或区的工作人员可以审核支出。"))
        if spending.status != Spending.Status.PENDING:
            raise UserError(_("这笔支出已审核过。"), status=409)
        spending.status = status
        spending.approved_by = by
        spending.decided_at = timezone.now()
        spending.decision_note = note.strip()
        spending.save(
            update_fields=["status", "approved_by", "decided_at", "decision_note", "updated_at"]
        )
        audit(
            actor=by,
            action=action,
            obj=spending,
            request=request,
            detail={"amount": str(spending.amount), "note": note.strip()},
        )
    return spending


def spending_approve(*, by, spending: Spending, note: str = "", request=None) -> Spending:
    """The street (or district) approves: the money is spent (executed)."""
    return _decide(
        by=by,
        spending=spending,
        status=Spending.Status.APPROVED,
        note=note,
        action="funds.approve",
        request=request,
    )


def spending_reject(*, by, spending: Spending, note: str, request=None) -> Spending:
    """Sent back with a reason: the amount returns to the allocation."""
    if not (note or "").strip():
        raise UserError(_("请说明退回原因。"), field="note")
    return _decide(
        by=by,
        spending=spending,
        status=Spending.Status.REJECTED,
        note=note,
        action="funds.reject",
        request=request,
    )
