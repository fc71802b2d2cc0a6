"""The party's meetings (三会一课, 主题党日): arranging, minutes, cancelling, photos, the QR
check-in and attendance. Keyword-only functions, one transaction each, audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.audit import audit
from jiceng.core.checkin import RotatingCode, in_window
from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.core.photos import prepare_photos
from jiceng.party import scoring
from jiceng.party.models import Attendance, Meeting, MeetingKind, MeetingPhoto, Member, PartyOrg
from jiceng.party.permissions import member_of
from jiceng.party.services import _require_manager

# The meeting's QR: core's rotating code (one mechanism for every kind of meeting).
CHECKIN = RotatingCode("jiceng.party.checkin")
CHECKIN_MAX_AGE = CHECKIN.max_age
CHECKIN_REFRESH = CHECKIN.refresh


@transaction.atomic
def meeting_create(
    *,
    by,
    org: PartyOrg,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    agenda: str = "",
) -> Meeting:
    """Plan a meeting of an organization (三会一课, 主题党日 ...)."""
    _require_manager(by, org)
    if kind not in MeetingKind.values:
        raise UserError(_("未知的会议类型。"), field="kind")
    if not title.strip():
        raise UserError(_("请填写会议主题。"), field="title")
    if ends_at <= starts_at:
        raise UserError(_("结束时间应晚于开始时间。"), field="ends_at")
    if kind == MeetingKind.GROUP_MEETING and org.kind != PartyOrg.Kind.GROUP:
        raise UserError(_("党小组会应由党小组召开。"), field="kind")
    meeting = Meeting.objects.create(
        org=org,
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        agenda=agenda,
        created_by=by,
        scope_code=org.scope_code,
    )
    audit(actor=by, action="party.meeting_create", obj=meeting)
    return meeting


@transaction.atomic
def meeting_record(*, by, meeting: Meeting, minutes: str) -> Meeting:
    """Record the minutes: the meeting counts as held."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manager(by, meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise UserError(_("会议已取消。"))
    if meeting.starts_at > timezone.now():
        raise UserError(_("会议尚未开始，不能登记会议记录。"))
    if not minutes.strip():
        raise UserError(_("请填写会议记录。"), field="minutes")
    meeting.minutes, meeting.status = minutes, Meeting.Status.HELD
    meeting.save(update_fields=["minutes", "status", "updated_at"])
    audit(actor=by, action="party.meeting_record", obj=meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, by, meeting: Meeting, reason: str) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manager(by, meeting)
    if meeting.status != Meeting.Status.PLANNED:
        raise UserError(_("只有尚未召开的会议可以取消。"))
    if not reason.strip():
        raise UserError(_("请填写取消原因。"), field="reason")
    meeting.status = Meeting.Status.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    audit(actor=by, action="party.meeting_cancel", obj=meeting, detail={"reason": reason})
    return meeting


MAX_MEETING_PHOTOS = 30


@transaction.atomic
def meeting_add_photos(*, by, meeting: Meeting, files: list[Any]) -> list[MeetingPhoto]:
    """Photos of a meeting for its record: checked by content and resized, as case photos are."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manager(by, meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise UserError(_("会议已取消。"))
    if not [f for f in files if f]:
        raise UserError(_("请选择照片。"), field="photos")
    prepared = prepare_photos(files)
    if meeting.photos.count() + len(prepared) > MAX_MEETING_PHOTOS:
        raise UserError(
            _("一次会议最多保存 {most} 张照片。").format(most=MAX_MEETING_PHOTOS), field="photos"
        )
    photos = [MeetingPhoto.objects.create(meeting=meeting, image=f) for f in prepared]
    audit(actor=by, action="party.meeting_photos", obj=meeting, detail={"photos": len(photos)})
    return photos


def checkin_code(meeting: Meeting) -> str:
    """A signed, time-stamped code for the meeting's QR (valid CHECKIN_MAX_AGE seconds)."""
    return CHECKIN.sign(meeting.pk)


def _meeting_from_code(code: str) -> Meeting:
    pk = CHECKIN.read(code)
    meeting = Meeting.objects.select_related("org").filter(pk=int(pk)).first()
    if meeting is None:
        raise NotFound(_("会议不存在。"))
    return meeting


