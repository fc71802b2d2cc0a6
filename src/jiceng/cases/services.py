"""Every write on a case: reporting and one service per transition of the loop.

Each runs in one transaction, locks the case row (two staff acting at once cannot both win),
checks the stage and the actor, writes one CaseEvent and one audit entry.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.accounts.roles import Role
from jiceng.cases import tally, workflow
from jiceng.cases.escalation import after_transition, possible_duplicates
from jiceng.cases.models import (
    OPEN311_HASH_KIND,
    Case,
    CaseCategory,
    CaseEvent,
    CasePhoto,
    CaseTally,
    Open311Key,
    active_categories,
)
from jiceng.cases.permissions import (
    NO_MERGE_TARGET,
    UNIT_UNAVAILABLE,
    can_act,
    can_reveal_contact,
    dispatchable_units,
    nameable_grids,
    visible_cases,
)
from jiceng.cases.workflow import Status, Triage
from jiceng.core import personal
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.fields import lookup_hash, lookup_hashes
from jiceng.core.numbers import next_value
from jiceng.core.personal import validate_mobile
from jiceng.core.photos import prepare_photos
from jiceng.core.scope import visible_or_404
from jiceng.core.workdays import WorkingCalendar
from jiceng.geo.lookup import locate_or_error, parse_point
from jiceng.partners.models import Partner
from jiceng.registry.selectors import locate_address

MAX_TEXT = 2000
MAX_ADDRESS = 200


WARN_SHARE = 0.8  # the inbox warns when this share of a stage's time is used


def _limits(category: CaseCategory, status: str, start: datetime) -> dict[str, datetime | None]:
    """The stage's deadline and its warning moment, in working hours from ``start``."""
    field = workflow.STAGE_LIMIT.get(status)
    if field is None:
        return {"deadline_at": None, "warn_at": None}
    hours = float(getattr(category, field))
    calendar = WorkingCalendar.load()
    return {
        "deadline_at": calendar.add_working_hours(start, hours),
        "warn_at": calendar.add_working_hours(start, hours * WARN_SHARE),
    }


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
        match = locate_address(address, within=own[:6] if own else "")
        if match is not None:
            return match.lon, match.lat, match.grid_code
    if own is None:
        raise UserError(_("请在地图上标出问题位置，或选择所在网格。"), field="location")
    return None, None, own


def _resolve(queryset, message: str, field: str, **lookup: Any):
    """The object a form or a JSON body names, from what the actor may use; missing, outside
    and malformed all read as ``message`` on the field (400), never telling which."""
    try:
        return visible_or_404(queryset, message=message, **lookup)
    except NotFound as exc:
        raise UserError(exc.message, field=field) from None


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


def _transition(
    *,
    case: Case,
    action: str,
    by: User,
    note: str = "",
    expected_version: int | None = None,
    target: str | None = None,
    request: Any = None,
    **changes: Any,
) -> Case:
    t = workflow.TRANSITIONS[action]
    note = _text(note, _("说明"), required=t.note_required)
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("category").get(pk=case.pk)
        if expected_version is not None and locked.version != expected_version:
            raise UserError(_("该案件刚被他人处理过，请刷新后再操作。"), status=409)
        if locked.status not in t.sources:
            raise UserError(
                _("案件当前为“{stage}”，不能{action}。").format(
                    stage=Status(locked.status).label, action=t.label
                ),
                status=409,
            )
        if not can_act(by, action, locked):
            raise Forbidden(_("您不能对此案件{action}。").format(action=t.label))
        now = timezone.now()
        previous = locked.status
        stage_started = locked.stage_started_at
        on_time = None if locked.deadline_at is None else now <= locked.deadline_at
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.status = target or t.target
        locked.stage_started_at = now
        locked.alerted = ""
        for field, value in _limits(locked.category, locked.status, now).items():
            setattr(locked, field, value)
        if locked.status in (Status.CLOSED, Status.REJECTED) and locked.closed_at is None:
            locked.closed_at = now
        locked.version += 1
        locked.save()
        CaseEvent.objects.create(
            case=locked,
            at=now,
            actor=by,
            action=action,
            from_status=previous,
            to_status=locked.status,
            note=note,
            handler=locked.handler,
            deadline_at=locked.deadline_at,
            on_time=on_time,
            span_hours=(now - stage_started).total_seconds() / 3600,
        )
        tally.refresh(locked)
        audit(
            actor=by,
            action=f"case.{action}",
            obj=locked,
            request=request,
            detail={"from": previous, "to": locked.status},
        )
        after_transition(locked, action, by)
    return locked


