"""Deliberation meetings: scheduling (at a shared venue through venues' bookings), the people
invited by category, the QR check-in (core.checkin, the same code as party meetings), minutes
that participants approve on their phones, photos, cancelling. Keyword-only, one transaction
each, audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.community.permissions import home_communities
from jiceng.core.audit import audit
from jiceng.core.checkin import RotatingCode, in_window
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.photos import prepare_photos
from jiceng.deliberation.models import (
    AgendaItem,
    Category,
    Meeting,
    MeetingKind,
    MeetingPhoto,
    Participant,
)
from jiceng.deliberation.permissions import can_manage
from jiceng.venues.bookings import booking_cancel, booking_create
from jiceng.venues.models import Booking

CHECKIN = RotatingCode("jiceng.deliberation.checkin")
MAX_AGENDA_ITEMS = 20
MAX_PHOTOS = 30


def _require_manager(by, obj) -> None:
    if not can_manage(by, obj):
        raise Forbidden(_("只有本社区的工作人员可以管理议事会议。"))


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("kind").get(pk=meeting.pk)


def _agenda(lines: list[str] | str | None, kind: MeetingKind) -> list[str]:
    if lines is None:
        return kind.agenda_lines()
    if isinstance(lines, str):
        lines = lines.splitlines()
    items = [line.strip() for line in lines if line and line.strip()]
    if len(items) > MAX_AGENDA_ITEMS:
        raise UserError(_("议程最多 {most} 项。").format(most=MAX_AGENDA_ITEMS), field="agenda")
    if any(len(item) > 200 for item in items):
        raise UserError(_("每项议程不能超过 200 字。"), field="agenda")
    return items


@transaction.atomic
def meeting_create(
    *,
    by,
    community,
    kind: MeetingKind,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    agenda: list[str] | str | None = None,
    venue=None,
    attendees: int = 0,
    request: Any = None,
) -> Meeting:
    """Arrange a meeting of ``kind`` in ``community``; its agenda starts from the kind's
    template. With a ``venue``, the time is booked through the venues' service (its rules: the
    opening hours, no overlap, approval where the venue asks for it)."""
    _require_manager(by, community)
    if community.level != "community":
        raise UserError(_("议事会议应由社区召开。"), field="community")
    if not kind.is_active:
        raise UserError(_("该会议类型已停用。"), field="kind")
    title = (title or "").strip()
    if not title:
        raise UserError(_("请填写会议主题。"), field="title")
    if ends_at <= starts_at:
        raise UserError(_("结束时间应晚于开始时间。"), field="ends_at")
    items = _agenda(agenda, kind)
    booking = None
    if venue is not None:
        if not venue.scope_code.startswith(community.code):
            raise UserError(_("请选择本社区的场地。"), field="venue")
        booking = booking_create(
            by=by,
            venue=venue,
            starts_at=starts_at,
            ends_at=ends_at,
            title=title,
            attendees=attendees or min(len(kind.categories) * 3 or 10, venue.capacity),
            notes=kind.name,
            request=request,
        )
        place = place or venue.name
    meeting = Meeting.objects.create(
        kind=kind,
        community=community,
        title=title[:100],
        starts_at=starts_at,
        ends_at=ends_at,
        place=(place or "").strip()[:100],
        booking=booking,
        created_by=by,
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=i, title=t) for i, t in enumerate(items, 1)
    )
    audit(
        actor=by,
        action="deliberation.meeting_create",
        obj=meeting,
        request=request,
        detail={"kind": kind.code, "booking": booking.pk if booking else None},
    )
    return meeting


@transaction.atomic
def participant_add(
    *, by, meeting: Meeting, category: str, name: str, user=None, request: Any = None
) -> Participant:
    """Invite one person to the meeting, under a category."""
    meeting = _lock(meeting)
    _require_manager(by, meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise UserError(_("会议已取消。"))
    if category not in Category.values:
        raise UserError(_("请选择人员类别。"), field="category")
    name = (name or "").strip() or (user.full_name if user is not None else "")
    if not name:
        raise UserError(_("请填写姓名。"), field="name")
    if len(name) > 50:
        raise UserError(_("姓名不能超过 50 字。"), field="name")
    if user is not None and Participant.objects.filter(meeting=meeting, user=user).exists():
        raise UserError(_("{name}已在参会名单中。").format(name=name), field="user", status=409)
    participant = Participant.objects.create(
        meeting=meeting, category=category, name=name, user=user, invited=True
    )
    audit(
        actor=by,
        action="deliberation.participant_add",
        obj=meeting,
        request=request,
        detail={"participant": participant.pk, "category": category},
    )
    return participant


@transaction.atomic
def attendance_mark(
    *, by, meeting: Meeting, participant: Participant, present: bool, request: Any = None
) -> Participant:
    """Staff mark a participant present (补登) or not present."""
    meeting = _lock(meeting)
    _require_manager(by, meeting)
    if participant.meeting_id != meeting.pk:
        raise NotFound(_("参会人员不存在。"))
    if meeting.status == Meeting.Status.CANCELLED:
        raise UserError(_("会议已取消。"))
    if meeting.starts_at - timezone.timedelta(hours=1) > timezone.now():
        raise UserError(_("会议尚未开始，不能登记出席。"))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    participant.present = bool(present)
    participant.method = Participant.Method.MANUAL if present else ""
    participant.checked_in_at = timezone.now() if present else None
    participant.save()
    audit(
        actor=by,
        action="deliberation.attendance",
        obj=meeting,
        request=request,
        detail={"participant": participant.pk, "present": bool(present)},
    )
    return participant


def checkin_code(meeting: Meeting) -> str:
    """The code of the meeting's QR (core.checkin: signed, good for two minutes)."""
    return CHECKIN.sign(meeting.pk)


