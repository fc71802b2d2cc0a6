"""Every write of the points app. The ledger only grows: booking, reversing, approving manual
entries; balances follow each entry and can be rebuilt from the ledger (``rebuild_balances``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Min, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.registry import point_sources
from jiceng.party.models import Member
from jiceng.party.permissions import can_manage
from jiceng.points.models import ManualEntry, PointBalance, PointEntry, PointRule

# --- rules ------------------------------------------------------------------------------------

RULE_FIELDS = ("code", "name", "kind", "source", "points", "cap_day", "cap_month", "cap_year")


def validate_rule(
    *,
    kind: str,
    points: int,
    source: str = "",
    cap_day: int | None = None,
    cap_month: int | None = None,
    cap_year: int | None = None,
) -> None:
    """Refuse a rule whose numbers contradict each other (the admin form calls this too)."""
    if kind not in PointRule.Kind.values:
        raise UserError(_("未知的积分类型。"), field="kind")
    if points == 0:
        raise UserError(_("每次分值不能为 0。"), field="points")
    if kind == PointRule.Kind.DEDUCTION and points > 0:
        raise UserError(_("减分规则的分值应为负数。"), field="points")
    if kind != PointRule.Kind.DEDUCTION and points < 0:
        raise UserError(_("基础分和加分规则的分值应为正数。"), field="points")
    caps = [(_("每日上限"), cap_day), (_("每月上限"), cap_month), (_("每年上限"), cap_year)]
    for label, cap in caps:
        if cap is not None and cap <= 0:
            raise UserError(_("{cap}应大于 0；不设上限请留空。").format(cap=label), field="caps")
    set_caps = [(label, cap) for label, cap in caps if cap is not None]
    for (small_label, small), (big_label, big) in zip(set_caps, set_caps[1:], strict=False):
        if small > big:
            raise UserError(
                _("{small_cap}（{small}）不能大于{big_cap}（{big}）。").format(
                    small_cap=small_label, small=small, big_cap=big_label, big=big
                ),
                field="caps",
            )
    lowest = min((cap for _label, cap in set_caps), default=None)
    if lowest is not None and abs(points) > lowest:
        raise UserError(
            _("每次分值（{points}）超过了上限（{cap}），一次也记不满。").format(
                points=abs(points), cap=lowest
            ),
            field="points",
        )
    unknown = [s for s in source.split() if s not in point_sources()]
    if unknown:
        raise UserError(
            _("未声明的积分来源：{sources}。").format(sources="、".join(unknown)), field="source"
        )


@transaction.atomic
def rule_save(*, by, rule: PointRule | None = None, **fields: Any) -> PointRule:
    """Create or change a rule; contradictory caps are refused and nothing changes."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise UserError(_("未知字段：{fields}").format(fields=", ".join(sorted(unknown))))
    current = {f: getattr(rule, f) for f in RULE_FIELDS} if rule else {}
    merged = {**current, **fields}
    validate_rule(
        kind=merged.get("kind", ""),
        points=int(merged.get("points") or 0),
        source=merged.get("source") or "",
        cap_day=merged.get("cap_day"),
        cap_month=merged.get("cap_month"),
        cap_year=merged.get("cap_year"),
    )
    rule = rule or PointRule()
    for key, value in fields.items():
        setattr(rule, key, value)
    rule.save()
    audit(
        actor=by, action="points.rule_save", obj=rule, detail={k: str(v) for k, v in fields.items()}
    )
    return rule


# --- booking ----------------------------------------------------------------------------------


