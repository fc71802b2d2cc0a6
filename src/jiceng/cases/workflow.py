"""The case loop as data: stages, and which action moves a case from which stage to which.

Digital city management's closed loop (GB/T 30428, CJJ/T 106) with the three-way triage
(三事分流) of the case studies; DESIGN.md "The case loop" draws it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.workflow import Transition


class Status(models.TextChoices):
    REPORTED = "reported", _("已上报")
    FILED = "filed", _("已立案")
    REJECTED = "rejected", _("不予立案")
    DISPATCHED = "dispatched", _("已派遣")
    COORDINATING = "coordinating", _("社区协调中")
    SELF_HELP = "self_help", _("引导自治")
    IN_PROGRESS = "in_progress", _("处置中")
    HANDLED = "handled", _("已反馈")
    CLOSED = "closed", _("已结案")
    EVALUATED = "evaluated", _("已评价")
    MERGED = "merged", _("已合并")


class Triage(models.TextChoices):
    MAJOR = "major", _("大事：派遣部门处置")
    MINOR = "minor", _("小事：社区协调")
    PRIVATE = "private", _("私事：引导自治")


OPEN = frozenset(
    {
        Status.REPORTED,
        Status.FILED,
        Status.DISPATCHED,
        Status.COORDINATING,
        Status.SELF_HELP,
        Status.IN_PROGRESS,
        Status.HANDLED,
    }
)
FINAL = frozenset({Status.REJECTED, Status.CLOSED, Status.EVALUATED, Status.MERGED})

# Who may act, by the case's place or unit (permissions.py resolves each to users).
COMMUNITY = "community"  # community staff of the case's community (or above: street)
STREET = "street"  # street staff of the case's street
HANDLER = "handler"  # staff of the unit the case is dispatched to
VERIFIER = "verifier"  # grid worker or chief of the case's grid, or community staff
REPORTER = "reporter"  # the resident who reported it


# target None: decided by the service (triage).
TRANSITIONS: dict[str, Transition] = {
    "file": Transition(frozenset({Status.REPORTED}), Status.FILED, COMMUNITY, _("立案")),
    "reject": Transition(
        frozenset({Status.REPORTED}), Status.REJECTED, COMMUNITY, _("不予立案"), True
    ),
    "triage": Transition(frozenset({Status.FILED}), None, COMMUNITY, _("三事分流")),
    "dispatch": Transition(frozenset({Status.FILED}), Status.DISPATCHED, STREET, _("派遣")),
    "accept": Transition(frozenset({Status.DISPATCHED}), Status.IN_PROGRESS, HANDLER, _("接收")),
    "return": Transition(frozenset({Status.DISPATCHED}), Status.FILED, HANDLER, _("退回"), True),
    "start": Transition(
        frozenset({Status.COORDINATING}), Status.IN_PROGRESS, COMMUNITY, _("开始协调处置")
    ),
    "report_back": Transition(
        frozenset({Status.IN_PROGRESS}), Status.HANDLED, HANDLER, _("反馈结果"), True
    ),
    "verify_ok": Transition(
        frozenset({Status.HANDLED}), Status.CLOSED, VERIFIER, _("核查通过，结案")
    ),
    "verify_fail": Transition(
        frozenset({Status.HANDLED}), Status.IN_PROGRESS, VERIFIER, _("核查不通过，返工"), True
    ),
    "guide": Transition(
        frozenset({Status.SELF_HELP}), Status.CLOSED, COMMUNITY, _("答复指引，结案"), True
    ),
    "rate": Transition(frozenset({Status.CLOSED}), Status.EVALUATED, REPORTER, _("评价")),
    "merge": Transition(OPEN, Status.MERGED, COMMUNITY, _("合并为重复"), True),
    # A dissatisfied rating asks the community to review: reopen the work, or keep the result
    # with an explanation to the resident.
    "reopen": Transition(
        frozenset({Status.EVALUATED}), Status.IN_PROGRESS, COMMUNITY, _("复核：重新处置"), True
    ),
    "uphold": Transition(
        frozenset({Status.EVALUATED}), Status.EVALUATED, COMMUNITY, _("复核：维持结果"), True
    ),
}

# The time limit that applies while a case waits in a stage: a field of its category.
STAGE_LIMIT = {
    Status.REPORTED: "filing_hours",
    Status.FILED: "dispatch_hours",
    Status.DISPATCHED: "accept_hours",
    Status.COORDINATING: "accept_hours",
    Status.SELF_HELP: "handling_hours",
    Status.IN_PROGRESS: "handling_hours",
    Status.HANDLED: "verify_hours",
}
