"""Service orders as data: 社区派单、党员接单、群众评单.

```
(need) ─dispatch→ dispatched ─accept→ accepted ─report_done→ done ─rate→ rated
                      │  └decline→ declined ─redispatch→ dispatched
                      └───────(dispatched/accepted/declined) ─cancel→ cancelled
```
A dispatched order nobody accepted by its time is flagged (selectors.order_is_late).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("待接单")
    ACCEPTED = "accepted", _("已接单")
    DECLINED = "declined", _("已拒单")
    DONE = "done", _("已完成")
    RATED = "rated", _("已评价")
    CANCELLED = "cancelled", _("已撤销")


# Who acts (permissions.can_act_on_order resolves each to users).
COMMUNITY = "community"  # community staff of the order's community (or the street above)
ASSIGNEE = "assignee"  # the member the order went to, or a leader of the team
RESIDENT = "resident"  # the resident served


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    actor: str
    label: str
    note_required: bool = False


S = OrderStatus
TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({S.DISPATCHED}), S.ACCEPTED, ASSIGNEE, _("接单")),
    "decline": Transition(frozenset({S.DISPATCHED}), S.DECLINED, ASSIGNEE, _("拒单"), True),
    "report_done": Transition(frozenset({S.ACCEPTED}), S.DONE, ASSIGNEE, _("反馈完成"), True),
    "rate": Transition(frozenset({S.DONE}), S.RATED, RESIDENT, _("评单")),
    "redispatch": Transition(frozenset({S.DECLINED}), S.DISPATCHED, COMMUNITY, _("改派")),
    "cancel": Transition(
        frozenset({S.DISPATCHED, S.ACCEPTED, S.DECLINED}),
        S.CANCELLED,
        COMMUNITY,
        _("撤销"),
        True,
    ),
}
OPEN = frozenset({S.DISPATCHED, S.ACCEPTED, S.DECLINED, S.DONE})