def case_file(*, case: Case, by: User, note: str = "", **kw: Any) -> Case:
    """Accept a reported case as a case (立案)."""
    return _transition(case=case, action="file", by=by, note=note, **kw)


def case_reject(*, case: Case, by: User, note: str, **kw: Any) -> Case:
    """Refuse to file a report, with the reason the reporter will read."""
    return _transition(case=case, action="reject", by=by, note=note, **kw)


def case_triage(*, case: Case, by: User, triage: str, note: str = "", **kw: Any) -> Case:
    """Three-way triage: major waits for the street's dispatch, minor the community
    coordinates, private gets guidance for self-help."""
    if triage not in Triage.values:
        raise UserError(_("请选择分流方式：大事、小事或私事。"), field="triage")
    target = {
        Triage.MAJOR: Status.FILED,
        Triage.MINOR: Status.COORDINATING,
        Triage.PRIVATE: Status.SELF_HELP,
    }[triage]
    return _transition(
        case=case, action="triage", by=by, note=note, target=target, triage=triage, **kw
    )


def case_dispatch(
    *, case: Case, by: User, to_unit: Partner | None, note: str = "", **kw: Any
) -> Case:
    """The street sends a major case to a department or partner unit."""
    if case.triage != Triage.MAJOR:
        raise UserError(_("只有分流为“大事”的案件才能派遣。"), status=409)
    if to_unit is None:
        raise UserError(_("请选择处置单位。"), field="to_unit")
    if not dispatchable_units(case).filter(pk=to_unit.pk).exists():
        raise UserError(UNIT_UNAVAILABLE, field="to_unit")
    return _transition(case=case, action="dispatch", by=by, note=note, handler=to_unit, **kw)


def case_accept(*, case: Case, by: User, note: str = "", **kw: Any) -> Case:
    """The handler takes the dispatched case."""
    return _transition(case=case, action="accept", by=by, note=note, **kw)


def case_return(*, case: Case, by: User, note: str, **kw: Any) -> Case:
    """The handler sends a dispatch back, with its reason (not ours, wrong category...)."""
    return _transition(case=case, action="return", by=by, note=note, handler=None, **kw)


def case_start(*, case: Case, by: User, note: str = "", **kw: Any) -> Case:
    """The community starts coordinating a minor matter itself."""
    return _transition(case=case, action="start", by=by, note=note, **kw)


def case_report_back(
    *, case: Case, by: User, note: str, photos: list[Any] | None = None, **kw: Any
) -> Case:
    """The handler reports the result (反馈), with photos of the work."""
    prepared = prepare_photos(photos or [])
    with transaction.atomic():
        case = _transition(case=case, action="report_back", by=by, note=note, **kw)
        _save_photos(case, prepared, CasePhoto.Kind.RESULT, by)
    return case


def _save_photos(case: Case, prepared: list, kind: str, by: User) -> None:
    for content in prepared:
        photo = CasePhoto(case=case, kind=kind, uploaded_by=by)
        photo.image.save(content.name, content, save=False)
        photo.save()


def case_verify(*, case: Case, by: User, ok: bool, note: str = "", **kw: Any) -> Case:
    """Verification: ok closes the case; a failure sends it back as rework, counted."""
    if ok:
        return _transition(case=case, action="verify_ok", by=by, note=note, **kw)
    return _transition(
        case=case, action="verify_fail", by=by, note=note, rework_count=case.rework_count + 1, **kw
    )


