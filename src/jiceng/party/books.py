"""The party's record books (台账): the 三会一课 records and the theme-day (主题党日) records (each
meeting held: kind, date, place, topic, who was present, absent or on leave, the minutes) and the
dues ledger (党费台账: each member's dues of the month, what was paid and when).

The dues page's Excel download is this book's workbook (``dues_cells`` and
``core.books.workbook``): one definition of the ledger's columns and cells.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.core.audit import audit
from jiceng.core.books import CHUNK, chunked, day, label, local, masked, names, span, within_q
from jiceng.core.errors import UserError
from jiceng.core.registry import (
    BookColumn,
    RecordBook,
    register_audit_actions,
    register_record_book,
)
from jiceng.party.dues import add_months, first_of_month, member_dues
from jiceng.party.indicators import THREE_MEETINGS
from jiceng.party.models import Attendance, DuesPayment, DuesRule, Meeting, MeetingKind, Member
from jiceng.party.selectors import DuesRow

ROLES = frozenset(MANAGER_ROLES)
LEVELS = frozenset({"district", "street", "community"})

MEETING_COLUMNS = (
    BookColumn("org", _("党组织"), 18),
    BookColumn("kind", _("会议类型"), 12),
    BookColumn("date", _("日期"), 17),
    BookColumn("place", _("地点"), 14),
    BookColumn("topic", _("主题"), 20),
    BookColumn("expected", _("应到人数"), 8),
    BookColumn("present", _("实到人数"), 8),
    BookColumn("leave", _("请假人数"), 8),
    BookColumn("absent", _("缺席人数"), 8),
    BookColumn("present_names", _("出席人员"), 24),
    BookColumn("leave_names", _("请假人员（事由）"), 20),
    BookColumn("absent_names", _("缺席人员"), 20),
    BookColumn("minutes", _("会议记录"), 40),
)


def _meeting_rows(code: str, start, end, kinds):
    """The meetings held in [start, end) inside ``code`` of these kinds, each with its roll:
    the members expected (its organization's and those of the groups under it, as the meeting's
    page counts them) and what each did. Three queries per piece of meetings."""
    since, until = span(start, end)
    meetings = (
        Meeting.objects.within(code)
        .filter(
            status=Meeting.Status.HELD, kind__in=kinds, starts_at__gte=since, starts_at__lt=until
        )
        .order_by("starts_at", "id")
        .values_list("pk", "org_id", "org__name", "kind", "starts_at", "place", "title", "minutes")
    )
    for piece in chunked(meetings.iterator(chunk_size=CHUNK), 500):
        ids = [m[0] for m in piece]
        orgs = {m[1] for m in piece}
        marked: dict[int, dict[int, tuple[str, str, str]]] = defaultdict(dict)
        for meeting_id, member_id, name, status, reason in Attendance.objects.filter(
            meeting_id__in=ids
        ).values_list("meeting_id", "member_id", "member__name", "status", "reason"):
            marked[meeting_id][member_id] = (name, status, reason)
        expected: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for member_id, name, org_id, parent_id in (
            Member.objects.filter(is_active=True)
            .filter(Q(org_id__in=orgs) | Q(org__parent_id__in=orgs))
            .order_by("name", "id")
            .values_list("pk", "name", "org_id", "org__parent_id")
        ):
            expected[org_id].append((member_id, name))
            if parent_id in orgs:
                expected[parent_id].append((member_id, name))
        for pk, org_id, org_name, kind, starts_at, place, title, minutes in piece:
            roll = marked.get(pk, {})
            present = [n for n, s, _r in roll.values() if s == Attendance.Status.PRESENT]
            leave = [
                f"{n}（{r}）" if r else n
                for n, s, r in roll.values()
                if s == Attendance.Status.ABSENT_WITH_REASON
            ]
            absent = [n for member_id, n in expected.get(org_id, []) if member_id not in roll]
            yield (
                org_name,
                label(MeetingKind.choices, kind),
                local(starts_at),
                place,
                title,
                len(present) + len(leave) + len(absent),
                len(present),
                len(leave),
                len(absent),
                names(present),
                names(leave),
                names(absent),
                masked(minutes),
            )


def three_meetings_rows(user, code: str, start, end):
    return _meeting_rows(code, start, end, THREE_MEETINGS)


def theme_day_rows(user, code: str, start, end):
    return _meeting_rows(code, start, end, [MeetingKind.THEME_DAY])


DUES_COLUMNS = (
    BookColumn("member", _("党员编号"), 10),
    BookColumn("name", _("姓名"), 10),
    BookColumn("org", _("党组织"), 20),
    BookColumn("income_kind", _("收入类别"), 14),
    BookColumn("due", _("应交（元）"), 10),
    BookColumn("paid", _("实交（元）"), 10),
    BookColumn("paid_at", _("交纳时间"), 12),
)


def dues_cells(rows) -> Any:
    """The dues ledger's cells of ``selectors.DuesRow``s (the page's rows and the book's)."""
    for r in rows:
        yield (
            r.member.pk,
            r.member.name,
            r.member.org.name,
            label(Member.IncomeKind.choices, r.member.income_kind),
            r.due,
            r.payment.amount if r.payment else None,
            day(local(r.payment.paid_at)) if r.payment else None,
        )


