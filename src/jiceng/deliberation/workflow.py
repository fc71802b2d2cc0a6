"""Issues and five-step matters as data (core.workflow).

An issue (议题):
```
(raised) → collected ─schedule→ on_agenda ─resolve→ resolved ─carry_out→ carried_out ─report→ reported
              └──────────┴─dismiss→ dismissed
```
A matter, the five-step decision (民主决策五步法, RULES.md):
```
(1 党组织提议) → proposed ─consult (2 两委商议)→ consulted ─review (3 党员(代表)审议)→ reviewed
  ─resolve (4 居民会议或居民代表会议决议)→ resolved ─publish (5 决议公开)→ published
  ─report (5 实施结果公开)→ done;   any open step ─withdraw→ withdrawn
```
Each step moves only from the one before it: a step cannot be skipped. The first event of each
(raised, proposed) is written by the service that makes it, from "".
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiceng.core.workflow import Transition
from jiceng.deliberation.models import Issue, Matter

I = Issue.Status  # noqa: E741 - the table reads as the diagram
M = Matter.Status

STAFF = "staff"  # the community's managers (and the street, the district above)

ISSUE_STAGE = _("该议题当前为「{stage}」，不能{action}。")
ISSUE_STAFF_ONLY = _("只有社区工作人员可以{action}议题。")

ISSUE_TRANSITIONS: dict[str, Transition] = {
    "schedule": Transition(
        frozenset({I.COLLECTED}), I.ON_AGENDA, STAFF, _("列入议程"), refused=ISSUE_STAGE
    ),
    "resolve": Transition(
        frozenset({I.ON_AGENDA}),
        I.RESOLVED,
        STAFF,
        _("形成决议"),
        note_required=True,
        note_label=_("决议内容"),
        refused=ISSUE_STAGE,
    ),
    "carry_out": Transition(
        frozenset({I.RESOLVED}),
        I.CARRIED_OUT,
        STAFF,
        _("登记落实"),
        note_required=True,
        note_label=_("落实情况"),
        refused=ISSUE_STAGE,
    ),
    "report": Transition(
        frozenset({I.CARRIED_OUT}),
        I.REPORTED,
        STAFF,
        _("反馈居民"),
        note_required=True,
        note_label=_("反馈内容"),
        refused=ISSUE_STAGE,
    ),
    "dismiss": Transition(
        frozenset({I.COLLECTED, I.ON_AGENDA}),
        I.DISMISSED,
        STAFF,
        _("不予采纳"),
        note_required=True,
        note_label=_("理由"),
        refused=ISSUE_STAGE,
    ),
}

MATTER_STAGE = _("该事项当前为「{stage}」，不能{action}：五步法须逐步进行，不能跳过。")
MATTER_STAFF_ONLY = _("只有社区工作人员可以登记五步法的步骤。")

# The step each action records (1 is the proposal that makes the matter).
STEP_NUMBER = {"propose": 1, "consult": 2, "review": 3, "resolve": 4, "publish": 5, "report": 5}

MATTER_TRANSITIONS: dict[str, Transition] = {
    "consult": Transition(
        frozenset({M.PROPOSED}), M.CONSULTED, STAFF, _("两委商议"), refused=MATTER_STAGE
    ),
    "review": Transition(
        frozenset({M.CONSULTED}), M.REVIEWED, STAFF, _("党员（代表）审议"), refused=MATTER_STAGE
    ),
    "resolve": Transition(
        frozenset({M.REVIEWED}),
        M.RESOLVED,
        STAFF,
        _("居民（代表）会议决议"),
        refused=MATTER_STAGE,
    ),
    "publish": Transition(
        frozenset({M.RESOLVED}), M.PUBLISHED, STAFF, _("决议公开"), refused=MATTER_STAGE
    ),
    "report": Transition(
        frozenset({M.PUBLISHED}), M.DONE, STAFF, _("实施结果公开"), refused=MATTER_STAGE
    ),
    "withdraw": Transition(
        frozenset({M.PROPOSED, M.CONSULTED, M.REVIEWED, M.RESOLVED}),
        M.WITHDRAWN,
        STAFF,
        _("终止"),
        note_required=True,
        note_label=_("终止理由"),
        refused=MATTER_STAGE,
    ),
}

# The five steps as the public page and the matter's page list them.
STEPS = [
    (1, _("党组织提议"), ("propose",)),
    (2, _("两委商议"), ("consult",)),
    (3, _("党员（代表）审议"), ("review",)),
    (4, _("居民会议或居民代表会议决议"), ("resolve",)),
    (5, _("决议和实施结果公开"), ("publish", "report")),
]
