"""What the polls give the shared surfaces: the staff's page, the resident's phone pages and
home link, the API, the to-dos (paper batches waiting for their second typing or their count),
the audit's words and two indicators (surveys' response rate, satisfaction)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.core.registry import (
    RATE,
    Api,
    HomeLink,
    Indicator,
    NavItem,
    Todo,
    Urls,
    register_audit_actions,
    register_component,
    register_indicator,
)
from jiceng.deliberation import compacts, selections, surveys  # noqa: F401  (their close rules)
from jiceng.deliberation.models import PaperBatch, Poll
from jiceng.deliberation.polls import visible_polls


def _todos(user):
    waiting = PaperBatch.objects.filter(
        poll__in=visible_polls(user).filter(status=Poll.Status.OPEN),
        status__in=[PaperBatch.Status.FIRST, PaperBatch.Status.DIFFERS, PaperBatch.Status.AGREED],
    )
    url = reverse("deliberation_polls:home") + "?status=open"
    return [Todo(_("待核对计入的纸质选票批次"), url, waiting)]


register_component(
    "deliberation_polls",
    nav=[
        NavItem(
            "deliberation_polls",
            _("投票表决"),
            "deliberation_polls:home",
            frozenset(MANAGER_ROLES),
            order=95,
        )
    ],
    urls=[
        Urls("console/deliberation/polls/", "jiceng.deliberation.poll_urls"),
        Urls("m/deliberation/polls/", "jiceng.deliberation.poll_mobile_urls"),
    ],
    api=[Api("/deliberation/polls", "jiceng.deliberation.poll_api.router")],
    home_links=[
        HomeLink("resident", "polls", _("投票与问卷"), "deliberation_polls_m:home", order=55),
        HomeLink("member", "polls", _("投票与问卷"), "deliberation_polls_m:home", order=55),
    ],
    todos=_todos,
)

register_audit_actions(
    {
        "poll.create": _("票决：创建"),
        "poll.open": _("票决：开始投票"),
        "poll.close": _("票决：结束并计票"),
        "poll.ballot.web": _("票决：网上投票"),
        "poll.paper.first": _("票决：纸质选票第一次录入"),
        "poll.paper.second": _("票决：纸质选票第二次录入"),
        "poll.paper.correct": _("票决：纸质选票更正"),
        "poll.paper.count": _("票决：纸质选票计入"),
        "survey.create": _("问卷：创建"),
        "survey.open": _("问卷：发布"),
        "survey.close": _("问卷：结束"),
        "survey.answer": _("问卷：作答"),
        "selection.create": _("评选：创建"),
        "selection.nominate": _("评选：提名"),
        "selection.vote": _("评选：开始群众投票"),
        "selection.score": _("评选：评审打分"),
        "selection.publish": _("评选：公布结果"),
        "compact.create": _("公约：起草"),
        "compact.draft": _("公约：修订草案"),
        "compact.vote": _("公约：提交表决"),
        "compact.adopt": _("公约：表决通过并公布"),
        "compact.reject": _("公约：表决未通过"),
    }
)


def _survey_list(user, code, start, end):
    return reverse("deliberation_polls:surveys")


register_indicator(
    Indicator(
        key="deliberation.survey_response_rate",
        name=_("问卷应答率"),
        definition=_(
            "统计期内截止的问卷收回的答卷数，除以发布时本社区年满18周岁在册居民数（各问卷相加）。"
        ),
        unit="%",
        domain="governance",
        category="deliberation",
        compute=surveys.response_rate_indicator,
        kind=RATE,
        records=_survey_list,
        public=True,
        order=40,
    )
)
register_indicator(
    Indicator(
        key="deliberation.satisfaction",
        name=_("群众满意度"),
        definition=_("统计期内满意度测评中评为 4 星或 5 星的评分数，除以全部评分数。"),
        unit="%",
        domain="governance",
        category="deliberation",
        compute=surveys.satisfaction_indicator,
        kind=RATE,
        records=_survey_list,
        public=True,
        order=41,
    )
)
