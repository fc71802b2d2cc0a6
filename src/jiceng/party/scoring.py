"""Party's point sources: what a member does in party life that may earn points.

Registered with ``jiceng.core.registry`` (see there for why it is a declared hook and not an
import of ``points``); party's services call ``points_earned`` right after their write.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import points_earned as earned  # noqa: F401 - party's call site
from jiceng.core.registry import points_revoked as revoked  # noqa: F401
from jiceng.core.registry import register_point_sources

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
register_point_sources(POINT_SOURCES)
