"""What assessment gives the shared surfaces: the console page, the to-dos (述职评议 and 民主评议
to grade, one's report due, appeals to review, checklists to inspect), the audit's words, the evidence folder, two
indicators (``indicators.py``) and the result sheets' record book."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import Role
from jiceng.assessment import (
    indicators,  # noqa: F401  (registers the indicators)
    selectors,
)
from jiceng.assessment import permissions as perm
from jiceng.assessment.models import Appeal, Checklist, ManualScore, Result, Round
from jiceng.core.registry import (
    YEAR,
    Api,
    BookColumn,
    HomeLink,
    NavItem,
    RecordBook,
    Todo,
    Urls,
    register_audit_actions,
    register_component,
    register_record_book,
    register_uploads,
)
from jiceng.core.scope import covers


def _appraisal_todos(user, home: str) -> list[Todo]:
    """The open 述职评议 and 民主评议 the user has still to grade, and their own report not yet
    submitted: each a line to the phone page where it is done (gone once done)."""
    phone = reverse("assessment_m:home")
    lines = [
        Todo(
            _("待评议的述职与民主评议"),
            phone + "#to-grade",
            selectors.appraisals_to_grade(user),
            home=home,
        )
    ]
    if home == "console":  # a report is a community secretary's
        lines.append(
            Todo(_("待提交的述职报告"), phone + "#report-due", selectors.reports_due(user))
        )
    return lines


def _todos(user):
    lines = []
    if user.has_role(Role.MEMBER):
        lines += _appraisal_todos(user, "member")
    if user.has_role(*perm.COMMITTEE):
        lines += _appraisal_todos(user, "console")
    if user.has_role(*perm.DISTRICT):
        appeals = perm.visible_appeals(user).filter(status=Appeal.Status.OPEN)
        lines.append(Todo(_("待复核的考核申诉"), reverse("assessment:home"), appeals))
    if user.has_role(*perm.INSPECTORS):
        waiting = perm.visible_checklists(user).filter(status=Checklist.Status.SUBMITTED)
        lines.append(
            Todo(
                _("待验收的规范化建设清单"),
                reverse("assessment:checklists") + "?status=submitted",
                waiting,
            )
        )
    return lines


register_component(
    "assessment",
    nav=[
        NavItem("assessment", _("考核评价"), "assessment:home", perm.PAGE_ROLES, order=120),
    ],
    urls=[
        Urls("console/assessment/", "jiceng.assessment.urls"),
        Urls("m/assessment/", "jiceng.assessment.mobile_urls"),
    ],
    home_links=[
        HomeLink("member", "assessment", _("评议评价"), "assessment_m:home", order=70),
    ],
    api=[Api("/assessment", "jiceng.assessment.api.router")],
    todos=_todos,
)


def _may_see_evidence(user, name: str) -> bool:
    """A manual score's evidence: the district's staff; a checklist's: who may see the
    checklist (its community and the street and district above it)."""
    rows = ManualScore.objects.filter(evidence=name).values_list("scope_code", flat=True)
    if any(covers(user.scopes_for(*perm.DISTRICT), code) for code in rows):
        return True
    return perm.visible_checklists(user).filter(entries__evidence=name).exists()


register_uploads("assessment/", _may_see_evidence)

register_audit_actions(
    {
        "assessment.scheme.publish": _("考核：发布方案"),
        "assessment.scheme.copy": _("考核：复制方案到新年度"),
        "assessment.scheme.edit": _("考核：修改方案"),
        "assessment.round.create": _("考核：新建考核批次"),
        "assessment.round.score": _("考核：计算得分"),
        "assessment.round.publish": _("考核：公布结果"),
        "assessment.score.change": _("考核：更改得分"),
        "assessment.manual.submit": _("考核：录入人工评分"),
        "assessment.manual.approve": _("考核：审核人工评分"),
        "assessment.adjustment.submit": _("考核：录入加减分"),
        "assessment.adjustment.approve": _("考核：审核加减分"),
        "assessment.appeal.file": _("考核：提出申诉"),
        "assessment.appeal.answer": _("考核：复核申诉"),
        "assessment.rating.give": _("考核：双考双评评价"),
        "assessment.appraisal.open": _("考核：开始评议"),
        "assessment.appraisal.report": _("考核：提交述职报告或自我评价"),
        "assessment.appraisal.vote": _("考核：评议投票"),
        "assessment.appraisal.close": _("考核：确定评议等次"),
        "assessment.checklist.submit": _("考核：提交规范化建设清单"),
        "assessment.checklist.inspect": _("考核：验收规范化建设清单"),
    }
)


def _sheet_rows(user, code, start, end):
    rows = (
        Result.objects.within(code)
        .filter(
            round__status=Round.Status.PUBLISHED,
            round__period_start__gte=start.date() if hasattr(start, "date") else start,
            round__period_start__lt=end.date() if hasattr(end, "date") else end,
        )
        .select_related("round")
        .order_by("round_id", "rank")
    )
    for r in rows.iterator(chunk_size=500):
        yield [
            r.round.name,
            r.subject_name,
            r.total,
            r.rank,
            r.get_listing_display() if r.listing else "",
        ]


register_record_book(
    RecordBook(
        key="assessment.results",
        title=_("考核结果表"),
        levels=frozenset({"district", "street", "community"}),
        columns=(
            BookColumn("round", _("考核"), 24),
            BookColumn("subject", _("对象"), 24),
            BookColumn("total", _("总分"), 8),
            BookColumn("rank", _("名次"), 6),
            BookColumn("listing", _("榜单"), 6),
        ),
        rows=_sheet_rows,
        roles=frozenset(perm.PAGE_ROLES - perm.UNIT_STAFF),
        period=YEAR,
        signatures=(_("制表人"), _("审核人")),
        definition=_("已公布的考核结果：每个对象的总分、名次和红黑榜。"),
        order=90,
    )
)
