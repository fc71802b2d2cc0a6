"""The warning centre's JSON API: the list (scoped, filtered, paginated) and one warning with
its history. Mounted at ``/api/warnings``."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from jiceng.core.errors import NotFound
from jiceng.core.inputs import Id, Pagination
from jiceng.dashboard import warnings as centre
from jiceng.dashboard.models import WarningEvent

router = Router(tags=["warnings"])


class WarningOut(Schema):
    id: int
    kind: str
    key: str
    title: str
    url: str
    severity: str
    state: str
    scope_code: str
    owner_code: str
    owner_roles: list[str]
    since: datetime
    last_seen_at: datetime
    notified_at: datetime | None
    resolved_at: datetime | None
    note: str

    @staticmethod
    def resolve_owner_roles(obj) -> list[str]:
        return [r for r in obj.owner_roles.split(",") if r]


class WarningEventOut(Schema):
    at: datetime
    action: str
    from_status: str
    to_status: str
    note: str
    actor: str | None

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class WarningDetailOut(WarningOut):
    events: list[WarningEventOut]

    @staticmethod
    def resolve_events(obj) -> list:
        return obj.history


@router.get(
    "/",
    response=list[WarningOut],
    summary="我管辖范围内的预警（可按类别、状态、区划、严重程度筛选）",
)
@paginate(Pagination)
def warning_list(request, kind: str = "", state: str = "live", place: str = "", severity: str = ""):
    """``state``: live (open and acknowledged, the default), open, acknowledged, cleared, closed
    or all; ``place``: a division code in your scope; the severe and the oldest first."""
    parsed = centre.Filters.from_params(
        {"kind": kind, "state": state, "place": place, "severity": severity}
    )
    if parsed.place and not centre.place_in_scope(request.user, parsed.place):
        raise NotFound("区划不存在，或不在您的管辖范围内。")
    return centre.warning_list(user=request.user, filters=parsed)


@router.get("/{warning_id}", response=WarningDetailOut, summary="一条预警及其处理记录")
def warning_detail(request, warning_id: Id):
    warning = centre.warning_for(user=request.user, pk=warning_id)
    warning.history = list(WarningEvent.objects.filter(warning=warning).select_related("actor"))
    return warning
