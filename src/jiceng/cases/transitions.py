"""The case loop: one service per transition of workflow.TRANSITIONS, each through core.workflow's
Machine (in one transaction, under the case's row lock: the actor, the version, the stage, the
guards; one CaseEvent and one audit entry), then the tally and the whistle's follow-up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.accounts.models import User
from jiceng.cases import tally, workflow
from jiceng.cases.escalation import after_transition
from jiceng.cases.models import Case, CaseCategory, CaseEvent, CasePhoto
from jiceng.cases.permissions import (
    NO_MERGE_TARGET,
    UNIT_UNAVAILABLE,
    can_act,
    dispatchable_units,
    visible_cases,
)
from jiceng.cases.workflow import Status, Triage
from jiceng.core.errors import NotFound, UserError
from jiceng.core.photos import prepare_photos
from jiceng.core.scope import visible_or_404
from jiceng.core.workdays import WorkingCalendar
from jiceng.core.workflow import Machine
from jiceng.partners.models import Partner

MAX_TEXT = 2000
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


def _resolve(queryset, message: str, field: str, **lookup: Any):
    """The object a form or a JSON body names, from what the actor may use; missing, outside
    and malformed all read as ``message`` on the field (400), never telling which."""
    try:
        return visible_or_404(queryset, message=message, **lookup)
    except NotFound as exc:
        raise UserError(exc.message, field=field) from None


def _save_photos(case: Case, prepared: list, kind: str, by: User) -> None:
    for content in prepared:
        photo = CasePhoto(case=case, kind=kind, uploaded_by=by)
        photo.image.save(content.name, content, save=False)
        photo.save()


def _stage_limits(case: Case, *, previous: str, now: datetime, **_context: Any) -> None:
    """The new stage's clock: started now, its deadline and warning; how the last one went is
    kept for the event."""
    case._ended_stage = (
        None if case.deadline_at is None else now <= case.deadline_at,
        (now - case.stage_started_at).total_seconds() / 3600,
    )
    case.stage_started_at = now
    case.alerted = ""
    for field, value in _limits(case.category, case.status, now).items():
        setattr(case, field, value)
    if case.status in (Status.CLOSED, Status.REJECTED) and case.closed_at is None:
        case.closed_at = now


def _event_fields(case: Case, *, previous: str, now: datetime) -> dict[str, Any]:
    on_time, span = case._ended_stage
    return {
        "handler": case.handler,
        "deadline_at": case.deadline_at,
        "on_time": on_time,
        "span_hours": span,
    }


MACHINE = Machine(
    model=Case,
    event_model=CaseEvent,
    event_owner="case",
    transitions=workflow.TRANSITIONS,
    may_act=can_act,
    audit_prefix="case.",
    entity=gettext_lazy("案件"),
    wrong_stage=gettext_lazy("案件当前为“{stage}”，不能{action}。"),
    forbidden=gettext_lazy("您不能对此案件{action}。"),
    stale=gettext_lazy("该案件刚被他人处理过，请刷新后再操作。"),
    related=("category",),
    version_field="version",
    note_field="description",
    note_limit=MAX_TEXT,
    prepare=_stage_limits,
    event_extra=_event_fields,
)


def _transition(
    *,
    case: Case,
    action: str,
    by: User,
    note: str = "",
    expected_version: int | None = None,
    target: str | None = None,
    request: Any = None,
    guards: tuple = (),
    before_save: Any = None,
    **changes: Any,
) -> Case:
    """One move of the loop through ``MACHINE`` (actor, version, stage, guards; event, audit),
    then the tally and the whistle's follow-up, in the same transaction."""
    with transaction.atomic():
        locked = MACHINE.run(
            record=case,
            action=action,
            by=by,
            note=note,
            version=expected_version,
            target=target,
            changes=changes,
            guards=guards,
            before_save=before_save,
            request=request,
        )
        tally.refresh(locked)
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

    def major_with_a_unit(locked: Case, **_context: Any) -> None:
        if locked.triage != Triage.MAJOR:
            raise UserError(_("只有分流为“大事”的案件才能派遣。"), status=409)
        if to_unit is None:
            raise UserError(_("请选择处置单位。"), field="to_unit")
        if not dispatchable_units(locked).filter(pk=to_unit.pk).exists():
            raise UserError(UNIT_UNAVAILABLE, field="to_unit")

    return _transition(
        case=case,
        action="dispatch",
        by=by,
        note=note,
        handler=to_unit,
        guards=(major_with_a_unit,),
        **kw,
    )


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


def _count_rework(case: Case, **_context: Any) -> None:
    case.rework_count += 1  # on the locked row: two reworks at once both count


VERIFY_PHOTO_REQUIRED = gettext_lazy("该类别核查须拍摄现场照片，请上传至少一张照片。")


def case_verify(
    *, case: Case, by: User, ok: bool, note: str = "", photos: list[Any] | None = None, **kw: Any
) -> Case:
    """Verification on site: ok closes the case; a failure sends it back as rework, counted.
    The verifier's photos of what they found are kept with the case; the category says whether
    one is required (``verify_photo_required``)."""

    def photo_when_required(locked: Case, **_context: Any) -> None:
        if locked.category.verify_photo_required and not photos:
            raise UserError(str(VERIFY_PHOTO_REQUIRED), field="photos")

    prepared = prepare_photos(photos or [])
    action, extra = ("verify_ok", {}) if ok else ("verify_fail", {"before_save": _count_rework})
    with transaction.atomic():
        case = _transition(
            case=case, action=action, by=by, note=note, guards=(photo_when_required,), **extra, **kw
        )
        _save_photos(case, prepared, CasePhoto.Kind.VERIFY, by)
    return case


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

    def into_another_open_case(locked: Case, by: User, **_context: Any) -> None:
        if not visible_cases(by).filter(pk=into.pk).exists():
            raise UserError(NO_MERGE_TARGET, field="into")
        if into.pk == locked.pk:
            raise UserError(_("不能把案件合并到它自己。"))
        if into.status not in workflow.OPEN and into.status != Status.CLOSED:
            raise UserError(_("只能合并到尚未结束的案件。"))

    return _transition(
        case=case,
        action="merge",
        by=by,
        note=note,
        merged_into=into,
        guards=(into_another_open_case,),
        **kw,
    )


def case_review(*, case: Case, by: User, reopen: bool, note: str, **kw: Any) -> Case:
    """The community reviews a dissatisfied rating: reopen the work (counted as rework) or
    uphold the result with an explanation the resident reads."""

    def awaiting_review(locked: Case, **_context: Any) -> None:
        if not locked.needs_review:
            raise UserError(_("该案件没有待复核的评价。"), status=409)

    if reopen:
        return _transition(
            case=case,
            action="reopen",
            by=by,
            note=note,
            needs_review=False,
            closed_at=None,
            before_save=_count_rework,
            guards=(awaiting_review,),
            **kw,
        )
    return _transition(
        case=case,
        action="uphold",
        by=by,
        note=note,
        needs_review=False,
        guards=(awaiting_review,),
        **kw,
    )


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
        return case_verify(ok=action == "verify_ok", note=note, photos=photos, **common)
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
