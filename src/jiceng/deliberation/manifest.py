"""What deliberation gives the shared surfaces: the console pages (议事协商) and the resident's
phone pages, the API, the links on the resident and member homes, the to-dos (issues waiting,
minutes to approve, matters at a step), the meeting photos' folder, the audit labels, and the
indicators: issues collected and solved per community and month, and the share solved."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import (
    COUNT,
    RATE,
    Api,
    HomeCard,
    HomeLink,
    Indicator,
    NavItem,
    Todo,
    Urls,
    register_audit_actions,
    register_component,
    register_indicator,
    register_uploads,
)
from jiceng.deliberation.models import Issue, Matter
from jiceng.deliberation.permissions import (
    CONSOLE_ROLES,
    READER_ROLES,
    staff_issues,
    staff_meetings,
    visible_matters,
    visible_meetings,
)
from jiceng.deliberation.selectors import minutes_waiting, public_context

SOLVED = (Issue.Status.CARRIED_OUT, Issue.Status.REPORTED)


def _todos(user):
    if not user.has_role(*READER_ROLES):
        return []
    meetings = staff_meetings(user)
    base = reverse("deliberation:meetings")
    return [
        Todo(
            _("待列入议程的议题"),
            reverse("deliberation:issues") + "?status=collected",
            staff_issues(user).filter(status=Issue.Status.COLLECTED),
        ),
        Todo(_("纪要待参会人员确认的会议"), base + "?minutes=pending", minutes_waiting(meetings)),
        Todo(
            _("进行中的五步法事项"),
            reverse("deliberation:matters") + "?open=1",
            visible_matters(user).exclude(status__in=[Matter.Status.DONE, Matter.Status.WITHDRAWN]),
        ),
    ]


def _may_see_photo(user, name: str) -> bool:
    """A meeting's photos show to whoever may open the meeting."""
    return visible_meetings(user).filter(photos__image=name).exists()


def _grouped(rows) -> dict[str, tuple[int, int]]:
    return {
        code: (n, 0)
        for code, n in rows.values_list("scope_code").annotate(n=Count("id")).order_by()
    }


def issues_collected(within: str, start, end) -> dict[str, tuple[int, int]]:
    """Issues raised in [start, end) in each community."""
    return _grouped(Issue.objects.within(within).filter(created_at__gte=start, created_at__lt=end))


def issues_solved(within: str, start, end) -> dict[str, tuple[int, int]]:
    """Issues carried out in [start, end) in each community (whenever they were raised)."""
    return _grouped(Issue.objects.within(within).filter(solved_at__gte=start, solved_at__lt=end))


def issues_solved_share(within: str, start, end) -> dict[str, tuple[int, int]]:
    """Of the issues raised in [start, end), how many are carried out by now."""
    rows = (
        Issue.objects.within(within)
        .filter(created_at__gte=start, created_at__lt=end)
        .values_list("scope_code")
        .annotate(n=Count("id"), solved=Count("id", filter=Q(status__in=SOLVED)))
        .order_by()
    )
    return {code: (solved, n) for code, n, solved in rows}


def _records(user, code: str, start, end) -> str:
    return reverse("deliberation:issues") + (f"?community={code}" if len(code) == 12 else "")


register_indicator(
    Indicator(
        key="deliberation.issues_collected",
        name=_("收集议题数"),
        definition=_("期内在社区提出的议题数（会上提出、居民手机提交、来自诉求案件和需求清单）。"),
        unit=_("件"),
        domain="governance",
        category="deliberation",
        compute=issues_collected,
        kind=COUNT,
        records=_records,
        public=True,
        order=10,
    )
)
register_indicator(
    Indicator(
        key="deliberation.issues_solved",
        name=_("解决议题数"),
        definition=_("期内登记落实的议题数（状态为“已落实”或“已反馈”，按落实时间计）。"),
        unit=_("件"),
        domain="governance",
        category="deliberation",
        compute=issues_solved,
        kind=COUNT,
        records=_records,
        public=True,
        order=20,
    )
)
register_indicator(
    Indicator(
        key="deliberation.issues_solved_share",
        name=_("议题解决率"),
        definition=_("期内提出的议题中，至今已落实的比例（已落实数 ÷ 提出数）。"),
        unit="%",
        domain="governance",
        category="deliberation",
        compute=issues_solved_share,
        kind=RATE,
        records=_records,
        public=True,
        order=30,
    )
)

register_uploads("deliberation/", _may_see_photo)


register_audit_actions(
    {
        "deliberation.meeting_create": _("议事会议：安排"),
        "deliberation.participant_add": _("议事会议：邀请参会人员"),
        "deliberation.attendance": _("议事会议：登记出席"),
        "deliberation.checkin": _("议事会议：扫码签到"),
        "deliberation.minutes": _("议事会议：发布纪要"),
        "deliberation.minutes_approve": _("议事会议：确认纪要"),
        "deliberation.meeting_cancel": _("议事会议：取消"),
        "deliberation.meeting_photos": _("议事会议：上传照片"),
        "deliberation.issue.raise": _("议题：提出"),
        "deliberation.matter.propose": _("五步法事项：党组织提议"),
    }
)

register_component(
    "deliberation",
    nav=[NavItem("deliberation", _("议事协商"), "deliberation:meetings", CONSOLE_ROLES, order=75)],
    urls=[
        Urls("console/deliberation/", "jiceng.deliberation.urls"),
        Urls("m/deliberation/", "jiceng.deliberation.mobile_urls"),
    ],
    api=[Api("/deliberation", "jiceng.deliberation.api.router")],
    home_links=[
        HomeLink("resident", "deliberation", _("议事协商"), "deliberation_m:home", order=50),
        HomeLink("member", "deliberation", _("议事协商"), "deliberation_m:home", order=50),
    ],
    # the community's public page (cases' open/<code>/) draws the cards of the
    # "public_community" home: where each of its five-step matters stands
    home_cards=[
        HomeCard(
            "public_community",
            "deliberation.matters",
            "deliberation/_public_matters.html",
            lambda user, place: public_context(community=place["division"]),
            order=20,
        )
    ],
    todos=_todos,
)

# polls, surveys, selections, compacts; and the record books
from jiceng.deliberation import books, manifest_polls  # noqa: E402, F401
