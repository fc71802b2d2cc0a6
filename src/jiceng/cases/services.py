"""Every write on a case: reporting here, and one service per transition of the loop in
transitions.py (offered here too, so that callers import one module); the Open311 keys.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.accounts.roles import Role
from jiceng.cases.escalation import possible_duplicates
from jiceng.cases.models import (
    OPEN311_HASH_KIND,
    Case,
    CaseCategory,
    CaseEvent,
    CasePhoto,
    CaseTally,
    Open311Key,
    StreetDefaultUnit,
    active_categories,
)
from jiceng.cases.permissions import (
    UNIT_UNAVAILABLE,
    can_reveal_contact,
    editable_streets,
    nameable_grids,
    street_units,
    visible_cases,
)
from jiceng.cases.transitions import (  # noqa: F401 (the loop's services, one import for callers)
    MACHINE,
    SIMPLE_ACTIONS,
    _limits,
    _resolve,
    _save_photos,
    _transition,
    case_accept,
    case_act,
    case_dispatch,
    case_file,
    case_guide,
    case_merge,
    case_rate,
    case_reject,
    case_report_back,
    case_return,
    case_review,
    case_start,
    case_triage,
    case_verify,
)
from jiceng.cases.workflow import Status, Triage
from jiceng.core import personal
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.fields import lookup_hash, lookup_hashes
from jiceng.core.numbers import next_value
from jiceng.core.personal import validate_mobile
from jiceng.core.photos import prepare_photos
from jiceng.core.scope import district_of
from jiceng.geo.lookup import locate_or_error, parse_point
from jiceng.partners.models import Partner
from jiceng.registry.selectors import locate_address

MAX_TEXT = 2000
MAX_ADDRESS = 200


def _text(value: str, what: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise UserError(_("请填写{what}。").format(what=what), field="description")
    if len(value) > MAX_TEXT:
        raise UserError(
            _("{what}不能超过 {most} 字（现有 {n} 字）。").format(
                what=what, most=MAX_TEXT, n=len(value)
            ),
            field="description",
        )
    return value


def reporter_grid(user: User) -> str | None:
    codes = user.scopes_for(Role.RESIDENT, Role.GRID_WORKER, Role.GRID_CHIEF)
    return next((c for c in codes if len(c) == 15), None)


def resolve_category(category: CaseCategory | str | None) -> CaseCategory:
    """An active category, from itself or its code, or a clear error."""
    if category is None or category == "":
        raise UserError(_("请选择问题类别。"), field="category")
    if not isinstance(category, CaseCategory):
        found = active_categories.get().get(str(category))
        if found is None:
            raise UserError(_("未知的问题类别：{code}").format(code=category), field="category")
        return found
    if not category.is_active:
        raise UserError(_("该问题类别已停用。"), field="category")
    return category


def resolve_place(
    by: User, lon: Any, lat: Any, grid: str | None = None, address: str = ""
) -> tuple[float | None, float | None, str]:
    """Where the problem is, most precise first: a point (the phone's position or a pin on
    the map) and the grid it falls in; a grid the reporter chose; the building the typed
    address names in the register, with its grid and point; the reporter's own grid."""
    if lon not in (None, "") or lat not in (None, ""):
        try:
            x, y = parse_point(lon, lat)
            return x, y, locate_or_error(x, y)
        except UserError as exc:  # geo's messages, in the reporter's language
            raise UserError(_(exc.message), field=exc.field) from exc
    if grid:
        return None, None, _chosen_grid(by, grid)
    own = reporter_grid(by)
    if address:
        match = locate_address(address, within=district_of(own))
        if match is not None:
            return match.lon, match.lat, match.grid_code
    if own is None:
        raise UserError(_("请在地图上标出问题位置，或选择所在网格。"), field="location")
    return None, None, own


def _chosen_grid(by: User, code: Any) -> str:
    """A grid the reporter named: one of ``permissions.nameable_grids``."""
    message = _("所选网格不存在，请重新选择。")
    return _resolve(nameable_grids(by), message, "grid", code=str(code).strip()).code


