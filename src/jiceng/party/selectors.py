"""Scoped reads of the party app: lists with their joins, frequencies and dues warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import NotFound, UserError
from jiceng.party.dues import add_months, first_of_month, member_dues, months_between
from jiceng.party.models import (
    Attendance,
    DuesPayment,
    DuesRule,
    Meeting,
    MeetingFrequency,
    Member,
    PartyOrg,
    Registration,
)
from jiceng.party.permissions import (
    visible_meetings,
    visible_members,
    visible_orgs,
    visible_registrations,
)

# Dues unpaid this many months in a row: warn (the constitution's limit is six, article 9).
ARREARS_WARNING_MONTHS = 3


def org_list(*, user, kind: str | None = None) -> QuerySet[PartyOrg]:
    orgs = visible_orgs(user).filter(is_active=True).select_related("parent", "partner")
    return orgs.filter(kind=kind) if kind else orgs


def member_list(*, user, org_id: int | None = None, query: str = "") -> QuerySet[Member]:
    members = visible_members(user).filter(is_active=True).select_related("org")
    if org_id:
        members = members.filter(org_id=org_id)
    if query:
        members = members.filter(Q(name__icontains=query) | Q(work_unit__icontains=query))
    return members.order_by("org__scope_code", "name", "id")


def member_detail(*, user, pk: int) -> Member:
    member = (
        visible_members(user)
        .select_related("org", "partner", "user")
        .prefetch_related("transfers__from_org", "transfers__to_org")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise NotFound(_("党员不存在，或不在您的管辖范围内。"))
    return member


def this_week(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Monday 00:00 of the current week and the Monday after, local time."""
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time.min, tzinfo=timezone.get_current_timezone())
    return start, start + timedelta(days=7)


def meetings_due_this_week(*, user) -> QuerySet[Meeting]:
    """The planned meetings of this week the user sees (minutes not yet recorded)."""
    start, end = this_week()
    return visible_meetings(user).filter(
        status=Meeting.Status.PLANNED, starts_at__gte=start, starts_at__lt=end
    )


def meeting_list(
    *, user, org_id: int | None = None, due_this_week: bool = False
) -> QuerySet[Meeting]:
    meetings = meetings_due_this_week(user=user) if due_this_week else visible_meetings(user)
    meetings = meetings.select_related("org").annotate(
        present=Count("attendances", filter=Q(attendances__status="present"))
    )
    if org_id:
        meetings = meetings.filter(org_id=org_id)
    return meetings.order_by("-starts_at", "-id")


