"""Every write of the venues app: keyword-only functions, one transaction each, audited.

Venues and their closures are here; opening hours in hours.py, bookings (and their state
machine) in bookings.py, whose services this module also offers to its callers.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import personal
from jiceng.core.audit import audit, entry
from jiceng.core.bulk import audit_many
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.personal import normalize_mobile
from jiceng.core.scope import at_most, covers
from jiceng.venues.bookings import (  # noqa: F401 (the app's services, one import for callers)
    MAX_REPEAT_WEEKS,
    MOBILE,
    OVERLAP_MESSAGE,
    _cancel,
    booking_approve,
    booking_cancel,
    booking_create,
    booking_create_series,
    booking_decline,
    managers_of,
)
from jiceng.venues.hours import (  # noqa: F401
    MIN_MINUTES,
    check_slot,
    closed_reason,
    is_statutory_holiday,
    parse_week,
)
from jiceng.venues.models import Booking, Closure, OpeningWindow, Venue
from jiceng.venues.permissions import can_create_in, can_manage, can_reveal_contact

# A venue may give an office's fixed line: area code, then 7 or 8 digits.
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def venue_fields(
    *, name: str, address: str, capacity: Any, contact_phone: str, max_days_ahead: Any
) -> dict[str, Any]:
    """A venue's fields checked (UserError naming the field otherwise): the one check of the
    venue form, the venue API and the going-live workbook's venue sheet."""
    if not (name or "").strip():
        raise UserError(_("请填写场地名称。"), field="name")
    if not (address or "").strip():
        raise UserError(_("请填写场地地址。"), field="address")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        capacity = 0
    if capacity < 1:
        raise UserError(_("容纳人数应为正整数。"), field="capacity")
    try:
        max_days_ahead = int(max_days_ahead)
    except (TypeError, ValueError):
        max_days_ahead = 0
    if not 1 <= max_days_ahead <= 365:
        raise UserError(_("最多提前预约天数应在 1 至 365 之间。"), field="max_days_ahead")
    phone = _venue_phone(contact_phone)
    return {
        "name": name.strip(),
        "address": address.strip(),
        "capacity": capacity,
        "contact_phone": phone,
        "max_days_ahead": max_days_ahead,
    }


def _venue_phone(value: str) -> str | None:
    """A mobile (11 digits) or a fixed line (0701-6221234); None for none."""
    phone = normalize_mobile(value)
    if not phone:
        return None
    if not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise UserError(
            _("联系电话应为 11 位手机号码或带区号的固定电话（如 0701-6221234）。"),
            field="contact_phone",
        )
    return phone


@transaction.atomic
def venue_create(
    *,
    by,
    division,
    name: str,
    address: str,
    capacity: int,
    windows: dict[int, str],
    kind: str = Venue.Kind.ACTIVITY_ROOM,
    owner_partner=None,
    facilities: str = "",
    description: str = "",
    contact_phone: str = "",
    approval_required: bool = True,
    residents_only: bool = False,
    closed_on_holidays: bool = True,
    max_days_ahead: int = 30,
    request=None,
) -> Venue:
    """List a room of a community or a partner unit with its weekly opening windows."""
    if division.level not in ("community", "grid"):
        raise UserError(_("场地应设在社区或网格。"), field="division")
    if not can_create_in(by, division, owner_partner):
        raise Forbidden(_("您无权在该区划登记场地。"))
    if owner_partner is not None and not covers(
        [at_most(owner_partner.scope_code, "street")], division.code
    ):
        raise UserError(_("共建单位的场地应在该单位所在街道之内。"), field="division")
    if kind not in Venue.Kind.values:
        raise UserError(_("未知的场地类型。"), field="kind")
    fields = venue_fields(
        name=name,
        address=address,
        capacity=capacity,
        contact_phone=contact_phone,
        max_days_ahead=max_days_ahead,
    )
    parsed = parse_week(windows)
    if not parsed:
        raise UserError(_("请至少填写一个开放时段。"), field="windows")
    if Venue.objects.filter(scope_code=division.code, name=fields["name"]).exists():
        raise UserError(_("同一区划内已有同名场地。"), field="name")
    venue = Venue.objects.create(
        division=division,
        kind=kind,
        owner_partner=owner_partner,
        facilities=facilities.strip(),
        description=description.strip(),
        approval_required=approval_required,
        residents_only=residents_only,
        closed_on_holidays=closed_on_holidays,
        **fields,
    )
    OpeningWindow.objects.bulk_create(
        OpeningWindow(venue=venue, weekday=d, starts=s, ends=e) for d, s, e in parsed
    )
    audit(actor=by, action="venue.create", obj=venue, request=request)
    return venue