def case_guide(*, case: Case, by: User, note: str, **kw: Any) -> Case:
    """Answer a private matter with guidance for self-help, and close it."""
    return _transition(case=case, action="guide", by=by, note=note, **kw)


def case_rate(*, case: Case, by: User, rating: str, comment: str = "", **kw: Any) -> Case:
    """The reporter rates the result; dissatisfied sends it to the community for review."""
    if rating not in Case.Rating.values:
        raise UserError(_("请选择满意、基本满意或不满意。"), field="rating")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise UserError(_("评价意见不能超过 500 字。"), field="comment")
    return _transition(
        case=case,
        action="rate",
        by=by,
        note=comment,
        rating=rating,
        rating_comment=comment,
        needs_review=rating == Case.Rating.DISSATISFIED,
        **kw,
    )


def case_merge(*, case: Case, into: Case, by: User, note: str, **kw: Any) -> Case:
    """Close a duplicate into the case it repeats."""
    if not visible_cases(by).filter(pk=into.pk).exists():
        raise UserError(NO_MERGE_TARGET, field="into")
    if into.pk == case.pk:
        raise UserError(_("不能把案件合并到它自己。"))
    if into.status not in workflow.OPEN and into.status != Status.CLOSED:
        raise UserError(_("只能合并到尚未结束的案件。"))
    return _transition(case=case, action="merge", by=by, note=note, merged_into=into, **kw)


def case_review(*, case: Case, by: User, reopen: bool, note: str, **kw: Any) -> Case:
    """The community reviews a dissatisfied rating: reopen the work (counted as rework) or
    uphold the result with an explanation the resident reads."""
    if not case.needs_review:
        raise UserError(_("该案件没有待复核的评价。"), status=409)
    if reopen:
        return _transition(
            case=case,
            action="reopen",
            by=by,
            note=note,
            needs_review=False,
            rework_count=case.rework_count + 1,
            closed_at=None,
            **kw,
        )
    return _transition(case=case, action="uphold", by=by, note=note, needs_review=False, **kw)


SIMPLE_ACTIONS = {
    "file": case_file,
    "reject": case_reject,
    "accept": case_accept,
    "return": case_return,
    "start": case_start,
    "guide": case_guide,
}


def case_act(
    *,
    case: Case,
    action: str,
    by: User,
    expected_version: int | None,
    note: str = "",
    triage: str | None = None,
    to_unit_id: int | None = None,
    rating: str | None = None,
    into_number: str | None = None,
    photos: list[Any] | None = None,
    request: Any = None,
) -> Case:
    """One action named as the pages and the API name it, with the fields that action takes."""
    common = {"case": case, "by": by, "expected_version": expected_version, "request": request}
    note = note or ""
    if action == "triage":
        return case_triage(triage=triage or "", note=note, **common)
    if action == "dispatch":
        unit = None
        if to_unit_id is not None:
            unit = _resolve(dispatchable_units(case), UNIT_UNAVAILABLE, "to_unit", pk=to_unit_id)
        return case_dispatch(to_unit=unit, note=note, **common)
    if action == "report_back":
        return case_report_back(note=note, photos=photos, **common)
    if action in ("verify_ok", "verify_fail"):
        return case_verify(ok=action == "verify_ok", note=note, **common)
    if action in ("reopen", "uphold"):
        return case_review(reopen=action == "reopen", note=note, **common)
    if action == "rate":
        return case_rate(rating=rating or "", comment=note, **common)
    if action == "merge":
        number = (into_number or "").strip()
        if not number:
            raise UserError(_("请填写要合并到的案件编号。"), field="into")
        into = _resolve(visible_cases(by), NO_MERGE_TARGET, "into", number=number)
        return case_merge(into=into, note=note, **common)
    if action in SIMPLE_ACTIONS:
        return SIMPLE_ACTIONS[action](note=note, **common)
    raise UserError(_("未知的操作。"))


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
