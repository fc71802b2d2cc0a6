"""Every write of the venues app: keyword-only functions, one transaction each, audited.

Bookings of one venue are serialized by a lock on the venue's row (SELECT … FOR UPDATE on
PostgreSQL; SQLite takes its write lock at BEGIN, the project runs it IMMEDIATE): the overlap
check and the write happen under it, so two approvals of overlapping times can never both
pass. On PostgreSQL the exclusion constraint of migration 0002 backs the check.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import chinese_calendar
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, pgettext

from jiceng.accounts.models import User
from jiceng.accounts.roles import ADMIN_ROLES, Role
from jiceng.core import personal
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.notify import notify
from jiceng.core.personal import normalize_mobile
from jiceng.core.workdays import _overrides, parse_windows
from jiceng.venues.models import WEEKDAYS, Booking, Closure, OpeningWindow, Venue
from jiceng.venues.permissions import (
    can_cancel,
    can_create_in,
    can_manage,
    can_reveal_contact,
    may_book,
    partner_units,
)

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A venue may give an office's fixed line: area code, then 7 or 8 digits.
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# A booking is one stretch inside one opening window, at least this long.
MIN_MINUTES = 30
OVERLAP_MESSAGE = gettext_noop("该时段已被预约（{start}-{end}），请选择其他时间。")


# --- opening hours ----------------------------------------------------------------------------


def parse_week(spec: dict[int, str]) -> list[tuple[int, time, time]]:
    """{0: "09:00-12:00,14:00-17:30", 5: "09:00-21:00"} -> windows, checked day by day."""
    windows: list[tuple[int, time, time]] = []
    for weekday, text in sorted(spec.items()):
        if not 0 <= int(weekday) <= 6:
            raise UserError(_("星期应在周一至周日之间。"), field="windows")
        text = (text or "").replace("，", ",").replace("－", "-").replace("—", "-").strip()
        if not text:
            continue
        try:
            parsed = parse_windows(text)
        except UserError as exc:
            raise UserError(
                _("{day}：{error}").format(day=WEEKDAYS[int(weekday)], error=exc.message),
                field="windows",
            ) from exc
        windows.extend((int(weekday), s, e) for s, e in parsed)
    return windows


def is_statutory_holiday(day: date) -> bool:
    """A day of the official holidays (国庆, 春节 …), or one the district entered as a holiday."""
    overrides = _overrides()
    if day in overrides:
        return not overrides[day]
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False
    return bool(on_holiday and name)


def closed_reason(venue: Venue, day: date, closures: list[Closure] | None = None) -> str:
    """Why the venue is closed on ``day`` ("" when it is not)."""
    if closures is None:
        closures = list(venue.closures.filter(starts_on__lte=day, ends_on__gte=day))
    for c in closures:
        if c.starts_on <= day <= c.ends_on:
            return c.reason
    if venue.closed_on_holidays and is_statutory_holiday(day):
        return pgettext("closed day", "法定节假日闭馆")
    return ""


def _fmt_windows(windows: list[OpeningWindow]) -> str:
    return pgettext("list separator", "、").join(
        f"{w.starts:%H:%M}-{w.ends:%H:%M}" for w in windows
    )


def _on_weekday(day: int) -> str:
    """The weekday as a sentence names it ("not open on Mondays"); WEEKDAYS are short labels."""
    return (
        pgettext("on weekday", "周一"),
        pgettext("on weekday", "周二"),
        pgettext("on weekday", "周三"),
        pgettext("on weekday", "周四"),
        pgettext("on weekday", "周五"),
        pgettext("on weekday", "周六"),
        pgettext("on weekday", "周日"),
    )[day]


def check_slot(venue: Venue, starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
    """Refuse a time that is not bookable at this venue: in the past, too far ahead, on a
    closed day, or not inside one opening window of that day."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise UserError(_("预约时间缺少时区。"), field="starts_at")
    if ends_at <= starts_at:
        raise UserError(_("结束时间应晚于开始时间。"), field="ends_at")
    if starts_at <= now:
        raise UserError(_("不能预约已经过去的时间。"), field="starts_at")
    if ends_at - starts_at < timedelta(minutes=MIN_MINUTES):
        raise UserError(
            _("每次预约至少 {minutes} 分钟。").format(minutes=MIN_MINUTES), field="ends_at"
        )
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day = start.date()
    if day > timezone.localdate(now) + timedelta(days=venue.max_days_ahead):
        most = venue.max_days_ahead
        raise UserError(
            ngettext(
                "该场地最多可提前 {days} 天预约。", "该场地最多可提前 {days} 天预约。", most
            ).format(days=most),
            field="starts_at",
        )
    reason = closed_reason(venue, day)
    if reason:
        raise UserError(
            _("{day} 闭馆（{reason}），请选择其他日期。").format(
                day=f"{day:%Y-%m-%d}", reason=reason
            ),
            field="starts_at",
        )
    windows = [w for w in venue.windows.all() if w.weekday == day.weekday()]
    if not windows:
        raise UserError(
            _("该场地{weekday}不开放，请选择其他日期。").format(weekday=_on_weekday(day.weekday())),
            field="starts_at",
        )
    if end.date() != day or not any(
        w.starts <= start.time() and end.time() <= w.ends for w in windows
    ):
        raise UserError(
            _("预约时间须在开放时段内：{weekday} {windows}。").format(
                weekday=_on_weekday(day.weekday()), windows=_fmt_windows(windows)
            ),
            field="starts_at",
        )


