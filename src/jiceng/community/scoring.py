"""Services' point sources: what a member does for the community that may earn points.

Registered with ``jiceng.core.registry`` (``services`` sits below ``points`` and never imports
it); the services call ``earned`` right after their write, in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import points_earned as earned  # noqa: F401 - services' call site
from jiceng.core.registry import register_point_sources

ACTIVITY_CHECKIN = "services.activity_checkin"
ORDER_RATED = "services.order_rated"
WISH_FULFILLED = "services.wish_fulfilled"

POINT_SOURCES: dict[str, Any] = {
    ACTIVITY_CHECKIN: _("参加志愿服务活动（签到）"),
    ORDER_RATED: _("完成服务工单并获评价"),
    WISH_FULFILLED: _("点亮微心愿（群众确认）"),
}
register_point_sources(POINT_SOURCES)
