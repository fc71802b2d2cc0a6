"""Followers, duplicates, the whistle (吹哨报到) and the notifications the loop sends."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.accounts.roles import Role
from jiceng.cases import workflow
from jiceng.cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseFollower,
    Whistle,
    WhistleResponse,
)
from jiceng.cases.permissions import (
    COMMUNITY_ROLES,
    NOT_FOLLOWABLE,
    UNIT_ROLES,
    UNIT_UNAVAILABLE,
    can_act,
    dispatchable_units,
    followable_cases,
)
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.notify import in_stored_language, notify
from jiceng.core.scope import community_of, covers, street_of, visible_or_404
from jiceng.core.workdays import WorkingCalendar
from jiceng.partners.models import Partner

DUPLICATE_METRES = 50
DUPLICATE_DAYS = 7
WHISTLE_STAGES = frozenset(
    {
        workflow.Status.FILED,
        workflow.Status.DISPATCHED,
        workflow.Status.IN_PROGRESS,
        workflow.Status.COORDINATING,
    }
)


def metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def possible_duplicates(
    *, category: CaseCategory, grid: str, lon: float | None, lat: float | None
) -> list[Case]:
    """Open cases of the same category in the same grid, reported in the last 7 days within
    50 m (or anywhere in the grid when the new report has no point)."""
    since = timezone.now() - timedelta(days=DUPLICATE_DAYS)
    candidates = Case.objects.filter(
        category=category, scope_code=grid, created_at__gte=since, status__in=workflow.OPEN
    ).order_by("-created_at")[:50]
    if lon is None or lat is None:
        return list(candidates[:5])
    return [
        c
        for c in candidates
        if c.lon is not None and metres_between(lon, lat, c.lon, c.lat) <= DUPLICATE_METRES
    ][:5]


def follow(
    *, case: Case, by: User, offered: Iterable[str] = (), request: Any = None
) -> CaseFollower:
    """Follow an open case the user may follow (``permissions.followable_cases``: one they see,
    a public case of their own grid, a duplicate offered to them) instead of reporting it
    again; idempotent. Any other case is "not found"."""
    if not followable_cases(by, offered=offered).filter(pk=case.pk).exists():
        raise NotFound(str(NOT_FOLLOWABLE))
    try:
        with transaction.atomic():
            follower = CaseFollower.objects.create(case=case, user=by)
            audit(actor=by, action="case.follow", obj=case, request=request)
    except IntegrityError:
        return CaseFollower.objects.get(case=case, user=by)
    return follower


def unit_staff(unit_ids: list[int]) -> list[User]:
    return list(
        User.objects.filter(
            role_assignments__unit_id__in=unit_ids,
            role_assignments__role__in=UNIT_ROLES,
            role_assignments__ended_at__isnull=True,
            is_active=True,
        ).distinct()
    )


def community_staff(scope_code: str) -> list[User]:
    return list(
        User.objects.filter(
            role_assignments__scope_code=community_of(scope_code),
            role_assignments__role__in=COMMUNITY_ROLES,
            role_assignments__ended_at__isnull=True,
            is_active=True,
        ).distinct()
    )


def place_staff(scope_code: str, roles: tuple[str, ...]) -> list[User]:
    """Active staff holding one of ``roles`` for exactly this division."""
    return list(
        User.objects.filter(
            role_assignments__scope_code=scope_code,
            role_assignments__role__in=roles,
            role_assignments__ended_at__isnull=True,
            is_active=True,
        ).distinct()
    )


def _who_works_on(case: Case) -> list[User]:
    """Whoever does the work now: the handler unit's staff, or the community for a matter it
    coordinates itself."""
    if case.handler_id:
        return unit_staff([case.handler_id])
    return community_staff(case.scope_code)


def _next_duty(case: Case, action: str) -> tuple[list[User], str, str] | None:
    """Who must act next after this change, and what to tell them (RULES.md: each stage has
    an owner; the owner hears of it when the case arrives)."""
    n = case.number
    if action == "triage" and case.status == workflow.Status.FILED:
        return (
            place_staff(street_of(case.scope_code), (Role.STREET_STAFF,)),
            f"待派遣案件 {n}",
            f"{case.category.name}：社区分流为大事，请派遣处置单位。",
        )
    if action == "return":
        return (
            place_staff(street_of(case.scope_code), (Role.STREET_STAFF,)),
            f"案件 {n} 被退回",
            "处置单位退回了案件，请重新派遣。",
        )
    if action == "report_back":
        return (
            place_staff(case.scope_code, (Role.GRID_WORKER, Role.GRID_CHIEF)),
            f"待核查案件 {n}",
            f"{case.category.name}：处置结果已反馈，请到现场核查。",
        )
    if action in ("verify_fail", "reopen"):
        return (
            _who_works_on(case),
            f"案件 {n} 需要返工",
            "核查不通过，请重新处置。" if action == "verify_fail" else "社区复核后要求重新处置。",
        )
    return None


def after_transition(case: Case, action: str, by: User) -> None:
    """Tell the people a change concerns (called inside the transition's transaction; the
    channels send after it commits)."""
    with in_stored_language():
        _tell(case, action, by)


def _plain_news(case: Case, action: str) -> tuple[str, str]:
    """What the reporter and followers (residents) are told of a change, in their words rather
    than the workflow's (no 三事分流, 立案 or 派遣): a title and a sentence."""
    if action == "triage":
        news, detail = {
            workflow.Triage.MAJOR: (
                _("您反映的问题已受理，将由职能部门处理"),
                _("社区已将问题转交街道，由街道安排职能部门处理。"),
            ),
            workflow.Triage.MINOR: (
                _("您反映的问题已受理，由社区处理"),
                _("社区将协调有关方面处理。"),
            ),
            workflow.Triage.PRIVATE: (
                _("您反映的问题已受理，社区将指导协商解决"),
                _("这类问题需由居民、业主或物业协商解决，社区将给予指引。"),
            ),
        }.get(case.triage, (_("您反映的问题已受理"), _("社区正在安排处理。")))
    elif action == "dispatch":
        news = _("您反映的问题已交由处理单位处理")
        detail = _("处理单位：%(unit)s。") % {"unit": case.handler.name if case.handler else "—"}
    else:
        news, detail = {
            "file": (_("您反映的问题已受理"), _("社区正在安排处理。")),
            "reject": (_("您反映的问题未予受理"), _("原因请查看详情。")),
            "accept": (_("处理单位已开始处理您反映的问题"), _("处理完成后会告知您。")),
            "return": (_("您反映的问题正在另行安排处理单位"), _("处理完成后会告知您。")),
            "start": (_("社区已开始协调处理您反映的问题"), _("处理完成后会告知您。")),
            "report_back": (_("您反映的问题已处理，等待现场核查"), _("核查后会告知您。")),
            "verify_ok": (_("您反映的问题已办结"), _("现场核查通过。欢迎您评价处理结果。")),
            "verify_fail": (_("您反映的问题正在重新处理"), _("现场核查未通过，已要求重新处理。")),
            "guide": (_("社区已答复您反映的问题"), _("请查看答复和指引。")),
            "rate": (_("您关注的问题已有评价"), _("请查看详情。")),
            "merge": (
                _("您反映的问题已与相同问题合并处理"),
                _("今后的进展将在合并后的问题中告知您。"),
            ),
            "reopen": (_("您反映的问题将重新处理"), _("社区复核后已安排重新处理。")),
            "uphold": (_("社区已复核您反映的问题"), _("社区复核后维持处理结果，说明请查看详情。")),
        }.get(action, (_("您反映的问题有新进展"), _("请查看详情。")))
    title = _("%(news)s（%(number)s）") % {"news": news, "number": case.number}
    body = _("%(category)s：%(detail)s") % {"category": case.category.name, "detail": detail}
    return title, body