# --- venues -----------------------------------------------------------------------------------


def _venue_fields(
    *, name: str, address: str, capacity: Any, contact_phone: str, max_days_ahead: Any
) -> dict[str, Any]:
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
    if owner_partner is not None and not division.code.startswith(owner_partner.scope_code[:9]):
        raise UserError(_("共建单位的场地应在该单位所在街道之内。"), field="division")
    if kind not in Venue.Kind.values:
        raise UserError(_("未知的场地类型。"), field="kind")
    fields = _venue_fields(
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
    fields = _venue_fields(
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


# --- bookings ---------------------------------------------------------------------------------


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


def _lock_booking(booking: Booking) -> tuple[Venue, Booking]:
    venue = _lock_venue(booking.venue)
    locked = Booking.objects.select_for_update().select_related("booker").get(pk=booking.pk)
    locked.venue = venue
    return venue, locked


def _require_pending(booking: Booking) -> None:
    if booking.status != Booking.Status.PENDING:
        raise UserError(
            _("该预约已处理（{status}）。").format(status=booking.get_status_display()),
            status=409,
        )


@transaction.atomic
def booking_approve(*, by, booking: Booking, request=None) -> Booking:
    """Approve a pending booking; the other requests for overlapping times are declined."""
    if not can_manage(by, booking.venue):
        raise Forbidden(_("只有场地的管理方可以审批预约。"))
    # Answer requests already decided, or already beaten, without queueing for the lock; the
    # checks under the lock below decide.
    current = Booking.objects.only("status", "starts_at", "ends_at", "venue_id").get(pk=booking.pk)
    _require_pending(current)
    other = _overlap(booking.venue, current.starts_at, current.ends_at, exclude=booking.pk)
    if other is not None:
        _refuse_overlap(other)
    venue, booking = _lock_booking(booking)
    _require_pending(booking)
    now = timezone.now()
    if booking.starts_at <= now:
        raise UserError(_("预约时间已过，无法批准。"), status=409)
    other = _overlap(venue, booking.starts_at, booking.ends_at, exclude=booking.pk)
    if other is not None:
        _refuse_overlap(other)
    booking.status = Booking.Status.APPROVED
    booking.decided_by = by
    booking.decided_at = now
    _save_approved(booking, ["status", "decided_by", "decided_at", "updated_at"])
    audit(
        actor=by,
        action="venue.booking.approve",
        obj=booking,
        request=request,
        detail={"when": _when(booking)},
    )
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
            _decline(loser, by=by, reason=reason, request=request, now=now, saved=True)
    return booking


def _decline(booking: Booking, *, by, reason: str, request, now: datetime, saved=False) -> None:
    booking.status = Booking.Status.DECLINED
    booking.decided_by = by
    booking.decided_at = now
    booking.reason = reason[:300]
    if not saved:
        booking.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
    audit(
        actor=by,
        action="venue.booking.decline",
        obj=booking,
        request=request,
        detail={"when": _when(booking), "reason": booking.reason},
    )
    notify(
        users=[booking.booker],
        title="场地预约未获批准",
        body=f"{booking.venue.name} {_when(booking)}「{booking.title}」未获批准：{booking.reason}",
        url=_booking_url(booking),
    )


@transaction.atomic
def booking_decline(*, by, booking: Booking, reason: str, request=None) -> Booking:
    """Decline a pending booking with a reason the booker sees."""
    if not can_manage(by, booking.venue):
        raise Forbidden(_("只有场地的管理方可以审批预约。"))
    if not (reason or "").strip():
        raise UserError(_("请填写不批准的原因。"), field="reason")
    venue, booking = _lock_booking(booking)
    _require_pending(booking)
    _decline(booking, by=by, reason=reason.strip(), request=request, now=timezone.now())
    return booking


def _cancel(booking: Booking, *, by, reason: str, request) -> None:
    was = booking.status
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.reason = reason[:300]
    booking.save(update_fields=["status", "cancelled_at", "reason", "updated_at"])
    audit(
        actor=by,
        action="venue.booking.cancel",
        obj=booking,
        request=request,
        detail={"when": _when(booking), "was": was, "reason": booking.reason},
    )
    if booking.booker_id != getattr(by, "pk", None):
        notify(
            users=[booking.booker],
            title="场地预约已取消",
            body=f"{booking.venue.name} {_when(booking)}「{booking.title}」已被管理方取消：{booking.reason}",
            url=_booking_url(booking),
        )


@transaction.atomic
def booking_cancel(*, by, booking: Booking, reason: str = "", request=None) -> Booking:
    """The booker withdraws, or the venue's manager cancels (with a reason); the time is free
    again at once."""
    if not can_cancel(by, booking):
        raise Forbidden(_("只有预约人或场地管理方可以取消预约。"))
    venue, booking = _lock_booking(booking)
    if booking.status not in (Booking.Status.PENDING, Booking.Status.APPROVED):
        raise UserError(
            _("该预约的状态是「{status}」，无需取消。").format(status=booking.get_status_display()),
            status=409,
        )
    if booking.ends_at <= timezone.now():
        raise UserError(_("活动已经结束，不能取消。"), status=409)
    by_booker = booking.booker_id == by.pk
    if not by_booker and not (reason or "").strip():
        raise UserError(_("请填写取消的原因，预约人会收到通知。"), field="reason")
    _cancel(booking, by=by, reason=(reason or "").strip() or "预约人取消", request=request)
    return booking


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
