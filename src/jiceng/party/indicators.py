"""Party's indicators (DESIGN.md "Indicators"): organization coverage, 双报到, branch life,
members, dues and learning. Each ``compute(within, start, end)`` is one GROUP BY by the records'
own ``scope_code`` (``core.indicators.by_scope``); the definitions say what is counted."""

from __future__ import annotations

from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import by_scope, records_link
from jiceng.core.registry import RATE, Indicator, register_indicator
from jiceng.geo.models import Division
from jiceng.party.models import DuesPayment, LearningRecord, Meeting, Member, PartyOrg, Registration
from jiceng.party.models.meetings import Attendance, MeetingKind

ORG_KINDS = ["committee", "working_committee", "general_branch", "branch"]
THREE_MEETINGS = [
    MeetingKind.GENERAL_MEETING,
    MeetingKind.COMMITTEE_MEETING,
    MeetingKind.GROUP_MEETING,
    MeetingKind.LECTURE,
]


def _link(name: str):
    return records_link(name, "party")


def _existing_orgs(within, end):
    """Party organizations on the register that had not been dissolved by ``end`` (the register
    keeps no founding date: an organization counts in every period before its dissolution)."""
    return PartyOrg.objects.within(within).filter(
        Q(is_active=True, dissolved_at__isnull=True) | Q(dissolved_at__gte=end.date())
    )


def orgs(within, start, end):
    return by_scope(_existing_orgs(within, end).filter(kind__in=ORG_KINDS), Count("pk"))


def grid_coverage(within, start, end):
    has_org = Exists(
        _existing_orgs(within, end).filter(division=OuterRef("pk"), kind__in=[*ORG_KINDS, "group"])
    )
    grids = Division.objects.within(within).filter(level="grid", is_active=True)
    return by_scope(grids, Count("pk", filter=Q(has_org)), Count("pk"), scope="code")


def _registrations(within, end, kind):
    return Registration.objects.within(within).filter(
        kind=kind, status=Registration.Status.APPROVED, created_at__lt=end
    )


def registered_members(within, start, end):
    return by_scope(_registrations(within, end, Registration.Kind.MEMBER), Count("pk"))


def registered_orgs(within, start, end):
    return by_scope(_registrations(within, end, Registration.Kind.ORG), Count("pk"))


def _held(within, start, end):
    return Meeting.objects.within(within).filter(
        status=Meeting.Status.HELD, starts_at__gte=start, starts_at__lt=end
    )


def meetings_held(within, start, end):
    return by_scope(_held(within, start, end).filter(kind__in=THREE_MEETINGS), Count("pk"))


def theme_day_rate(within, start, end):
    held = Meeting.objects.filter(
        org=OuterRef("pk"),
        kind=MeetingKind.THEME_DAY,
        status=Meeting.Status.HELD,
        starts_at__gte=start,
        starts_at__lt=end,
    )
    branches = _existing_orgs(within, end).filter(kind="branch")
    return by_scope(branches, Count("pk", filter=Q(Exists(held))), Count("pk"))