def dues_rows(user, code: str, start, end):
    """Every member inside ``code`` who owes dues for the month of ``start``: what is due, what
    was paid and when. Members stream in chunks; the month's payments of the place and the dues
    rules are read once."""
    month = first_of_month(day(start))
    rules = list(DuesRule.objects.all())
    paid = {
        p.member_id: p
        for p in DuesPayment.objects.filter(within_q("member__scope_code", code), month=month)
    }
    members = (
        Member.objects.within(code)
        .filter(is_active=True, dues_from__lt=add_months(month, 1))
        .select_related("org")
        .order_by("org__scope_code", "name", "id")
    )

    def with_dues():
        for member in members.iterator(chunk_size=CHUNK):
            try:
                due = member_dues(member, rules)
            except UserError:
                due = None
            yield DuesRow(member, due, paid.get(member.pk))

    return dues_cells(with_dues())


THREE_MEETINGS_BOOK = RecordBook(
    "party.three_meetings",
    _("“三会一课”记录"),
    LEVELS,
    MEETING_COLUMNS,
    three_meetings_rows,
    ROLES,
    signatures=(_("记录人"), _("支部书记")),
    definition=_("本期召开的支部党员大会、支委会、党小组会和党课：出席、请假、缺席和会议记录。"),
    order=20,
)
THEME_DAY_BOOK = RecordBook(
    "party.theme_days",
    _("主题党日活动记录"),
    LEVELS,
    MEETING_COLUMNS,
    theme_day_rows,
    ROLES,
    signatures=(_("记录人"), _("支部书记")),
    definition=_("本期开展的主题党日：主题、地点、出席、请假、缺席和活动记录。"),
    order=21,
)
DUES_BOOK = RecordBook(
    "party.dues",
    _("党费收缴台账"),
    LEVELS,
    DUES_COLUMNS,
    dues_rows,
    ROLES,
    signatures=(_("经办人"), _("支部书记")),
    definition=_("本月每名党员应交、实交党费和交纳时间。"),
    order=22,
)
for _book in (THREE_MEETINGS_BOOK, THEME_DAY_BOOK, DUES_BOOK):
    register_record_book(_book)

register_audit_actions({"party.dues_book": _("党费台账：下载")})


def dues_book_taken(*, by, month, org, rows: int, request=None) -> None:
    """The dues ledger handed out from the dues page: who took which month of whose."""
    scopes = getattr(by, "scope_codes", None) or [""]
    audit(
        actor=by,
        action="party.dues_book",
        obj=org,
        scope_code=org.scope_code if org is not None else scopes[0],
        request=request,
        detail={"month": f"{month:%Y-%m}", "rows": rows},
    )
