"""What the funds give the shared surfaces: the console pages (资金管理) and the residents'
"where the money went" page, the API, the to-do (spending waiting for the street's approval),
the vouchers' folder, the audit's words, the card on a community's public page, the warning of
a line below its rule, the fund execution rate, and the projects and funds ledger."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import Role
from jiceng.core.indicators import by_scope, records_link
from jiceng.core.registry import (
    RATE,
    YEAR,
    Alert,
    Api,
    BookColumn,
    HomeCard,
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
from jiceng.projects.fund_selectors import (
    KEEPER_ROLES,
    READER_ROLES,
    card_context,
    visible_spending,
    waiting_approval,
)
from jiceng.projects.models import Allocation, FundLine, Spending


def _todos(user):
    if not user.has_role(*KEEPER_ROLES):
        return []
    url = reverse("funds:spending") + "?status=pending"
    return [Todo(_("待审核的资金支出"), url, waiting_approval(user))]


def _may_see_voucher(user, name: str) -> bool:
    """A voucher shows to whoever may open its spending record."""
    return visible_spending(user).filter(voucher=name).exists()


register_uploads("funds/", _may_see_voucher)

register_audit_actions(
    {
        "funds.line_create": _("资金：登记"),
        "funds.line_revise": _("资金：调整额度"),
        "funds.allocate": _("资金：安排给项目"),
        "funds.allocation_revise": _("资金：调整项目安排"),
        "funds.spend": _("资金：登记支出"),
        "funds.approve": _("资金：审核通过支出"),
        "funds.reject": _("资金：退回支出"),
    }
)

register_component(
    "funds",
    nav=[NavItem("funds", _("资金管理"), "funds:lines", READER_ROLES, order=88)],
    urls=[
        Urls("console/projects/funds/", "jiceng.projects.fund_urls"),
        Urls("m/projects/money/", "jiceng.projects.fund_mobile_urls"),
    ],
    api=[Api("/projects/funds", "jiceng.projects.fund_api.router")],
    home_cards=[
        HomeCard(
            "public_community",
            "projects.funds",
            "projects/funds/_public_card.html",
            lambda user, place: card_context(place["division"]),
            order=40,
        )
    ],
    todos=_todos,
)


# --- the warning: a line below its rule --------------------------------------------------------


def lines_below_rule(today: date | None = None) -> list[Alert]:
    """This year's lines of a kind with a minimum (Wuxi's 200,000 yuan per community) that hold
    less, at the level the rule is for."""
    year = (today or timezone.localdate()).year
    rows = (
        FundLine.objects.filter(
            year=year, kind__minimum__isnull=False, amount__lt=F("kind__minimum")
        )
        .filter(Q(kind__rule_level="") | Q(kind__rule_level=F("place__level")))
        .values_list(
            "pk", "scope_code", "place__name", "kind__name", "amount", "kind__minimum", "created_at"
        )
    )
    return [
        Alert(
            key=f"funds.below_rule:{pk}:{year}:{minimum}",
            scope_code=scope,
            title=f"{name}{year}年{kind}{amount}元，低于规定的{minimum}元",
            since=created,
            url=reverse("funds:line", args=[pk]),
            body=f"规定每年不少于{minimum}元，尚差{minimum - amount}元。",
        )
        for pk, scope, name, kind, amount, minimum, created in rows
    ]


register_warning_source(
    WarningSource(
        "funds.below_rule",
        _("资金低于规定额度"),
        lines_below_rule,
        frozenset({Role.STREET_STAFF, Role.DISTRICT_STAFF}),
        order=90,
    )
)


# --- the indicator: fund execution rate --------------------------------------------------------


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def execution_rate(within: str, start, end) -> dict[str, tuple[float, float]]:
    """Per project's place: approved spending dated before the period's end, over the
    allocations, for the fund years the period touches."""
    start, end = _day(start), _day(end)
    years = list(range(start.year, end.year + (1 if end > date(end.year, 1, 1) else 0)))
    allocated = by_scope(
        Allocation.objects.within(within).filter(line__year__in=years), Sum("amount")
    )
    spent = by_scope(
        Spending.objects.within(within).filter(
            line__year__in=years, status=Spending.Status.APPROVED, spent_on__lt=end
        ),
        Sum("amount"),
    )
    codes = set(allocated) | set(spent)
    return {c: (spent.get(c, (0, 0))[0], allocated.get(c, (0, 0))[0]) for c in codes}


register_indicator(
    Indicator(
        key="projects.fund_execution_rate",
        name=_("资金执行率"),
        definition=_(
            "统计期所在年度安排给项目的资金中，截至期末已审核支出的比例（已支出 ÷ 已安排），"
            "按项目所在地区计。"
        ),
        unit="%",
        domain="services",
        category="projects",
        compute=execution_rate,
        kind=RATE,
        records=records_link("funds:lines", "funds"),
        public=True,
        order=60,
    )
)


# --- the record book: projects and funds ledger ------------------------------------------------


def ledger_rows(user, code: str, start, end):
    """One row per spending record of [start, end) inside ``code``, with its voucher."""
    rows = (
        Spending.objects.within(code)
        .filter(spent_on__gte=_day(start), spent_on__lt=_day(end))
        .order_by("spent_on", "id")
        .values_list(
            "spent_on",
            "line__kind__name",
            "allocation__project__title",
            "purpose",
            "payee",
            "amount",
            "voucher",
            "status",
            "recorded_by__full_name",
            "approved_by__full_name",
        )
    )
    labels = dict(Spending.Status.choices)
    for (
        day,
        kind,
        project,
        purpose,
        payee,
        amount,
        voucher,
        status,
        author,
        approver,
    ) in rows.iterator():
        yield (
            day,
            kind,
            project,
            purpose,
            payee,
            amount,
            voucher.rsplit("/", 1)[-1] if voucher else "",
            str(labels.get(status, status)),
            author or "",
            approver or "",
        )


register_record_book(
    RecordBook(
        key="projects.funds_ledger",
        title=_("项目资金台账"),
        levels=frozenset({"community", "street", "district"}),
        columns=(
            BookColumn("day", _("支出日期"), 12),
            BookColumn("kind", _("资金类型"), 16),
            BookColumn("project", _("项目"), 20),
            BookColumn("purpose", _("用途"), 24),
            BookColumn("payee", _("收款方"), 16),
            BookColumn("amount", _("金额（元）"), 12),
            BookColumn("voucher", _("凭证"), 16),
            BookColumn("status", _("状态"), 8),
            BookColumn("author", _("经办人"), 8),
            BookColumn("approver", _("审核人"), 8),
        ),
        rows=ledger_rows,
        roles=frozenset(READER_ROLES),
        period=YEAR,
        signatures=(_("经办人"), _("审核人")),
        definition=_(
            "期内每笔项目资金支出：日期、资金类型、项目、用途、收款方、金额、凭证、审核。"
        ),
        order=60,
    )
)