def report_duplicates(
    *,
    by: User,
    category: Any,
    lon: Any = None,
    lat: Any = None,
    grid: str | None = None,
    address: str = "",
) -> list[Case]:
    """Open cases the new report probably repeats (same category, grid, 50 m, 7 days), as the
    reporter may be shown them: of a private category only those they see anyway."""
    x, y, grid = resolve_place(by, lon, lat, grid, address)
    category = resolve_category(category)
    found = possible_duplicates(category=category, grid=grid, lon=x, lat=y)
    if category.default_triage != Triage.PRIVATE or not found:
        return found
    seen = set(visible_cases(by).filter(pk__in=[c.pk for c in found]).values_list("pk", flat=True))
    return [c for c in found if c.pk in seen]


def case_report(
    *,
    by: User,
    category: CaseCategory | str | None,
    description: str,
    lon: Any = None,
    lat: Any = None,
    grid: str | None = None,
    address: str = "",
    is_anonymous: bool = False,
    contact_phone: str = "",
    source: str | None = None,
    photos: list[Any] | None = None,
    client_token: str | None = None,
    request: Any = None,
) -> Case:
    """A resident or a grid worker reports a problem; it gets a number at once.

    ``client_token`` makes a replayed form return the case it already made.
    """
    if client_token:
        already = Case.objects.filter(client_token=client_token, reporter=by).first()
        if already is not None:
            return already
    category = resolve_category(category)
    description = _text(description, _("问题描述"))
    address = (address or "").strip()
    if len(address) > MAX_ADDRESS:
        raise UserError(
            _("地址不能超过 {most} 字（现有 {n} 字）。").format(most=MAX_ADDRESS, n=len(address)),
            field="address",
        )
    contact_phone = validate_mobile(contact_phone) if (contact_phone or "").strip() else None
    x, y, grid = resolve_place(by, lon, lat, grid, address)
    prepared = prepare_photos(photos or [])
    if source is None:
        source = (
            Case.Source.PATROL
            if by.has_role(Role.GRID_WORKER, Role.GRID_CHIEF)
            else Case.Source.RESIDENT
        )
    # One transaction for the case and everything written with it: nothing half-made. The
    # checks above read only, outside it.
    try:
        with transaction.atomic():
            return _create_report(
                by=by,
                category=category,
                description=description,
                source=source,
                is_anonymous=is_anonymous,
                contact_phone=contact_phone,
                place=(x, y, grid),
                address=address,
                prepared=prepared,
                client_token=client_token or None,
                request=request,
            )
    except IntegrityError:
        # The same form sent twice at the same moment: the other one made the case.
        if client_token:
            already = Case.objects.filter(client_token=client_token, reporter=by).first()
            if already is not None:
                return already
        raise


def _create_report(
    *,
    by: User,
    category: CaseCategory,
    description: str,
    source: str,
    is_anonymous: bool,
    contact_phone: str | None,
    place: tuple[float | None, float | None, str],
    address: str,
    prepared: list,
    client_token: str | None,
    request: Any,
) -> Case:
    x, y, grid = place
    now = timezone.now()
    number = f"{timezone.localdate(now):%Y%m%d}{next_value(f'case:{timezone.localdate(now)}'):05d}"
    case = Case.objects.create(
        number=number,
        category=category,
        description=description,
        source=source,
        reporter=by,
        is_anonymous=is_anonymous,
        contact_phone=contact_phone,
        lon=x,
        lat=y,
        address=address,
        scope_code=grid,
        stage_started_at=now,
        client_token=client_token,
        **_limits(category, Status.REPORTED, now),
    )
    _save_photos(case, prepared, CasePhoto.Kind.REPORT, by)
    event = CaseEvent.objects.create(
        case=case,
        at=now,
        actor=by,
        action="report",
        from_status="",
        to_status=Status.REPORTED,
        deadline_at=case.deadline_at,
    )
    # Its whole history so far, for whoever shows the new case (no second read).
    history = CaseEvent.objects.filter(case=case)
    history._result_cache, history._prefetch_done = [event], True
    case._prefetched_objects_cache = {"events": history}
    CaseTally.objects.create(
        case=case, scope_code=grid, reported_at=case.created_at, status=case.status
    )
    audit(actor=by, action="case.report", obj=case, request=request)
    return case


