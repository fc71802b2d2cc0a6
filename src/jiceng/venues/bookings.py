"""Venue bookings: asking for a time, and one service per transition of workflow.TRANSITIONS
(approve, decline, cancel) through core.workflow's Machine, each writing one BookingEvent.

Bookings of one venue are serialized by a lock on the venue's row (SELECT … FOR UPDATE on
PostgreSQL; SQLite takes its write lock at BEGIN, the project runs it IMMEDIATE): the overlap
check and the write happen under it, so two approvals of overlapping times can never both
pass. On PostgreSQL the exclusion constraint of migration 0002 backs the check.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jiceng.accounts.models import User
from jiceng.accounts.roles import ADMIN_ROLES, Role
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.notify import notify
from jiceng.core.personal import normalize_mobile
from jiceng.core.workflow import Machine
from jiceng.venues import workflow
from jiceng.venues.hours import check_slot
from jiceng.venues.models import Booking, BookingEvent, Venue
from jiceng.venues.permissions import can_act_on_booking, may_book, partner_units

MOBILE = re.compile(r"^1[3-9]\d{9}$")
OVERLAP_MESSAGE = gettext_noop("该时段已被预约（{start}-{end}），请选择其他时间。")
REASON_LIMIT = 300


def _lock_venue(venue: Venue) -> Venue:
    """The per-venue lock every booking write takes first (so writers of one venue queue)."""
    return Venue.objects.select_for_update().get(pk=venue.pk)


def _overlap(venue: Venue, starts_at: datetime, ends_at: datetime, exclude: int | None = None):
    rows = Booking.objects.filter(venue=venue).approved().overlapping(starts_at, ends_at)
    if exclude:
        rows = rows.exclude(pk=exclude)
    return rows.order_by("starts_at").first()


def _refuse_overlap(other: Booking) -> None:
    start, end = timezone.localtime(other.starts_at), timezone.localtime(other.ends_at)
    raise UserError(
        _(OVERLAP_MESSAGE).format(start=f"{start:%m-%d %H:%M}", end=f"{end:%H:%M}"),
        field="starts_at",
        status=409,
    )


def _save_approved(booking: Booking, fields: list[str] | None = None) -> None:
    """Write an approved booking; the exclusion constraint's refusal becomes the same message
    as the check's (it fires only if something wrote around the venue lock)."""
    try:
        with transaction.atomic():
            if fields is None:
                booking.save()
            else:
                booking.save(update_fields=fields)
    except IntegrityError as exc:
        if "venues_booking_no_overlap" not in str(exc):
            raise
        raise UserError(
            _("该时段已被预约，请选择其他时间。"), field="starts_at", status=409
        ) from exc


def _booking_url(booking: Booking) -> str:
    return reverse("venues_m:mine") + f"#booking-{booking.pk}"


def _when(booking: Booking) -> str:
    start, end = timezone.localtime(booking.starts_at), timezone.localtime(booking.ends_at)
    return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"