def meeting_from_code(code: str) -> Meeting:
    pk = CHECKIN.read(code)
    meeting = Meeting.objects.select_related("kind").filter(pk=int(pk)).first()
    if meeting is None:
        raise NotFound(_("会议不存在。"))
    return meeting


def meeting_checkin(*, by, code: str, request: Any = None) -> Participant:
    """Check in by the meeting's QR: an invited person is marked present; a resident of the
    community who was not invited joins as a resident (列席)."""
    meeting = meeting_from_code(code)
    if not getattr(by, "is_authenticated", False):
        raise Forbidden(_("请先登录。"))
    if meeting.status == Meeting.Status.CANCELLED:
        raise UserError(_("会议已取消。"))
    now = timezone.now()
    if not in_window(now, meeting.starts_at, meeting.ends_at):
        raise UserError(_("不在签到时间内（会前 30 分钟至会后 30 分钟）。"))
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update().filter(meeting=meeting, user=by).first()
        )
        if participant is None:
            if meeting.scope_code not in home_communities(by):
                raise Forbidden(_("您不在这次会议的参会范围内。"))
            try:
                with transaction.atomic():
                    participant = Participant.objects.create(
                        meeting=meeting,
                        category=Category.RESIDENT,
                        name=by.full_name or by.username,
                        user=by,
                        invited=False,
                    )
            except IntegrityError:  # the same phone twice at once
                raise UserError(_("您已签到，无需重复签到。"), status=409) from None
        elif participant.present:
            raise UserError(_("您已签到，无需重复签到。"), status=409)
        participant.present, participant.method = True, Participant.Method.QR
        participant.checked_in_at = now
        participant.save()
        audit(
            actor=by,
            action="deliberation.checkin",
            obj=meeting,
            request=request,
            detail={"participant": participant.pk},
        )
    return participant