def reveal_contact(*, by: User, case: Case, reason: str, request: Any = None) -> str:
    """The whole follow-up number, for staff who will call the reporter back; the reason and the
    reading are audited."""
    if not can_reveal_contact(by, case):
        raise Forbidden(_("您无权查看回访电话。"))
    if not case.contact_phone:
        raise UserError(_("该案件没有留回访电话。"))
    return personal.reveal(
        by=by,
        obj=case,
        field="contact_phone",
        value=case.contact_phone,
        reason=reason,
        action="case.reveal_contact",
        request=request,
    )


def open311_key_create(
    *, name: str, account: User, by: User | None, request: Any = None
) -> tuple[Open311Key, str]:
    """A new Open311 api_key for ``account``: returns the row and the key itself, which is shown
    this once and never kept (only its HMAC is)."""
    name = (name or "").strip()
    if not name:
        raise UserError(_("请填写密钥名称。"), field="name")
    if len(name) > 64:
        raise UserError(_("密钥名称不能超过 64 字。"), field="name")
    value = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = Open311Key.objects.create(
            name=name,
            key_hash=lookup_hash(OPEN311_HASH_KIND, value),
            hint=value[-4:],
            account=account,
        )
        audit(
            actor=by,
            action="case.open311_key_create",
            obj=key,
            request=request,
            detail={"name": name, "account": account.pk},
        )
    return key, value


def open311_key_for(value: Any) -> Open311Key | None:
    """The active key a client sent, found by its HMAC (current or fallback hash key); one found
    under a fallback key is re-hashed under the current key, so that a hash-key rotation
    carries the keys in use across."""
    if not value or not isinstance(value, str):
        return None
    hashes = lookup_hashes(OPEN311_HASH_KIND, value)
    key = (
        Open311Key.objects.filter(key_hash__in=hashes, is_active=True)
        .select_related("account")
        .first()
    )
    if key is not None and key.key_hash != hashes[0]:
        Open311Key.objects.filter(pk=key.pk).update(key_hash=hashes[0])
        key.key_hash = hashes[0]
    return key


def street_defaults_save(
    *,
    street: Any,
    units: dict[CaseCategory, Partner | None],
    by: User,
    request: Any = None,
) -> int:
    """Set a street's default handling unit per category (None clears it; the category's
    district-wide default then applies). Each unit must be one the street may name; one audit
    entry per change. Returns how many changed."""
    if street not in editable_streets(by):
        raise Forbidden(_("您不能设置该街道的默认处置单位。"))
    allowed = set(street_units(street).values_list("pk", flat=True))
    for unit in units.values():
        if unit is not None and unit.pk not in allowed:
            raise UserError(UNIT_UNAVAILABLE)
    current = {row.category_id: row for row in StreetDefaultUnit.objects.filter(street=street)}
    changed = 0
    with transaction.atomic():
        for category, unit in units.items():
            row = current.get(category.pk)
            before = row.unit_id if row else None
            after = unit.pk if unit else None
            if before == after:
                continue
            if unit is None:
                row.delete()  # the audit entry keeps what it was
            elif row is None:
                row = StreetDefaultUnit.objects.create(category=category, street=street, unit=unit)
            else:
                row.unit = unit
                row.save(update_fields=["unit", "updated_at"])
            audit(
                actor=by,
                action="case.default_unit",
                scope_code=street.code,
                request=request,
                detail={"category": category.code, "from": before, "to": after},
            )
            changed += 1
    return changed
