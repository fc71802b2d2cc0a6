"""The state machines of community services as data (core.workflow): service orders,
micro-wishes, needs and activity sign-ups. Wishes, needs and sign-ups name their statuses by
value here (their ``Status`` choices live on the models, which import this module).

Service orders: 社区派单、党员接单、群众评单.

```
(need) ─dispatch→ dispatched ─accept→ accepted ─report_done→ done ─rate→ rated
                      │  └decline→ declined ─redispatch→ dispatched
                      └───────(dispatched/accepted/declined) ─cancel→ cancelled
```
A dispatched order nobody accepted by its time is flagged (selectors.order_is_late).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.workflow import Transition


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


# --- micro-wishes (微心愿) ----------------------------------------------------------------------
# (posted) → pending ─approve→ open ─claim→ claimed ─fulfil→ fulfilled ─confirm→ confirmed
#               └reject→ rejected
# pending/open ─withdraw→ withdrawn
POSTER = "poster"  # the resident who posted the wish
HELPER = "helper"  # a member or a partner unit's staff (permissions.can_claim_wish)
CLAIMANT = "claimant"  # the person who claimed it

REVIEWED = _("该心愿已审核。")


def _not_on_the_wall(wish) -> str:
    if wish.status in ("claimed", "fulfilled", "confirmed"):
        return str(_("该心愿已被他人认领。"))
    return str(_("该心愿不在心愿墙上，不能认领。"))


WISH_TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(
        frozenset({"pending"}),
        "open",
        COMMUNITY,
        _("审核通过"),
        refused=REVIEWED,
        forbidden=_("您无权审核该社区的微心愿。"),
        audit_action="services.wish_review",
    ),
    "reject": Transition(
        frozenset({"pending"}),
        "rejected",
        COMMUNITY,
        _("不通过"),
        note_required=True,
        note_label=_("不通过的理由"),
        refused=REVIEWED,
        forbidden=_("您无权审核该社区的微心愿。"),
        audit_action="services.wish_review",
    ),
    "claim": Transition(
        frozenset({"open"}),
        "claimed",
        HELPER,
        _("认领"),
        refused=_not_on_the_wall,
        forbidden=_("党员或共建单位职工可以认领微心愿。"),
    ),
    "fulfil": Transition(
        frozenset({"claimed"}),
        "fulfilled",
        CLAIMANT,
        _("反馈送达"),
        note_label=_("送达说明"),
        refused=_("该心愿当前不能反馈送达。"),
        forbidden=_("只有认领人可以反馈送达。"),
    ),
    "confirm": Transition(
        frozenset({"fulfilled"}),
        "confirmed",
        POSTER,
        _("确认实现"),
        refused=_("心愿尚未送达，不能确认。"),
        forbidden=_("只有许愿人可以确认。"),
    ),
    "withdraw": Transition(
        frozenset({"pending", "open"}),
        "withdrawn",
        POSTER,
        _("撤回"),
        refused=_("心愿已被认领，不能撤回。"),
        forbidden=_("只有许愿人可以撤回。"),
    ),
}

# How a wish's history names each move (the first is its posting).
WISH_ACTION_LABELS = {"post": _("许愿"), **{k: t.label for k, t in WISH_TRANSITIONS.items()}}

# --- needs (需求清单) ---------------------------------------------------------------------------
# (posted) → pending ─accept→ accepted / ─merge→ merged / ─decline→ declined
NEED_REVIEWED = _("该需求已审核。")
MANAGERS_ONLY = _("您无权管理该社区的服务事项。")

NEED_TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(
        frozenset({"pending"}),
        "accepted",
        COMMUNITY,
        _("列入清单"),
        note_label=_("意见"),
        refused=NEED_REVIEWED,
        forbidden=MANAGERS_ONLY,
        audit_action="services.need_accepted",
    ),
    "merge": Transition(
        frozenset({"pending"}),
        "merged",
        COMMUNITY,
        _("合并"),
        note_label=_("意见"),
        refused=NEED_REVIEWED,
        forbidden=MANAGERS_ONLY,
        audit_action="services.need_merged",
    ),
    "decline": Transition(
        frozenset({"pending"}),
        "declined",
        COMMUNITY,
        _("不列入"),
        note_required=True,
        note_label=_("不列入的理由"),
        refused=NEED_REVIEWED,
        forbidden=MANAGERS_ONLY,
        audit_action="services.need_declined",
    ),
}

# --- activity sign-ups (报名) -------------------------------------------------------------------
# (sign up) → confirmed, or waiting while no place is left ─promote→ confirmed
# waiting/confirmed ─cancel→ cancelled (a confirmed place goes to the first waiting)
SELF = "self"  # the person signed up
SYSTEM = "system"  # follows from another's move (a place freed); no one asks for it

SIGNUP_TRANSITIONS: dict[str, Transition] = {
    "cancel": Transition(
        frozenset({"waiting", "confirmed"}),
        "cancelled",
        SELF,
        _("取消报名"),
        refused=_("您没有报名该活动。"),
        forbidden=_("您没有报名该活动。"),
        audit_action="services.signup_cancel",
    ),
    "promote": Transition(frozenset({"waiting"}), "confirmed", SYSTEM, _("候补转正")),
}