def attendance_rate(within, start, end):
    present = (
        Attendance.objects.filter(meeting=OuterRef("pk"), status=Attendance.Status.PRESENT)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    on_roll = (
        Member.objects.filter(org=OuterRef("org"), is_active=True)
        .order_by()
        .values("org")
        .annotate(n=Count("pk"))
        .values("n")
    )
    general = _held(within, start, end).filter(kind=MeetingKind.GENERAL_MEETING)
    return by_scope(
        general,
        Sum(Coalesce(Subquery(present), 0)),
        Sum(Coalesce(Subquery(on_roll), 0)),
    )


def members(within, start, end):
    on_roll = (
        Member.objects.within(within)
        .filter(joined_at__lt=end.date())
        .filter(Q(is_active=True, left_at__isnull=True) | Q(left_at__gte=end.date()))
    )
    return by_scope(on_roll, Count("pk"))


def dues_on_time(within, start, end):
    paid = DuesPayment.objects.filter(
        member__in=Member.objects.within(within),
        month__gte=start.date().replace(day=1),
        month__lt=end.date(),
    )
    # paid within its own month (or ahead of it)
    in_month = Q(paid_month__lte=F("month"))
    paid = paid.annotate(paid_month=TruncMonth("paid_at", output_field=DateField()))
    return by_scope(paid, Count("pk", filter=in_month), Count("pk"), scope="member__scope_code")


def learning_hours(within, start, end):
    rows = LearningRecord.objects.filter(
        member__in=Member.objects.within(within), finished_at__gte=start, finished_at__lt=end
    )
    return by_scope(rows, Sum("minutes") / 60.0, scope="member__scope_code")


def _i(key, name, definition, unit, domain, category, compute, order, **kw):
    register_indicator(
        Indicator(
            f"party.{key}", name, definition, unit, domain, category, compute, order=order, **kw
        )
    )


_i(
    "orgs",
    _("党组织数"),
    _(
        "期末存续的党委、党工委、党总支和党支部个数（不含党小组），按党组织所在区划统计；"
        "来自“党组织”名册（期末尚未撤销的）。"
    ),
    _("个"),
    "organization",
    "org_coverage",
    orgs,
    10,
    records=_link("party:orgs"),
    public=True,
)
_i(
    "grid_coverage",
    _("网格党组织覆盖率"),
    _(
        "期末建有党组织（党支部或党小组等，所在区划为该网格）的网格数 ÷ 启用的网格数。"
        "来自区划名册和“党组织”名册。"
    ),
    "%",
    "organization",
    "org_coverage",
    grid_coverage,
    20,
    kind=RATE,
    records=_link("party:orgs"),
)
_i(
    "registered_members",
    _("在职党员双报到人数"),
    _("期末状态为“已报到”、在期末之前提交的在职党员到居住地社区报到记录数，按报到社区统计。"),
    _("人"),
    "organization",
    "dual_report",
    registered_members,
    30,
    records=_link("party:registrations"),
    public=True,
)
_i(
    "registered_orgs",
    _("单位党组织双报到数"),
    _("期末状态为“已报到”、在期末之前提交的单位党组织到社区报到记录数，按报到社区统计。"),
    _("个"),
    "organization",
    "dual_report",
    registered_orgs,
    40,
    records=_link("party:registrations"),
)
_i(
    "meetings_held",
    _("三会一课召开次数"),
    _(
        "本期开始、状态为“已召开”的支部党员大会、支部委员会会议、党小组会和党课次数，"
        "按召开会议的党组织所在区划统计；来自“会议”记录。"
    ),
    _("次"),
    "branch_life",
    "meetings",
    meetings_held,
    10,
    records=_link("party:meetings"),
    public=True,
)
_i(
    "attendance_rate",
    _("党员大会出席率"),
    _(
        "本期已召开的支部党员大会中签到“出席”的人次 ÷ 应到人次（每次会议所属党组织的在册党员数）；"
        "来自“会议”的签到记录。"
    ),
    "%",
    "branch_life",
    "meetings",
    attendance_rate,
    20,
    kind=RATE,
    records=_link("party:meetings"),
)
_i(
    "theme_day_rate",
    _("主题党日开展率"),
    _("期末存续的党支部中，本期召开过“主题党日”（状态为已召开）的支部数 ÷ 党支部数。"),
    "%",
    "branch_life",
    "theme_day",
    theme_day_rate,
    30,
    kind=RATE,
    records=_link("party:meetings"),
)
_i(
    "members",
    _("在册党员数"),
    _("期末在册的党员人数（入党日期在期末之前、期末未离册），按党员所在区划统计；来自“党员”名册。"),
    _("人"),
    "branch_life",
    "members",
    members,
    40,
    records=_link("party:members"),
    public=True,
)
_i(
    "dues_on_time",
    _("党费按月交纳率"),
    _(
        "所属月份在本期内的党费交纳记录中，在所属月份当月（或提前）交纳的记录数 ÷ 交纳记录数；"
        "按党员所在区划统计，来自“党费”登记。"
    ),
    "%",
    "branch_life",
    "dues",
    dues_on_time,
    50,
    kind=RATE,
    records=_link("party:dues"),
)
_i(
    "learning_hours",
    _("党员学习时长"),
    _(
        "本期完成的学习记录的学习时长合计（分钟折算为小时），按党员所在区划统计；来自学习平台导入的记录。"
    ),
    _("小时"),
    "branch_life",
    "learning",
    learning_hours,
    60,
)
