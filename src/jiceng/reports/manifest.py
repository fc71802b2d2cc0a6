"""What reports gives the shared surfaces: the console pages (台账与报表: the books, the monthly
reports, the requests to the communities), the API, the to-dos (requests a community still owes,
files ready in the last week), the audit labels, and the burden indicator: of the requests the
communities answered in a period, the share answered with a book the platform made."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import (
    RATE,
    Api,
    Indicator,
    NavItem,
    Todo,
    Urls,
    register_audit_actions,
    register_component,
    register_indicator,
)
from jiceng.reports.models import Generation, RequestAnswer
from jiceng.reports.permissions import CONSOLE_ROLES, answers_to_give, visible_generations


def _todos(user):
    if not user.has_role(*CONSOLE_ROLES):
        return []
    week = timezone.now() - timedelta(days=7)
    return [
        Todo(_("待报送的报送要求"), reverse("reports:requests"), answers_to_give(user)),
        Todo(
            _("近一周生成的月报"),
            reverse("reports:monthly"),
            visible_generations(user).filter(
                kind=Generation.Kind.MONTHLY,
                status=Generation.Status.DONE,
                finished_at__gte=week,
                scope_code__in=user.scopes_for(*CONSOLE_ROLES),
            ),
        ),
    ]


def answered_from_records(within: str, start, end) -> dict[str, tuple[int, int]]:
    """Of the answers each community gave in [start, end), those made from recorded data."""
    rows = (
        RequestAnswer.objects.within(within)
        .filter(status=RequestAnswer.Status.ANSWERED, answered_at__gte=start, answered_at__lt=end)
        .values_list("scope_code")
        .annotate(n=Count("id"), made=Count("id", filter=Q(from_records=True)))
        .order_by()
    )
    return {code: (made, n) for code, n, made in rows}


register_indicator(
    Indicator(
        key="reports.answered_from_records",
        name=_("报送由平台台账生成的比例"),
        definition=_(
            "期内社区回应街道、区报送要求的次数中，直接用平台记录生成的台账报送的比例"
            "（其余为手工填报）：越高，基层重复填报越少。"
        ),
        unit="%",
        domain="governance",
        category="burden",
        compute=answered_from_records,
        kind=RATE,
        records=lambda user, code, start, end: reverse("reports:requests") + f"?place={code}",
        order=90,
    )
)

register_audit_actions(
    {
        "reports.book_download": _("台账：下载"),
        "reports.file_download": _("台账与报表：下载生成的文件"),
        "reports.generation_request": _("台账与报表：申请生成"),
        "reports.request_create": _("报送要求：发起"),
        "reports.answer": _("报送要求：社区报送"),
    }
)

register_component(
    "reports",
    nav=[NavItem("reports", _("台账与报表"), "reports:index", CONSOLE_ROLES, order=95)],
    urls=[Urls("console/reports/", "jiceng.reports.urls")],
    api=[Api("/reports", "jiceng.reports.api.router")],
    todos=_todos,
)