def owner_in_street(owner_scope: str, division_code: str) -> bool:
    """A partner's venue lies in the partner's street (venue_create's rule)."""
    return covers([at_most(owner_scope, "street")], division_code)


# What an imported row sets on a venue it finds again (by its place and name).
VENUE_IMPORT_FIELDS = ("kind", "address", "capacity", "approval_required", "owner_partner_id")


@transaction.atomic
def venues_import(*, by, rows: list[dict], note: str = "") -> tuple[int, int, int]:
    """Many venues at once, as a district's going-live workbook brings them; returns (created,
    updated, unchanged). Each row: ``division_id``, ``scope_code``, the fields ``venue_fields``
    returned, ``kind``, ``owner_partner_id`` (and the owner's ``owner_scope``), and ``windows``
    as ``parse_week`` returned them. The rules are ``venue_create``'s (a community or a grid, a
    partner's venue in its street, a known kind, at least one window); a venue with the same
    place and name is updated like ``venue_update`` does; each venue created or changed gets
    the page's audit entry (``venue.create``, ``venue.update``), written in bulk. The caller
    has checked that ``by`` imports for the district."""
    for row in rows:
        if row["kind"] not in Venue.Kind.values:
            raise UserError(_("未知的场地类型。"), field="kind")
        if not row["windows"]:
            raise UserError(_("请至少填写一个开放时段。"), field="windows")
        if row.get("owner_scope") and not owner_in_street(row["owner_scope"], row["scope_code"]):
            raise UserError(_("共建单位的场地应在该单位所在街道之内。"), field="division")
    known = {}
    for old in Venue.objects.filter(scope_code__in={r["scope_code"] for r in rows}).values(
        "pk", "scope_code", "name", *VENUE_IMPORT_FIELDS
    ):
        known[(old["scope_code"], old["name"])] = old
    windows: dict[int, list] = {}
    for w in OpeningWindow.objects.filter(venue_id__in=[o["pk"] for o in known.values()]):
        windows.setdefault(w.venue_id, []).append((w.weekday, w.starts, w.ends))
    created = updated = unchanged = 0
    entries = []
    for row in rows:
        old = known.get((row["scope_code"], row["name"]))
        values = {f: row[f] for f in VENUE_IMPORT_FIELDS}
        if old is not None:
            before = sorted(windows.get(old["pk"], []))
            if all(old[f] == values[f] for f in values) and before == sorted(row["windows"]):
                unchanged += 1
                continue
            Venue.objects.filter(pk=old["pk"]).update(updated_at=timezone.now(), **values)
            OpeningWindow.objects.filter(venue_id=old["pk"]).delete()
            venue = Venue(pk=old["pk"], name=row["name"], scope_code=row["scope_code"])
            detail = {
                "before": {"capacity": old["capacity"], "windows": [str(w) for w in before]},
                "via": note,
            }
            entries.append(entry(actor=by, action="venue.update", obj=venue, detail=detail))
            updated += 1
        else:
            venue = Venue.objects.create(
                name=row["name"], division_id=row["division_id"], scope_code=row["scope_code"],
                contact_phone=row["contact_phone"], max_days_ahead=row["max_days_ahead"],
                **values,
            )  # fmt: skip
            entries.append(entry(actor=by, action="venue.create", obj=venue, detail={"via": note}))
            created += 1
        OpeningWindow.objects.bulk_create(
            OpeningWindow(venue_id=venue.pk, weekday=d, starts=s, ends=e)
            for d, s, e in row["windows"]
        )
    audit_many(entries)
    return created, updated, unchanged