def _windows(at: datetime) -> dict[str, tuple[datetime, datetime]]:
    local = timezone.localtime(at)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    month = day.replace(day=1)
    year = month.replace(month=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    return {
        "day": (day, day + timedelta(days=1)),
        "month": (month, next_month),
        "year": (year, year.replace(year=year.year + 1)),
    }


def _capped(rule: PointRule, member_id: int, offered: int, at: datetime) -> int:
    """What the caps leave of ``offered`` (deductions are capped by their size)."""
    caps = rule.caps()
    if not caps:
        return offered
    allowed = abs(offered)
    for period, (start, end) in _windows(at).items():
        if period not in caps:
            continue
        used = (
            PointEntry.objects.filter(
                member_id=member_id, rule=rule, occurred_at__gte=start, occurred_at__lt=end
            ).aggregate(s=Sum("points"))["s"]
            or 0
        )
        allowed = min(allowed, max(0, caps[period] - abs(used)))
    return allowed if offered > 0 else -allowed


def _add_to_balance(entry: PointEntry) -> None:
    year = timezone.localtime(entry.occurred_at).year
    balance, _ = PointBalance.objects.get_or_create(
        member_id=entry.member_id,
        year=year,
        org_id=entry.org_id,
        defaults={"scope_code": entry.scope_code, "points": 0},
    )
    PointBalance.objects.filter(pk=balance.pk).update(points=F("points") + entry.points)


def _book(
    *,
    rule: PointRule,
    member: Member,
    offered: int,
    kind: str,
    source_key: str,
    occurred_at: datetime,
    by=None,
    approved_by=None,
    note: str = "",
) -> PointEntry | None:
    """Write one entry (the caps applied) and move the balance; None if the source already scored.

    The member's row is locked first, so two entries of one member never read the same cap.
    """
    Member.objects.select_for_update().filter(pk=member.pk).first()
    if PointEntry.objects.filter(rule=rule, source_key=source_key).exists():
        return None
    points = _capped(rule, member.pk, offered, occurred_at)
    try:
        with transaction.atomic():
            entry = PointEntry.objects.create(
                rule=rule,
                member=member,
                org_id=member.org_id,
                scope_code=member.scope_code,
                points=points,
                offered=offered,
                kind=kind,
                source_key=source_key,
                occurred_at=occurred_at,
                created_by=by if getattr(by, "is_authenticated", False) else None,
                approved_by=approved_by,
                note=note,
            )
    except IntegrityError:
        return None  # the same source, booked by a concurrent call
    _add_to_balance(entry)
    return entry


def _rules_for(source: str) -> list[PointRule]:
    rules = PointRule.objects.filter(is_active=True, source__contains=source)
    return [r for r in rules if source in r.source.split()]


def award(*, source: str, source_key: str, member: Member, occurred_at: datetime, by=None) -> int:
    """Book what the active rules give for ``source``; replaying the same source books nothing.
    Returns the points booked."""
    total = 0
    with transaction.atomic():
        for rule in _rules_for(source):
            entry = _book(
                rule=rule,
                member=member,
                offered=rule.points,
                kind=PointEntry.Kind.AUTO,
                source_key=source_key,
                occurred_at=occurred_at,
                by=by,
            )
            total += entry.points if entry else 0
    return total


def _reverse(entry: PointEntry, *, by, reason: str) -> PointEntry:
    reversal = PointEntry.objects.create(
        rule_id=entry.rule_id,
        member_id=entry.member_id,
        org_id=entry.org_id,
        scope_code=entry.scope_code,
        points=-entry.points,
        offered=-entry.offered,
        kind=PointEntry.Kind.REVERSAL,
        source_key=f"reversal:{entry.pk}",
        # Booked in the same period as the entry it reverses, so caps and years net out.
        occurred_at=entry.occurred_at,
        reverses=entry,
        note=reason[:200],
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _add_to_balance(reversal)
    return reversal


@transaction.atomic
def revoke(*, by, entry: PointEntry, reason: str) -> PointEntry:
    """Reverse one entry with a reversing entry (the ledger is never changed)."""
    if by is not None and not can_manage(by, entry):
        raise Forbidden(_("您无权冲销该积分。"))
    if not reason.strip():
        raise UserError(_("请填写冲销原因。"), field="reason")
    Member.objects.select_for_update().filter(pk=entry.member_id).first()
    if entry.kind == PointEntry.Kind.REVERSAL:
        raise UserError(_("冲销记录不能再冲销。"))
    if PointEntry.objects.filter(reverses=entry).exists():
        raise UserError(_("该积分已冲销。"))
    reversal = _reverse(entry, by=by, reason=reason)
    audit(actor=by, action="points.revoke", obj=entry, detail={"reason": reason})
    return reversal


@transaction.atomic
def revoke_source(*, source_key: str, by, reason: str) -> int:
    """Reverse every entry a source booked (a check-in found invalid); returns the points taken."""
    taken = 0
    entries = PointEntry.objects.filter(source_key=source_key).exclude(kind="reversal")
    for entry in entries:
        if not PointEntry.objects.filter(reverses=entry).exists():
            taken += _reverse(entry, by=by, reason=reason).points
    return taken


# --- manual entries (four eyes) ---------------------------------------------------------------


@transaction.atomic
def manual_request(
    *,
    by,
    member: Member,
    rule: PointRule,
    points: int,
    reason: str,
    occurred_at: datetime | None = None,
) -> ManualEntry:
    """Propose a manual award or deduction with its reason; a second person approves it."""
    if not can_manage(by, member):
        raise Forbidden(_("您无权为该党员录入积分。"))
    if not reason.strip():
        raise UserError(_("手工积分须填写理由。"), field="reason")
    if rule.source:
        raise UserError(_("该规则自动计分，不能手工录入。"), field="rule")
    if not rule.is_active:
        raise UserError(_("该规则已停用。"), field="rule")
    if points == 0 or (points > 0) != (rule.points > 0):
        raise UserError(_("减分规则的分值应为负数，加分规则的分值应为正数。"), field="points")
    request = ManualEntry.objects.create(
        rule=rule,
        member=member,
        points=points,
        reason=reason.strip(),
        occurred_at=occurred_at or timezone.now(),
        created_by=by,
        scope_code=member.scope_code,
    )
    audit(actor=by, action="points.manual_request", obj=request)
    return request


@transaction.atomic
def manual_decide(*, by, request: ManualEntry, approve: bool, note: str = "") -> ManualEntry:
    """A second person approves (the entry is booked) or rejects a manual entry."""
    request = ManualEntry.objects.select_for_update().get(pk=request.pk)
    if not can_manage(by, request):
        raise Forbidden(_("您无权审核该积分。"))
    if request.created_by_id == by.pk:
        raise Forbidden(_("手工积分须由录入人以外的另一人审核。"))
    if request.status != ManualEntry.Status.PENDING:
        raise UserError(_("该手工积分已审核过。"))
    if not approve and not note.strip():
        raise UserError(_("驳回时请说明理由。"), field="note")
    request.status = "approved" if approve else "rejected"
    request.decided_by, request.decided_at = by, timezone.now()
    if approve:
        member = Member.objects.get(pk=request.member_id)
        request.entry = _book(
            rule=request.rule,
            member=member,
            offered=request.points,
            kind=PointEntry.Kind.MANUAL,
            source_key=f"manual:{request.pk}",
            occurred_at=request.occurred_at,
            by=request.created_by,
            approved_by=by,
            note=request.reason,
        )
    request.save()
    audit(
        actor=by,
        action="points.manual_approve" if approve else "points.manual_reject",
        obj=request,
        detail={"note": note},
    )
    return request


# --- rebuilding -------------------------------------------------------------------------------


def derived_balances() -> dict[tuple[int, int, int], tuple[int, str]]:
    """(member, year, org) -> (points, scope) summed from the ledger."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT member_id, EXTRACT(YEAR FROM occurred_at AT TIME ZONE %s)::int, org_id,"
                " MIN(scope_code), SUM(points) FROM points_pointentry GROUP BY 1, 2, 3",
                [timezone.get_current_timezone_name()],
            )
            return {(m, y, o): (int(p), s) for m, y, o, s, p in cursor.fetchall()}
    rows = (
        PointEntry.objects.annotate(year=ExtractYear("occurred_at"))
        .values("member_id", "year", "org_id")
        .annotate(total=Sum("points"), scope=Min("scope_code"))
        .order_by()
    )
    return {(r["member_id"], r["year"], r["org_id"]): (r["total"], r["scope"]) for r in rows}


def rebuild_balances(*, by=None, fix: bool = True) -> dict[str, int]:
    """Sum the ledger again and compare with the kept balances; with ``fix`` write the sums.
    Returns how many balances were checked and how many differed."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE points_pointentry IN SHARE MODE")
                # The planner cannot tell that (member, year, org) makes only one group per
                # member a year; with the default 4 MB it fears a spilling hash and walks the
                # member index instead: 80 s instead of 8 s over 10 million entries.
                cursor.execute("SET LOCAL work_mem = '256MB'")
        derived = derived_balances()
        kept = {
            (b["member_id"], b["year"], b["org_id"]): b["points"]
            for b in PointBalance.objects.values("member_id", "year", "org_id", "points")
        }
        differing = sum(
            1
            for key in derived.keys() | kept.keys()
            if derived.get(key, (0, ""))[0] != kept.get(key, 0)
        )
        if fix and differing:
            PointBalance.objects.all().delete()
            PointBalance.objects.bulk_create(
                (
                    PointBalance(member_id=m, year=y, org_id=o, points=p, scope_code=s)
                    for (m, y, o), (p, s) in derived.items()
                ),
                batch_size=5000,
            )
        audit(
            actor=by,
            action="points.rebuild",
            detail={"balances": len(derived), "differing": differing, "fixed": fix},
        )
    return {"balances": len(derived), "differing": differing}


# The hook the apps' services call (see jiceng/core/registry.py, point sources).


class LedgerReceiver:
    def earned(self, *, source, source_key, member, occurred_at, by) -> int:
        return award(
            source=source, source_key=source_key, member=member, occurred_at=occurred_at, by=by
        )

    def revoked(self, *, source_key, by, reason) -> int:
        return revoke_source(source_key=source_key, by=by, reason=reason)


RECEIVER = LedgerReceiver()


def get_entry(*, pk: int) -> PointEntry:
    entry = PointEntry.objects.filter(pk=pk).first()
    if entry is None:
        raise NotFound(_("积分流水不存在。"))
    return entry