@transaction.atomic
def booking_create(
    *,
    by,
    venue: Venue,
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    attendees: int,
    notes: str = "",
    contact_phone: str = "",
    organization=None,
    request=None,
) -> Booking:
    """Ask for a time at a venue (approved at once where the venue needs no approval)."""
    if not getattr(by, "is_authenticated", False):
        raise Forbidden(_("请先登录。"))
    if not venue.is_active:
        raise UserError(_("该场地已停用，不接受预约。"), status=409)
    if not may_book(by, venue):
        if not by.roles or by.roles <= ADMIN_ROLES:
            raise Forbidden(_("您的账号尚未开通居民或工作人员身份，暂不能预约。"))
        raise Forbidden(_("该场地仅接受本社区居民和单位预约。"))
    if organization is not None and organization.pk not in partner_units(by):
        raise Forbidden(_("您不是该单位的工作人员，不能以该单位名义预约。"))
    title = (title or "").strip()
    if not title:
        raise UserError(_("请填写活动名称。"), field="title")
    try:
        attendees = int(attendees)
    except (TypeError, ValueError):
        attendees = 0
    if attendees < 1:
        raise UserError(_("参加人数应为正整数。"), field="attendees")
    phone = normalize_mobile(contact_phone) or None
    if phone and not MOBILE.match(phone):
        raise UserError(_("请填写 11 位手机号码。"), field="contact_phone")
    if attendees > venue.capacity:
        raise UserError(
            _("参加人数（{n} 人）超过场地容纳人数（{capacity} 人）。").format(
                n=attendees, capacity=venue.capacity
            ),
            field="attendees",
        )
    now = timezone.now()
    check_slot(venue, starts_at, ends_at, now=now)
    # Refuse a time already taken before queueing for the venue's lock: when many ask for the
    # same slot at once, the losers are answered without waiting for each other. The check
    # under the lock is the one that decides.
    other = _overlap(venue, starts_at, ends_at)
    if other is not None:
        _refuse_overlap(other)
    venue = _lock_venue(venue)
    if not venue.is_active or attendees > venue.capacity:
        raise UserError(_("场地信息刚刚有变化，请刷新后重试。"), status=409)
    other = _overlap(venue, starts_at, ends_at)
    if other is not None:
        _refuse_overlap(other)
    if (
        Booking.objects.filter(venue=venue, booker=by, status=Booking.Status.PENDING)
        .overlapping(starts_at, ends_at)
        .exists()
    ):
        raise UserError(_("您已申请过该时段，请等待审批。"), field="starts_at", status=409)
    booking = Booking(
        venue=venue,
        scope_code=venue.scope_code,
        booker=by,
        organization=organization,
        title=title[:100],
        notes=(notes or "").strip()[:500],
        attendees=attendees,
        contact_phone=phone,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    if venue.approval_required:
        booking.save()
    else:
        booking.status = Booking.Status.APPROVED
        booking.decided_at = now
        _save_approved(booking)
    MACHINE.write_event(booking, action="ask", by=by, previous="", at=now)
    audit(
        actor=by,
        action="venue.booking.create",
        obj=booking,
        request=request,
        detail={"when": _when(booking), "status": booking.status},
    )
    if booking.status == Booking.Status.PENDING:
        notify(
            users=managers_of(venue),
            title="新的场地预约申请",
            body=f"{venue.name} {_when(booking)}「{booking.title}」（{booking.attendees} 人）待审批。",
            url=reverse("venues:home"),
        )
    if booking.status == Booking.Status.APPROVED:
        notify(
            users=[by],
            title="场地预约成功",
            body=f"{venue.name} {_when(booking)}「{booking.title}」已预约成功。",
            url=_booking_url(booking),
        )
    return booking


MAX_REPEAT_WEEKS = 12


@transaction.atomic
def booking_create_series(
    *, by, venue: Venue, starts_at: datetime, ends_at: datetime, weeks: int, **fields
) -> list[Booking]:
    """The same time every week for ``weeks`` weeks (a choir's weekly rehearsal): all or none;
    a week that cannot be booked is named in the error."""
    try:
        weeks = int(weeks)
    except (TypeError, ValueError):
        weeks = 0
    if not 1 <= weeks <= MAX_REPEAT_WEEKS:
        raise UserError(
            _("重复周数应在 1 至 {most} 之间。").format(most=MAX_REPEAT_WEEKS), field="weeks"
        )
    made = []
    for n in range(weeks):
        shift = timedelta(weeks=n)
        try:
            made.append(
                booking_create(
                    by=by,
                    venue=venue,
                    starts_at=starts_at + shift,
                    ends_at=ends_at + shift,
                    **fields,
                )
            )
        except UserError as exc:
            if weeks == 1:
                raise
            day = timezone.localtime(starts_at + shift).date()
            raise type(exc)(
                _("第 {n} 周（{day}）无法预约：{error} 整组预约均未提交。").format(
                    n=n + 1, day=f"{day:%Y-%m-%d}", error=exc.message
                ),
                field=exc.field,
                status=exc.status,
            ) from exc
    return made


def managers_of(venue: Venue) -> list:
    """Who decides on this venue's requests: the unit's staff, or the community's staff."""

    active = {"role_assignments__ended_at__isnull": True}
    if venue.owner_partner_id:
        rows = User.objects.filter(
            role_assignments__role=Role.PARTNER_STAFF,
            role_assignments__unit_id=venue.owner_partner_id,
            **active,
        )
    else:
        rows = User.objects.filter(
            role_assignments__role__in=[Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY],
            role_assignments__scope_code=venue.community_code,
            **active,
        )
    return list(rows.filter(is_active=True).distinct()[:50])


def _lock_booking(booking: Booking) -> Booking:
    """The venue's lock first (as every booking write), then the booking's row."""
    venue = _lock_venue(booking.venue)
    locked = Booking.objects.select_for_update().select_related("booker").get(pk=booking.pk)
    locked.venue = venue
    return locked


# Every field a transition writes (not the encrypted phone, which would be encrypted anew).
MOVED = ["status", "decided_by", "decided_at", "reason", "cancelled_at", "updated_at"]


def _save(booking: Booking) -> None:
    if booking.status == Booking.Status.APPROVED:
        _save_approved(booking, MOVED)
    else:
        booking.save(update_fields=MOVED)


MACHINE = Machine(
    model=Booking,
    event_model=BookingEvent,
    event_owner="booking",
    transitions=workflow.TRANSITIONS,
    may_act=can_act_on_booking,
    audit_prefix="venue.booking.",
    entity=gettext_lazy("场地预约"),
    wrong_stage=workflow.DECIDED,
    forbidden=workflow.DECIDERS_ONLY,
    lock=_lock_booking,
    note_field="reason",
    note_limit=REASON_LIMIT,
    save=_save,
)


def _not_past(booking: Booking, **_context: Any) -> None:
    if booking.starts_at <= timezone.now():
        raise UserError(_("预约时间已过，无法批准。"), status=409)


def _no_approved_overlap(booking: Booking, **_context: Any) -> None:
    other = _overlap(booking.venue, booking.starts_at, booking.ends_at, exclude=booking.pk)
    if other is not None:
        _refuse_overlap(other)


def _decided(booking: Booking, *, now: datetime, **_context: Any) -> None:
    booking.decided_at = now


@transaction.atomic
def booking_approve(*, by, booking: Booking, request=None) -> Booking:
    """Approve a pending booking; the other requests for overlapping times are declined."""
    # Answer requests already decided, or already beaten, without queueing for the lock, in
    # the Machine's order (the person, the status, the guards); the checks under the lock in
    # MACHINE.run decide.
    MACHINE.check_actor(booking, "approve", by)
    current = Booking.objects.only("status", "starts_at", "ends_at", "venue_id").get(pk=booking.pk)
    MACHINE.check_stage(current, workflow.TRANSITIONS["approve"])
    other = _overlap(booking.venue, current.starts_at, current.ends_at, exclude=booking.pk)
    if other is not None:
        _refuse_overlap(other)
    booking = MACHINE.run(
        record=booking,
        action="approve",
        by=by,
        changes={"decided_by": by},
        guards=(_not_past, _no_approved_overlap),
        before_save=_decided,
        audit_detail={"when": _when(booking)},
        request=request,
    )
    venue, now = booking.venue, booking.decided_at
    notify(
        users=[booking.booker],
        title="场地预约已批准",
        body=f"{venue.name} {_when(booking)}「{booking.title}」已批准。",
        url=_booking_url(booking),
    )
    losers = list(
        Booking.objects.select_for_update()
        .filter(venue=venue, status=Booking.Status.PENDING)
        .overlapping(booking.starts_at, booking.ends_at)
        .select_related("booker")
    )
    if losers:
        reason = "该时段已安排给其他预约。"
        Booking.objects.filter(pk__in=[x.pk for x in losers]).update(
            status=Booking.Status.DECLINED,
            decided_by=by,
            decided_at=now,
            reason=reason,
            updated_at=now,
        )
        for loser in losers:
            loser.status, loser.decided_by, loser.decided_at = Booking.Status.DECLINED, by, now
            loser.reason = reason
            loser.venue = venue
        MACHINE.write_events(
            losers, action="decline", by=by, previous=Booking.Status.PENDING, note=reason, at=now
        )
        for loser in losers:
            audit(
                actor=by,
                action="venue.booking.decline",
                obj=loser,
                request=request,
                detail={"when": _when(loser), "reason": reason},
            )
            _tell_declined(loser)
    return booking


def _tell_declined(booking: Booking) -> None:
    notify(
        users=[booking.booker],
        title="场地预约未获批准",
        body=f"{booking.venue.name} {_when(booking)}「{booking.title}」未获批准：{booking.reason}",
        url=_booking_url(booking),
    )


@transaction.atomic
def booking_decline(*, by, booking: Booking, reason: str, request=None) -> Booking:
    """Decline a pending booking with a reason the booker sees."""
    reason = (reason or "").strip()[:REASON_LIMIT]
    booking = MACHINE.run(
        record=booking,
        action="decline",
        by=by,
        note=reason,
        changes={"decided_by": by, "reason": reason},
        before_save=_decided,
        audit_detail={"when": _when(booking), "reason": reason},
        request=request,
    )
    _tell_declined(booking)
    return booking


def _not_over(booking: Booking, **_context: Any) -> None:
    if booking.ends_at <= timezone.now():
        raise UserError(_("活动已经结束，不能取消。"), status=409)


def _reason_from_a_manager(booking: Booking, *, by, reason: str, **_context: Any) -> None:
    if booking.booker_id != by.pk and not reason:
        raise UserError(_("请填写取消的原因，预约人会收到通知。"), field="reason")


def _cancelled(booking: Booking, *, now: datetime, **_context: Any) -> None:
    booking.cancelled_at = now


def _cancel(booking: Booking, *, by, reason: str, request) -> Booking:
    """Cancel through the Machine; the booker is told when someone else cancelled."""
    given = (reason or "").strip()
    note = (given or "预约人取消")[:REASON_LIMIT]
    booking = MACHINE.run(
        record=booking,
        action="cancel",
        by=by,
        note=note,
        changes={"reason": note},
        guards=(_not_over, _reason_from_a_manager),
        before_save=_cancelled,
        audit_detail={"when": _when(booking), "reason": note},
        request=request,
        reason=given,
    )
    if booking.booker_id != getattr(by, "pk", None):
        notify(
            users=[booking.booker],
            title="场地预约已取消",
            body=f"{booking.venue.name} {_when(booking)}「{booking.title}」已被管理方取消：{booking.reason}",
            url=_booking_url(booking),
        )
    return booking


@transaction.atomic
def booking_cancel(*, by, booking: Booking, reason: str = "", request=None) -> Booking:
    """The booker withdraws, or the venue's manager cancels (with a reason); the time is free
    again at once."""
    return _cancel(booking, by=by, reason=reason, request=request)
