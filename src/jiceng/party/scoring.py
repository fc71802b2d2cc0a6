"""Where party's services report what a member did that may earn points.

``points`` sits above ``party`` (DESIGN.md: a lower app never imports a higher one), so party
cannot call ``points.services`` by name. Instead party declares its point sources here
(``POINT_SOURCES``, listed again in ``manifest.py``) and each service that earns points calls
``earned(...)`` explicitly, in its own transaction, right after its write. The points app plugs
its booking function in when Django starts (``points/apps.py``). No signal: the call is visible
in the service, and with no receiver connected nothing scores.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

POINT_SOURCES: dict[str, Any] = {
    "party.meeting.general_meeting": _("参加支部党员大会"),
    "party.meeting.committee_meeting": _("参加支部委员会会议"),
    "party.meeting.group_meeting": _("参加党小组会"),
    "party.meeting.lecture": _("参加党课"),
    "party.meeting.theme_day": _("参加主题党日"),
    "party.meeting.life_meeting": _("参加组织生活会"),
    "party.meeting.appraisal": _("参加民主评议党员"),
    "party.dues_on_time": _("按时交纳党费"),
    "party.learning_finished": _("完成在线学习"),
}


class Receiver(Protocol):
    def earned(
        self, *, source: str, source_key: str, member: Any, occurred_at: datetime, by: Any
    ) -> int: ...

    def revoked(self, *, source_key: str, by: Any, reason: str) -> int: ...


_receivers: list[Receiver] = []


def connect(receiver: Receiver) -> None:
    """Called once by the points app at start-up."""
    if receiver not in _receivers:
        _receivers.append(receiver)


def earned(*, source: str, source_key: str, member: Any, occurred_at: datetime, by: Any) -> int:
    """Report that ``member`` did ``source`` (unique ``source_key``); returns the points booked."""
    if source not in POINT_SOURCES:
        raise ValueError(f"undeclared point source {source!r}")
    return sum(
        r.earned(
            source=source, source_key=source_key, member=member, occurred_at=occurred_at, by=by
        )
        for r in _receivers
    )


def revoked(*, source_key: str, by: Any, reason: str) -> int:
    """Report that what ``source_key`` names no longer counts; the ledger reverses it."""
    return sum(r.revoked(source_key=source_key, by=by, reason=reason) for r in _receivers)


Hook = Callable[..., int]