def _tell(case: Case, action: str, by: User) -> None:
    url = f"/cases/{case.number}/"
    followers = [u for u in followers_of(case) if u.pk != by.pk]
    if followers:
        title, body = _plain_news(case, action)
        notify(users=followers, title=title, body=body, url=url)
    if action == "dispatch" and case.handler_id:
        notify(
            users=unit_staff([case.handler_id]),
            title=f"新派遣案件 {case.number}",
            body=f"{case.category.name}，请在时限内接收。",
            url=url,
        )
    if action in ("return", "rate") and (action == "return" or case.needs_review):
        notify(
            users=community_staff(case.scope_code),
            title=f"案件 {case.number} 需要复核",
            body="处置单位退回了案件。" if action == "return" else "居民对处理结果不满意。",
            url=url,
        )
    duty = _next_duty(case, action)
    if duty is not None:
        users, title, body = duty
        told = {u.pk for u in followers} | {by.pk}
        users = [u for u in {u.pk: u for u in users}.values() if u.pk not in told]
        if users:
            notify(users=users, title=title, body=body, url=url)
    if action == "merge" and case.merged_into_id:
        for user in followers_of(case):
            CaseFollower.objects.get_or_create(case_id=case.merged_into_id, user_id=user.pk)


def followers_of(case: Case) -> list[User]:
    """Everyone told of every change of the case: its reporter (without a row of their own)
    and whoever followed it instead of reporting the same problem again."""
    # Two index look-ups: an OR across the join would walk every account.
    ids = set(CaseFollower.objects.filter(case=case).values_list("user_id", flat=True))
    if case.reporter_id:
        ids.add(case.reporter_id)
    return list(User.objects.filter(pk__in=ids)) if ids else []