@transaction.atomic
def venue_update(
    *,
    by,
    venue: Venue,
    name: str,
    address: str,
    capacity: int,
    windows: dict[int, str],
    kind: str,
    facilities: str = "",
    description: str = "",
    contact_phone: str = "",
    approval_required: bool = True,
    residents_only: bool = False,
    closed_on_holidays: bool = True,
    max_days_ahead: int = 30,
    is_active: bool = True,
    request=None,
) -> Venue:
    """Change a venue and its windows; bookings already approved stay as they are."""
    if not can_manage(by, venue):
        raise Forbidden(_("只有场地的管理方可以修改场地。"))
    if kind not in Venue.Kind.values:
        raise UserError(_("未知的场地类型。"), field="kind")
    if venue.contact_phone and (contact_phone or "").strip() == venue.contact_phone_masked:
        contact_phone = venue.contact_phone  # the form shows it masked: unchanged
    fields = venue_fields(
        name=name,
        address=address,
        capacity=capacity,
        contact_phone=contact_phone,
        max_days_ahead=max_days_ahead,
    )
    parsed = parse_week(windows)
    if not parsed:
        raise UserError(_("请至少填写一个开放时段。"), field="windows")
    if (
        Venue.objects.filter(scope_code=venue.scope_code, name=fields["name"])
        .exclude(pk=venue.pk)
        .exists()
    ):
        raise UserError(_("同一区划内已有同名场地。"), field="name")
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    before = {"capacity": venue.capacity, "windows": [str(w) for w in venue.windows.all()]}
    for key, value in fields.items():
        setattr(venue, key, value)
    venue.kind = kind
    venue.facilities = facilities.strip()
    venue.description = description.strip()
    venue.approval_required = approval_required
    venue.residents_only = residents_only
    venue.closed_on_holidays = closed_on_holidays
    venue.is_active = is_active
    venue.save()
    venue.windows.all().delete()
    OpeningWindow.objects.bulk_create(
        OpeningWindow(venue=venue, weekday=d, starts=s, ends=e) for d, s, e in parsed
    )
    audit(
        actor=by,
        action="venue.update",
        obj=venue,
        request=request,
        detail={"before": before, "windows": [str(w) for w in venue.windows.all()]},
    )
    return venue


@transaction.atomic
def closure_add(
    *, by, venue: Venue, starts_on: date, ends_on: date, reason: str, request=None
) -> tuple[Closure, int]:
    """Close the venue for some days; bookings in those days are cancelled and their bookers
    told. Returns the closure and how many bookings it cancelled."""
    if not can_manage(by, venue):
        raise Forbidden(_("只有场地的管理方可以安排闭馆。"))
    if not (reason or "").strip():
        raise UserError(_("请填写闭馆原因。"), field="reason")
    if ends_on < starts_on:
        raise UserError(_("结束日期不能早于起始日期。"), field="ends_on")
    if ends_on - starts_on > timedelta(days=366):
        raise UserError(_("一次闭馆安排不超过一年。"), field="ends_on")
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    closure = Closure.objects.create(
        venue=venue, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()
    )
    tz = timezone.get_current_timezone()
    start = datetime.combine(starts_on, time.min, tzinfo=tz)
    end = datetime.combine(ends_on + timedelta(days=1), time.min, tzinfo=tz)
    hit = list(
        Booking.objects.select_for_update()
        .filter(venue=venue, status__in=[Booking.Status.PENDING, Booking.Status.APPROVED])
        .overlapping(max(start, timezone.now()), end)
        .select_related("booker")
    )
    note = f"场地闭馆：{closure.reason}"
    for booking in hit:
        _cancel(booking, by=by, reason=note, request=request)
    audit(
        actor=by,
        action="venue.closure",
        obj=venue,
        request=request,
        detail={
            "from": str(starts_on),
            "to": str(ends_on),
            "reason": closure.reason,
            "cancelled": len(hit),
        },
    )
    return closure, len(hit)


# --- personal data ----------------------------------------------------------------------------


def reveal_contact(*, by, obj: Venue | Booking, reason: str, request=None) -> str:
    """A venue's or a booking's contact phone shown whole, as the register shows a person's:
    needs the permission and a reason, and is audited."""
    if not can_reveal_contact(by, obj):
        raise Forbidden(_("您没有查看完整个人信息的权限。"))
    if not obj.contact_phone:
        raise UserError(_("没有留联系电话。"))
    kind = "venue" if isinstance(obj, Venue) else "venue.booking"
    return personal.reveal(
        by=by,
        obj=obj,
        field="contact_phone",
        value=obj.contact_phone,
        reason=reason,
        action=f"{kind}.reveal_contact",
        request=request,
    )
