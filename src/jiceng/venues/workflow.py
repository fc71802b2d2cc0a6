"""Venue bookings as data (core.workflow): who moves a booking from which status to which.

```
(asked) → pending ─approve→ approved ─cancel→ cancelled
   │        ├decline→ declined           ↑
   │        └──────────cancel────────────┘
   └ (a venue that needs no approval) → approved
```
Asking is the booking's first event (from ""); a closure cancels the bookings of its days, and
approving one request declines the pending ones that overlap it, each with its event.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiceng.core.workflow import Transition
from jiceng.venues.models import Booking

S = Booking.Status

# Who acts (permissions.can_act_on_booking resolves each to users).
MANAGER = "manager"  # the venue's managers: the unit's staff, or the community's
BOOKER_OR_MANAGER = "booker_or_manager"

DECIDED = _("该预约已处理（{status}）。")
DECIDERS_ONLY = _("只有场地的管理方可以审批预约。")

TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(
        frozenset({S.PENDING}),
        S.APPROVED,
        MANAGER,
        _("批准"),
        refused=DECIDED,
        forbidden=DECIDERS_ONLY,
        audit_action="venue.booking.approve",
    ),
    "decline": Transition(
        frozenset({S.PENDING}),
        S.DECLINED,
        MANAGER,
        _("不批准"),
        note_required=True,
        note_missing=_("请填写不批准的原因。"),
        refused=DECIDED,
        forbidden=DECIDERS_ONLY,
        audit_action="venue.booking.decline",
    ),
    "cancel": Transition(
        frozenset({S.PENDING, S.APPROVED}),
        S.CANCELLED,
        BOOKER_OR_MANAGER,
        _("取消"),
        refused=_("该预约的状态是「{status}」，无需取消。"),
        forbidden=_("只有预约人或场地管理方可以取消预约。"),
        audit_action="venue.booking.cancel",
    ),
}