@transaction.atomic
def whistle(
    *,
    case: Case,
    by: User,
    units: list[Partner | int | str],
    note: str,
    hours: float = 4,
    hours_by_unit: dict[int | str, float] | None = None,
    request: Any = None,
) -> Whistle:
    """The street calls several units to one case; each must report within its own time limit
    in working hours (``hours_by_unit``, by unit id), ``hours`` for the others. ``units`` (or
    their ids, as a form sends them) must be units the case may call (``dispatchable_units``)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not by.has_role(Role.STREET_STAFF) or not covers(
        by.scopes_for(Role.STREET_STAFF), locked.scope_code
    ):
        raise Forbidden(_("只有本街道的工作人员可以吹哨。"))
    if locked.status not in WHISTLE_STAGES:
        raise UserError(
            _("案件当前为“{stage}”，不能吹哨。").format(stage=locked.get_status_display()),
            status=409,
        )
    named = [getattr(u, "pk", u) for u in units if u is not None and u != ""]
    if len(named) < 1:
        raise UserError(_("请选择至少一个报到单位。"), field="units")
    usable = dispatchable_units(locked)
    try:
        found = [visible_or_404(usable, message=UNIT_UNAVAILABLE, pk=pk) for pk in named]
    except NotFound as exc:
        raise UserError(exc.message, field="units") from None
    units = list({u.pk: u for u in found}.values())
    note = (note or "").strip()
    if not note:
        raise UserError(_("请填写吹哨事由。"), field="note")
    own = {str(pk): h for pk, h in (hours_by_unit or {}).items()}
    limits = {u.pk: own.get(str(u.pk), hours) for u in units}
    if not all(0 < h <= 168 for h in limits.values()):
        raise UserError(_("报到时限应在 0 到 168 个工作小时之间。"), field="hours")
    now = timezone.now()
    calendar = WorkingCalendar.load()
    deadlines = {pk: calendar.add_working_hours(now, h) for pk, h in limits.items()}
    w = Whistle.objects.create(case=locked, by=by, note=note[:2000])
    WhistleResponse.objects.bulk_create(
        WhistleResponse(whistle=w, unit=u, deadline_at=deadlines[u.pk]) for u in units
    )
    CaseEvent.objects.create(
        case=locked,
        at=now,
        actor=by,
        action="whistle",
        from_status=locked.status,
        to_status=locked.status,
        note=f"{note}（{'、'.join(u.name for u in units)}）",
    )
    audit(
        actor=by,
        action="case.whistle",
        obj=locked,
        request=request,
        detail={"units": [u.pk for u in units]},
    )
    for unit in units:
        notify(
            users=unit_staff([unit.pk]),
            title=f"街道吹哨：案件 {locked.number}",
            body=f"{note[:100]}。请于 {timezone.localtime(deadlines[unit.pk]):%m-%d %H:%M} 前报到。",
            url=f"/cases/{locked.number}/",
        )
    return w


@transaction.atomic
def whistle_respond(
    *, response: WhistleResponse, by: User, note: str, request: Any = None
) -> WhistleResponse:
    """A called unit reports (报到) what it has done or will do."""
    locked = (
        WhistleResponse.objects.select_for_update()
        .select_related("whistle__case", "whistle__by", "unit")
        .get(pk=response.pk)
    )
    if not any(a.unit_id == locked.unit_id for a in by.active_assignments if a.role in UNIT_ROLES):
        raise Forbidden(_("只有被召集单位的工作人员可以报到。"))
    if locked.responded_at is not None:
        raise UserError(_("本单位已经报到过了。"), status=409)
    note = (note or "").strip()
    if not note:
        raise UserError(_("请填写报到情况。"), field="note")
    locked.responded_at, locked.responded_by, locked.note = timezone.now(), by, note[:2000]
    locked.save()
    audit(actor=by, action="case.whistle_respond", obj=locked.whistle.case, request=request)
    case = locked.whistle.case
    notify(
        users=[locked.whistle.by],
        title=f"案件 {case.number}：{locked.unit.name}已报到",
        body=note[:200],
        url=f"/cases/{case.number}/",
    )
    return locked


def whistle_board(case: Case, now=None) -> list[Whistle]:
    """The case's whistles, each with who has reported and who has not: ``rows`` (each with a
    ``state``: on_time, late, waiting or overdue), ``done``, ``total`` and ``overdue``."""
    now = now or timezone.now()
    whistles = list(case.whistles.prefetch_related("responses__unit", "responses__responded_by"))
    for w in whistles:
        w.rows = list(w.responses.all())
        for r in w.rows:
            if r.responded_at is not None:
                r.state = "on_time" if r.responded_at <= r.deadline_at else "late"
            else:
                r.state = "overdue" if now > r.deadline_at else "waiting"
        w.total = len(w.rows)
        w.done = sum(r.responded_at is not None for r in w.rows)
        w.overdue = sum(r.state == "overdue" for r in w.rows)
    return whistles


def can_whistle(user: User, case: Case) -> bool:
    return case.status in WHISTLE_STAGES and can_act(user, "dispatch", case)


def stage_owners(case: Case) -> list[User]:
    """Who must act on the case in its current stage."""
    s = workflow.Status
    if case.status == s.FILED and case.triage == workflow.Triage.MAJOR:
        return place_staff(street_of(case.scope_code), (Role.STREET_STAFF,))
    if case.status in (s.DISPATCHED, s.IN_PROGRESS) and case.handler_id:
        return unit_staff([case.handler_id])
    if case.status == s.HANDLED:
        return place_staff(case.scope_code, (Role.GRID_WORKER, Role.GRID_CHIEF)) or (
            community_staff(case.scope_code)
        )
    return community_staff(case.scope_code)


ALERT_BATCH = 500  # cases per run: a backlog is worked off over a few runs, never all at once


def send_deadline_alerts(now=None) -> int:
    """Tell each open case's owner once when 80% of the stage's time is used (yellow) and once
    when it is past (red). Run by the task worker every few minutes; returns cases alerted."""
    now = now or timezone.now()
    due = (
        Case.objects.filter(status__in=workflow.OPEN, deadline_at__isnull=False, warn_at__lte=now)
        .exclude(alerted="red")
        .select_related("category")
        .order_by("warn_at")[:ALERT_BATCH]
    )
    sent = 0
    for case in due:
        level = "red" if case.deadline_at < now else "yellow"
        if level == case.alerted:
            continue
        with transaction.atomic():
            # Only if nobody moved the case meanwhile (a transition clears the alert).
            if not Case.objects.filter(pk=case.pk, version=case.version).update(alerted=level):
                continue
            deadline = timezone.localtime(case.deadline_at)
            title = (
                f"案件 {case.number} 已超时" if level == "red" else f"案件 {case.number} 即将超时"
            )
            notify(
                users=stage_owners(case),
                title=title,
                body=f"{case.category.name}：“{case.get_status_display()}”阶段时限 "
                f"{deadline:%m-%d %H:%M}。",
                url=f"/cases/{case.number}/",
            )
        sent += 1
    return sent
