"""The progress side's registrations (manifest.py calls ``register_progress_side``; the funds
side adds its own module beside it)."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES, Role
from jiceng.core.registry import (
    RATE,
    YEAR,
    Api,
    BookColumn,
    HomeCard,
    HomeLink,
    Indicator,
    NavItem,
    RecordBook,
    Todo,
    Urls,
    WarningSource,
    register_audit_actions,
    register_component,
    register_indicator,
    register_record_book,
    register_uploads,
    register_warning_source,
)
from jiceng.projects.models import Project, Rectification
from jiceng.projects.permissions import (
    CONSOLE_ROLES,
    SUPERVISOR_ROLES,
    staff_projects,
    visible_items,
    visible_projects,
    visible_supervisions,
)
from jiceng.projects.selectors import public_projects
from jiceng.projects.services import due_reports
from jiceng.projects.warnings import late_report_alerts, open_item_alerts


def _todos(user):
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    lines = []
    mine = due_reports(today).filter(owner=user)
    lines.append(Todo(_("本月待报告进展的项目"), reverse("projects_m:home"), mine, home="member"))
    if user.has_role(*MANAGER_ROLES):
        base = reverse("projects:supervisions")
        supervisions = visible_supervisions(user)
        # counted as the supervisions the linked list shows (one row each, however many items)
        to_close = supervisions.filter(
            pk__in=Rectification.objects.filter(
                status=Rectification.Status.OPEN, owner=user
            ).values("supervision_id")
        )
        late = to_close.filter(
            pk__in=Rectification.objects.filter(
                status=Rectification.Status.OPEN, owner=user, deadline__lt=today
            ).values("supervision_id")
        )
        lines.append(Todo(_("待整改的督查事项"), base + "?items=mine", to_close, late))
        if user.has_role(*SUPERVISOR_ROLES):
            lines.append(
                Todo(
                    _("待核验的整改事项"),
                    base + "?items=verify",
                    supervisions.filter(
                        pk__in=Rectification.objects.filter(
                            status=Rectification.Status.SUBMITTED
                        ).values("supervision_id")
                    ),
                )
            )
        lines.append(
            Todo(
                _("本月未报告进展的项目"),
                reverse("projects:list") + "?due=1",
                due_reports(today).filter(pk__in=staff_projects(user).values("pk")),
            )
        )
    return lines


def _may_see_photo(user, name: str) -> bool:
    """A report's photos show to whoever may open the project; a rectification photo to whoever
    may see the item."""
    if name.startswith("projects/reports/"):
        return visible_projects(user).filter(reports__photos__image=name).exists()
    return visible_items(user).filter(photo=name).exists()


def projects_on_time(within: str, start, end) -> dict[str, tuple[int, int]]:
    """Of the projects whose deadline falls in [start, end), how many were done by it."""
    rows = (
        Project.objects.within(within)
        .filter(ends_on__gte=start, ends_on__lt=end)
        .exclude(status=Project.Status.CANCELLED)
        .values_list("scope_code")
        .annotate(
            n=Count("id"),
            ok=Count("id", filter=Q(status=Project.Status.DONE, done_on__lte=F("ends_on"))),
        )
        .order_by()
    )
    return {code: (ok, n) for code, n, ok in rows}


def rectified_on_time(within: str, start, end) -> dict[str, tuple[int, int]]:
    """Of the rectification items due in [start, end), how many were closed (reported done and
    then verified) by their deadline."""
    rows = (
        Rectification.objects.within(within)
        .filter(
            deadline__gte=start,
            deadline__lt=end,
        )
        .values_list("scope_code")
        .annotate(
            n=Count("id"),
            ok=Count(
                "id",
                filter=Q(status=Rectification.Status.VERIFIED, closed_at__date__lte=F("deadline")),
            ),
        )
        .order_by()
    )
    return {code: (ok, n) for code, n, ok in rows}


def _records(user, code: str, start, end) -> str:
    return reverse("projects:list")


def _ledger_rows(user, code: str, start, end):
    rows = (
        Project.objects.within(code)
        .filter(starts_on__lt=end, ends_on__gte=start)
        .order_by("scope_code", "id")
        .values_list(
            "title",
            "kind__name",
            "place__name",
            "owner__full_name",
            "unit__name",
            "starts_on",
            "ends_on",
            "status",
            "progress",
            "reported_month",
        )
    )
    labels = dict(Project.Status.choices)
    for title, kind, place, owner, unit, starts, ends, status, progress, month in rows.iterator():
        yield (
            title,
            kind,
            place,
            owner or "",
            unit or "",
            starts,
            ends,
            str(labels.get(status, status)),
            progress,
            month.strftime("%Y-%m") if month else "",
        )


def _public_card(user, place):
    community = place["division"]
    nodes = [n for n in public_projects(community.code, timezone.localdate().year) if n.depth == 0]
    return {"nodes": nodes[:6], "code": community.code}


def register_progress_side() -> None:
    register_component(
        "projects",
        nav=[NavItem("projects", _("项目与督查"), "projects:list", CONSOLE_ROLES, order=78)],
        urls=[
            Urls("console/projects/", "jiceng.projects.urls"),
            Urls("m/projects/", "jiceng.projects.mobile_urls"),
        ],
        api=[Api("/projects", "jiceng.projects.api.router")],
        home_links=[
            HomeLink("member", "projects", _("项目"), "projects_m:home", order=60),
            HomeLink("resident", "projects", _("社区项目"), "projects_m:home", order=60),
            HomeLink(
                "member",
                "projects.commitments",
                _("承诺与述职"),
                "projects_m:commitments",
                order=61,
            ),
        ],
        home_cards=[
            HomeCard(
                "public_community",
                "projects.progress",
                "projects/_public_card.html",
                _public_card,
                order=30,
            )
        ],
        todos=_todos,
    )
    register_uploads("projects/", _may_see_photo)
    register_audit_actions(
        {
            "projects.create": _("项目：登记"),
            "projects.update": _("项目：修改"),
            "projects.status": _("项目：更改状态"),
            "projects.step": _("项目：进入下一步"),
            "projects.milestone": _("项目：添加节点"),
            "projects.milestone_done": _("项目：节点完成"),
            "projects.partners": _("项目：共建单位"),
            "projects.link": _("项目：关联回应事项"),
            "projects.proposal": _("实事：居民建议"),
            "projects.report": _("项目：报告月度进展"),
            "projects.supervision_open": _("督查：开展"),
            "projects.findings": _("督查：记录发现"),
            "projects.rectify_ask": _("督查：交办整改"),
            "projects.rectify_close": _("督查：报告整改完成"),
            "projects.rectify_verify": _("督查：核验整改"),
            "projects.supervision_close": _("督查：办结"),
            "projects.commitment": _("承诺：登记"),
            "projects.exchange": _("承诺：季度交流"),
            "projects.evaluation": _("承诺：年终考评"),
        }
    )
    register_indicator(
        Indicator(
            key="projects.on_time",
            name=_("项目按期完成率"),
            definition=_("完成期限在期内的项目（不含已撤销）中，在期限当日或之前标记完成的比例。"),
            unit="%",
            domain="governance",
            category="projects",
            compute=projects_on_time,
            kind=RATE,
            records=_records,
            public=True,
            order=10,
        )
    )
    register_indicator(
        Indicator(
            key="projects.rectified_on_time",
            name=_("督查整改按期销号率"),
            definition=_(
                "整改期限在期内的督查整改事项中，在期限当日或之前报告完成并经督查人员核验销号的比例。"
            ),
            unit="%",
            domain="governance",
            category="projects",
            compute=rectified_on_time,
            kind=RATE,
            records=_records,
            order=20,
        )
    )
    register_warning_source(
        WarningSource(
            "projects.reports",
            _("项目月报逾期"),
            late_report_alerts,
            frozenset({Role.COMMUNITY_SECRETARY, Role.STREET_STAFF}),
            order=60,
        )
    )
    register_warning_source(
        WarningSource(
            "projects.rectification",
            _("督查整改未销号"),
            open_item_alerts,
            frozenset({Role.COMMUNITY_SECRETARY, Role.STREET_STAFF}),
            order=61,
        )
    )
    register_record_book(
        RecordBook(
            key="projects.ledger",
            title=_("项目台账"),
            levels=frozenset({"district", "street", "community"}),
            columns=(
                BookColumn("title", _("项目名称"), 24),
                BookColumn("kind", _("项目类型"), 10),
                BookColumn("place", _("所属地区"), 12),
                BookColumn("owner", _("负责人"), 8),
                BookColumn("unit", _("责任单位"), 14),
                BookColumn("starts_on", _("开始日期"), 11),
                BookColumn("ends_on", _("完成期限"), 11),
                BookColumn("status", _("状态"), 8),
                BookColumn("progress", _("进度(%)"), 7),
                BookColumn("reported", _("最近报告月份"), 10),
            ),
            rows=_ledger_rows,
            roles=CONSOLE_ROLES,
            period=YEAR,
            signatures=(_("记录人"), _("审核人")),
            definition=_("期内在实施的项目：类型、负责人、期限、状态和最近一次月报的进度。"),
        )
    )