@transaction.atomic
def minutes_publish(
    *, by, meeting: Meeting, minutes: str, resolutions: str = "", request: Any = None
) -> Meeting:
    """Record the minutes and resolutions: the meeting counts as held and the participants who
    were present are asked to read and approve them. Changed minutes are asked again."""
    meeting = _lock(meeting)
    _require_manager(by, meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise UserError(_("会议已取消。"))
    if meeting.starts_at > timezone.now():
        raise UserError(_("会议尚未开始，不能登记会议纪要。"))
    minutes = (minutes or "").strip()
    if not minutes:
        raise UserError(_("请填写会议纪要。"), field="minutes")
    changed = minutes != meeting.minutes
    meeting.minutes, meeting.resolutions = minutes, (resolutions or "").strip()
    meeting.status = Meeting.Status.HELD
    meeting.minutes_published_at = timezone.now()
    meeting.save()
    if changed:  # approvals were of the earlier text
        meeting.participants.filter(approved_at__isnull=False).update(approved_at=None)
    audit(
        actor=by,
        action="deliberation.minutes",
        obj=meeting,
        request=request,
        detail={"changed": changed},
    )
    return meeting


@transaction.atomic
def minutes_approve(*, by, meeting: Meeting, comment: str = "", request: Any = None) -> Participant:
    """A participant who was present approves the minutes (with a remark, if any)."""
    meeting = _lock(meeting)
    participant = (
        Participant.objects.select_for_update().filter(meeting=meeting, user=by).first()
        if getattr(by, "is_authenticated", False)
        else None
    )
    if participant is None or not participant.present:
        raise Forbidden(_("只有出席会议的人员可以确认会议纪要。"))
    if meeting.minutes_published_at is None:
        raise UserError(_("会议纪要尚未发布。"), status=409)
    if participant.approved_at is not None:
        raise UserError(_("您已确认过会议纪要。"), status=409)
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise UserError(_("意见不能超过 500 字。"), field="comment")
    participant.approved_at, participant.comment = timezone.now(), comment
    participant.save()
    audit(
        actor=by,
        action="deliberation.minutes_approve",
        obj=meeting,
        request=request,
        detail={"participant": participant.pk, "comment": comment},
    )
    return participant


@transaction.atomic
def meeting_cancel(*, by, meeting: Meeting, reason: str, request: Any = None) -> Meeting:
    meeting = _lock(meeting)
    _require_manager(by, meeting)
    if meeting.status != Meeting.Status.PLANNED:
        raise UserError(_("只有尚未召开的会议可以取消。"), status=409)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("请填写取消原因。"), field="reason")
    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    booking = meeting.booking
    if booking is not None and booking.status in (Booking.Status.PENDING, Booking.Status.APPROVED):
        booking_cancel(by=by, booking=booking, reason=reason, request=request)  # the time is free
    audit(
        actor=by,
        action="deliberation.meeting_cancel",
        obj=meeting,
        request=request,
        detail={"reason": reason[:300]},
    )
    return meeting


@transaction.atomic
def meeting_add_photos(*, by, meeting: Meeting, files: list[Any], request=None) -> list:
    """Photos of the meeting for its record: checked by content and resized (core.photos)."""
    meeting = _lock(meeting)
    _require_manager(by, meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise UserError(_("会议已取消。"))
    if not [f for f in files if f]:
        raise UserError(_("请选择照片。"), field="photos")
    prepared = prepare_photos(files)
    if meeting.photos.count() + len(prepared) > MAX_PHOTOS:
        raise UserError(
            _("一次会议最多保存 {most} 张照片。").format(most=MAX_PHOTOS), field="photos"
        )
    photos = [MeetingPhoto.objects.create(meeting=meeting, image=f) for f in prepared]
    audit(
        actor=by,
        action="deliberation.meeting_photos",
        obj=meeting,
        request=request,
        detail={"photos": len(photos)},
    )
    return photos


def attendance_summary(meeting: Meeting, participants: list[Participant]) -> dict[str, Any]:
    """Invited and present by category, and the quorum the kind's rule sets."""
    rows: dict[str, dict[str, Any]] = {}
    for p in participants:
        row = rows.setdefault(
            p.category,
            {"category": p.category, "label": p.get_category_display(), "invited": 0, "present": 0},
        )
        row["invited"] += int(p.invited)
        row["present"] += int(p.present)
    invited = sum(int(p.invited) for p in participants)
    present = sum(int(p.present) for p in participants)
    present_invited = sum(int(p.invited and p.present) for p in participants)
    needed = meeting.kind.quorum_needed(invited)
    return {
        "by_category": [rows[c] for c in Category.values if c in rows],
        "invited": invited,
        "present": present,
        "needed": needed,
        "has_quorum": bool(meeting.kind.quorum),
        "met": present_invited >= needed if meeting.kind.quorum else None,
    }