def meeting_detail(*, user, pk: int) -> Meeting:
    meeting = (
        visible_meetings(user)
        .select_related("org", "created_by")
        .prefetch_related("attendances__member", "photos")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise NotFound(_("会议不存在，或不在您的管辖范围内。"))
    return meeting


@dataclass
class RollRow:
    member: Member
    attendance: Any  # Attendance or None


def meeting_roll(*, meeting: Meeting) -> list[RollRow]:
    """Who is expected at a meeting (its organization's members and those of the groups under
    it) with what each did: checked in, asked for leave, or nothing yet. Two queries."""
    members = (
        Member.objects.filter(is_active=True)
        .filter(Q(org_id=meeting.org_id) | Q(org__parent_id=meeting.org_id))
        .select_related("org")
        .order_by("org__scope_code", "name", "id")
    )
    marked = {a.member_id: a for a in meeting.attendances.all()}
    rows = [RollRow(m, marked.pop(m.pk, None)) for m in members]
    # Those who attended and have since moved on still show.
    rows += [RollRow(a.member, a) for a in marked.values()]
    return rows


def org_tree(*, user) -> list[tuple[PartyOrg, int]]:
    """The organizations in scope in tree order with their depth, counts of members and
    committee seats annotated. One query."""
    orgs = list(
        org_list(user=user)
        .annotate(
            member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
            seat_count=Count("seats", distinct=True),
        )
        .order_by("scope_code", "id")
    )
    children: dict[int | None, list[PartyOrg]] = {}
    ids = {o.pk for o in orgs}
    for org in orgs:
        parent = org.parent_id if org.parent_id in ids else None
        children.setdefault(parent, []).append(org)
    result: list[tuple[PartyOrg, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in children.get(parent, []):
            result.append((org, depth))
            walk(org.pk, depth + 1)

    walk(None, 0)
    return result


def meetings_for_member(
    *, member: Member, now: datetime | None = None, upcoming: bool = False
) -> QuerySet[Meeting]:
    """The member's organization's meetings around now (the member's own page); ``upcoming``:
    every planned one still to start (the member home's to-do)."""
    now = now or timezone.now()
    orgs = [member.org_id] + ([member.org.parent_id] if member.org.parent_id else [])
    if upcoming:
        return upcoming_meetings(Meeting.objects.filter(org_id__in=orgs), now).select_related("org")
    return (
        Meeting.objects.filter(org_id__in=orgs, ends_at__gte=now - timedelta(days=30))
        .exclude(status="cancelled")
        .select_related("org")
        .order_by("starts_at")[:20]
    )


def upcoming_meetings(meetings: QuerySet[Meeting], now: datetime | None = None):
    return meetings.filter(status=Meeting.Status.PLANNED, starts_at__gte=now or timezone.now())


def member_meetings_to_come(*, user) -> QuerySet[Meeting]:
    """The planned meetings still to come of the organizations of the user's member record and
    those right above them, in one statement (no member record read first)."""
    members = Member.objects.filter(user=user, is_active=True)
    own = Q(org_id__in=members.values("org_id")) | Q(org_id__in=members.values("org__parent_id"))
    return upcoming_meetings(Meeting.objects.filter(own)).order_by("starts_at")


def unpaid_months(*, user, today: date | None = None) -> int:
    """How many months in a row up to last month the user's member record has not paid dues
    (0 without one): one query."""
    member = (
        Member.objects.filter(user=user, is_active=True)
        .annotate(last_paid=Max("dues_payments__month"))
        .only("pk", "dues_from")
        .first()
    )
    if member is None:
        return 0
    this_month = first_of_month(today or timezone.localdate())
    start = first_of_month(member.dues_from)
    if member.last_paid is not None:
        start = max(start, add_months(member.last_paid, 1))
    return max(0, months_between(start, this_month))


def registration_list(*, user, status: str | None = None) -> QuerySet[Registration]:
    regs = visible_registrations(user).select_related(
        "member", "member__org", "org", "org__partner", "community"
    )
    return regs.filter(status=status) if status else regs


def volunteer_pool(*, community_codes: list[str]) -> QuerySet[Member]:
    """Members registered with these communities (双报到): the community's volunteer pool."""
    registered = Registration.objects.within(*community_codes).filter(
        status="approved", kind="member"
    )
    return Member.objects.filter(
        is_active=True, pk__in=registered.values("member_id")
    ).select_related("org")


# --- branch life: frequencies of the 2018 regulations -----------------------------------------


def period_of(period: str, day: date) -> tuple[date, date]:
    """The calendar month, quarter or year that holds ``day``: [start, end)."""
    if period == "month":
        start = day.replace(day=1)
        return start, add_months(start, 1)
    if period == "quarter":
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return start, add_months(start, 3)
    start = date(day.year, 1, 1)
    return start, date(day.year + 1, 1, 1)


@dataclass
class FrequencyState:
    org: PartyOrg
    frequency: MeetingFrequency
    start: date
    end: date
    held: int
    state: str  # "met", "due" (time left), "warning" (period ends soon), "missed_last"

    @property
    def days_left(self) -> int:
        return (self.end - timezone.localdate()).days


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def frequency_status(
    *, user, today: date | None = None, org_id: int | None = None, orgs: Any = None
) -> list[FrequencyState]:
    """For each branch (and group) in scope (or of ``orgs``) and each frequency that applies:
    how many meetings were held this period and whether to warn. Two queries whatever the
    number of branches."""
    today = today or timezone.localdate()
    frequencies = list(MeetingFrequency.objects.filter(is_active=True))
    orgs = org_list(user=user) if orgs is None else orgs
    orgs = orgs.filter(kind__in={f.org_kind for f in frequencies})
    if org_id:
        orgs = orgs.filter(pk=org_id)
    orgs = list(orgs)
    if not orgs or not frequencies:
        return []
    earliest = min(period_of(f.period, today)[0] for f in frequencies)
    earliest = min(earliest, add_months(first_of_month(today), -3))
    held: dict[tuple[int, str], list[date]] = {}
    rows = (
        Meeting.objects.filter(
            org_id__in=[o.pk for o in orgs],
            starts_at__gte=_aware(earliest),
            starts_at__lt=timezone.now(),
        )
        .exclude(status="cancelled")
        .values_list("org_id", "kind", "starts_at")
    )
    for org_id_, kind, starts_at in rows:
        held.setdefault((org_id_, kind), []).append(timezone.localtime(starts_at).date())
    states = []
    for org in orgs:
        for f in frequencies:
            if f.org_kind != org.kind:
                continue
            start, end = period_of(f.period, today)
            dates = held.get((org.pk, f.kind), [])
            count = sum(1 for d in dates if start <= d < end)
            if count >= f.times:
                state = "met"
            elif (end - today).days <= f.warn_days:
                state = "warning"
            else:
                state = "due"
            states.append(FrequencyState(org, f, start, end, count, state))
    return states


# --- dues -------------------------------------------------------------------------------------


@dataclass
class Arrears:
    member: Member
    last_paid: date | None
    unpaid_months: int  # in a row, up to last month

    @property
    def warning(self) -> bool:
        return self.unpaid_months >= ARREARS_WARNING_MONTHS


def dues_arrears(
    *, user, today: date | None = None, org_id: int | None = None, members: Any = None
) -> list[Arrears]:
    """Members in scope with dues unpaid in a row up to last month (this month is not late yet),
    the longest first. One query."""
    today = today or timezone.localdate()
    this_month = first_of_month(today)
    qs = members if members is not None else member_list(user=user, org_id=org_id)
    qs = qs.annotate(last_paid=Max("dues_payments__month"))
    result = []
    for member in qs:
        start = first_of_month(member.dues_from)
        if member.last_paid is not None:
            start = max(start, add_months(member.last_paid, 1))
        unpaid = max(0, months_between(start, this_month))
        if unpaid:
            result.append(Arrears(member, member.last_paid, unpaid))
    result.sort(key=lambda a: (-a.unpaid_months, a.member.name))
    return result


def dues_history(*, member: Member) -> QuerySet[DuesPayment]:
    return DuesPayment.objects.filter(member=member).order_by("-month")


@dataclass
class DuesRow:
    member: Member
    due: Any  # Decimal, or None when no rule applies
    payment: DuesPayment | None


def dues_month(*, user, org_id: int | None, month: date) -> list[DuesRow]:
    """A month's dues of the members in scope (or of one organization): what each owes and
    what was paid. Two queries."""
    members = list(member_list(user=user, org_id=org_id).filter(dues_from__lt=add_months(month, 1)))
    paid = {
        p.member_id: p
        for p in DuesPayment.objects.filter(member__in=[m.pk for m in members], month=month)
    }
    rules = list(DuesRule.objects.all())
    rows = []
    for member in members:
        try:
            due = member_dues(member, rules)
        except UserError:
            due = None
        rows.append(DuesRow(member, due, paid.get(member.pk)))
    return rows


@dataclass
class YearAttendance:
    held: int  # meetings of the member's organization (and the one right above) held that year
    present: int
    leave: int


def attendance_in_year(*, members: list[Member], year: int) -> dict[int, YearAttendance]:
    """Each member's meetings of ``year`` (local time): how many their organization and the one
    right above it held (who is expected, as ``meeting_roll`` reads it), how many they attended
    and for how many they asked leave. Two queries whatever the number of members."""
    start, end = _aware(date(year, 1, 1)), _aware(date(year + 1, 1, 1))
    orgs = {m.org_id for m in members if m.org_id} | {
        m.org.parent_id for m in members if m.org_id and m.org.parent_id
    }
    held = dict(
        Meeting.objects.filter(
            org_id__in=orgs,
            status=Meeting.Status.HELD,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .values("org_id")
        .annotate(n=Count("pk"))
        .values_list("org_id", "n")
    )
    marks: dict[tuple[int, str], int] = {
        (member_id, status): n
        for member_id, status, n in Attendance.objects.filter(
            member_id__in=[m.pk for m in members],
            meeting__status=Meeting.Status.HELD,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
        )
        .values("member_id", "status")
        .annotate(n=Count("pk"))
        .values_list("member_id", "status", "n")
    }
    out = {}
    for m in members:
        parent = m.org.parent_id if m.org_id else None
        out[m.pk] = YearAttendance(
            held=held.get(m.org_id, 0) + (held.get(parent, 0) if parent else 0),
            present=marks.get((m.pk, Attendance.Status.PRESENT), 0),
            leave=marks.get((m.pk, Attendance.Status.ABSENT_WITH_REASON), 0),
        )
    return out