def meeting_checked_in(*, by, code: str) -> Attendance | None:
    """The person's check-in at the meeting the code names, if they checked in already (reads
    only); None when the code does not read or there is none, so that the scan page offers the
    button and the check-in itself explains a refusal."""
    member = member_of(by)
    if member is None:
        return None
    try:
        meeting = _meeting_from_code(code)
    except UserError:
        return None
    return (
        Attendance.objects.select_related("meeting")
        .filter(meeting=meeting, member=member, status=Attendance.Status.PRESENT)
        .first()
    )


def _belongs(member: Member, meeting: Meeting) -> bool:
    """A meeting is for the members of its organization and of the groups under it."""
    if member.org_id == meeting.org_id:
        return True
    return member.org.parent_id == meeting.org_id


def _earn_for_attendance(attendance: Attendance, meeting: Meeting, member: Member, by) -> int:
    return scoring.earned(
        source=f"party.meeting.{meeting.kind}",
        source_key=f"attendance:{attendance.pk}",
        member=member,
        occurred_at=attendance.checked_in_at,
        by=by,
    )


def meeting_checkin(*, by, code: str, request: Any = None) -> tuple[Attendance, int]:
    """A member checks in by the meeting's QR code; returns the attendance and the points booked.

    Many phones at once: the unique (meeting, member) row decides; a second scan is refused.
    """
    meeting = _meeting_from_code(code)
    member = member_of(by)
    if member is None:
        raise Forbidden(_("只有党员可以签到。"))
    if not _belongs(member, meeting):
        raise Forbidden(_("这是其他党组织的会议，您不在参会范围内。"))
    if meeting.status == Meeting.Status.CANCELLED:
        raise UserError(_("会议已取消。"))
    now = timezone.now()
    if not in_window(now, meeting.starts_at, meeting.ends_at):
        raise UserError(_("不在签到时间内（会前 30 分钟至会后 30 分钟）。"))
    with transaction.atomic():
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    meeting=meeting,
                    member=member,
                    status=Attendance.Status.PRESENT,
                    method=Attendance.Method.QR,
                    checked_in_at=now,
                )
        except IntegrityError:
            attendance = Attendance.objects.select_for_update().get(meeting=meeting, member=member)
            if attendance.status == Attendance.Status.PRESENT:
                raise UserError(_("您已签到，无需重复签到。"), status=409) from None
            # Had asked for leave, came after all.
            attendance.status, attendance.method, attendance.checked_in_at, attendance.reason = (
                Attendance.Status.PRESENT,
                Attendance.Method.QR,
                now,
                "",
            )
            attendance.save()
        points = _earn_for_attendance(attendance, meeting, member, by)
        audit(
            actor=by,
            action="party.checkin",
            obj=meeting,
            request=request,
            detail={"member": member.pk, "points": points},
        )
    return attendance, points


@transaction.atomic
def attendance_record(
    *, by, meeting: Meeting, member: Member, present: bool, reason: str = ""
) -> Attendance:
    """Staff record attendance by hand (补登), or an absence with its reason; a member may report
    their own absence."""
    own = member.user_id is not None and member.user_id == getattr(by, "pk", None)
    if not (own and not present):
        _require_manager(by, meeting)
    if not _belongs(member, meeting):
        raise UserError(_("该党员不在本次会议的参会范围内。"), field="member")
    if not present and not reason.strip():
        raise UserError(_("请假须说明事由。"), field="reason")
    attendance = (
        Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    )
    if attendance is not None and attendance.status == Attendance.Status.PRESENT:
        raise UserError(_("该党员已签到。"))
    if attendance is None:
        attendance = Attendance(meeting=meeting, member=member)
    attendance.status = (
        Attendance.Status.PRESENT if present else Attendance.Status.ABSENT_WITH_REASON
    )
    attendance.method = Attendance.Method.MANUAL if present else ""
    attendance.reason = "" if present else reason
    attendance.checked_in_at = timezone.now() if present else None
    attendance.save()
    if present:
        _earn_for_attendance(attendance, meeting, member, by)
    audit(
        actor=by,
        action="party.attendance_record",
        obj=meeting,
        detail={"member": member.pk, "present": present, "reason": reason},
    )
    return attendance
