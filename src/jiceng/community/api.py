"""The services JSON API: the month's activities, sign-up and cancel, QR check-in, ratings,
needs, the wish wall, orders. Thin: services and selectors do the work."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from jiceng.community import orders, selectors, services
from jiceng.community.models import Activity
from jiceng.community.permissions import home_communities, order_actions
from jiceng.core.errors import NotFound, UserError
from jiceng.core.inputs import Count, Id, Int, Pagination

router = Router(tags=["services"])


class ActivityOut(Schema):
    id: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    waiting: int
    signup_opens_at: datetime
    signup_closes_at: datetime
    status: str
    my_status: str | None = None


class SignupOut(Schema):
    activity_id: int
    status: str
    waiting_position: int | None = None


class CodeIn(Schema):
    code: str


class ActivityCheckinOut(Schema):
    activity_id: int
    kind: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hours: Decimal | None
    points: int


class RatingIn(Schema):
    rating: Int
    comment: str = ""


class NeedIn(Schema):
    title: str
    description: str = ""


class NeedOut(Schema):
    id: int
    title: str
    status: str
    reason: str
    created_at: datetime


class WishOut(Schema):
    id: int
    title: str
    value: Decimal
    status: str
    poster: str

    @staticmethod
    def resolve_poster(obj) -> str:
        return obj.poster_display


class OrderOut(Schema):
    id: int
    title: str
    status: str
    due_at: datetime
    late: bool
    version: int
    actions: list[str]


class OrderActIn(Schema):
    action: str
    version: Count | None = None
    note: str = ""
    rating: Int | None = None


def _activity(pk: int) -> Activity:
    a = Activity.objects.filter(pk=pk).first()
    if a is None:
        raise NotFound(_("活动不存在。"))
    return a


@router.get("/activities", response=list[ActivityOut])
def activities(request, community: str | None = None, month: str | None = None):
    """A community's published activities of a month (default: the caller's, this month)."""
    code = community or next(iter(home_communities(request.user)), None)
    if code is None:
        raise UserError(_("请指定社区（community）。"), field="community")
    selectors.community_or_404(code)
    return selectors.month_calendar(
        user=request.user, community=code, month=selectors.parse_month(month)
    )["activities"]


@router.post("/activities/{pk}/signup", response={201: SignupOut})
def signup(request, pk: Id):
    """Sign up: a place while places are left, otherwise the waiting list."""
    row = services.signup(by=request.user, activity=pk, request=request)
    return Status(
        201,
        {
            "activity_id": row.activity_id,
            "status": row.status,
            "waiting_position": row.position_at_signup,
        },
    )


@router.post("/activities/{pk}/cancel", response=SignupOut)
def cancel(request, pk: Id):
    row = services.signup_cancel(by=request.user, activity=_activity(pk), request=request)
    return {"activity_id": row.activity_id, "status": row.status}


@router.post("/checkin", response=ActivityCheckinOut)
def checkin(request, payload: CodeIn):
    """Check in or out with the code of the activity's QR."""
    row, kind, points = services.activity_checkin(
        by=request.user, code=payload.code, request=request
    )
    return {
        "activity_id": row.activity_id,
        "kind": kind,
        "checked_in_at": row.checked_in_at,
        "checked_out_at": row.checked_out_at,
        "hours": row.hours,
        "points": points,
    }


@router.post("/activities/{pk}/rate", response=SignupOut)
def rate(request, pk: Id, payload: RatingIn):
    row = services.activity_rate(
        by=request.user, activity=_activity(pk), rating=payload.rating, comment=payload.comment
    )
    return {"activity_id": row.activity_id, "status": row.status}


@router.get("/needs", response=list[NeedOut])
def my_needs(request):
    return list(selectors.my_needs(user=request.user)[:100])


@router.post("/needs", response={201: NeedOut})
def post_need(request, payload: NeedIn):
    """A resident posts a need to their community."""
    return Status(
        201,
        services.need_post(
            by=request.user, title=payload.title, description=payload.description, request=request
        ),
    )


@router.get("/wishes", response=list[WishOut])
@paginate(Pagination)
def wish_wall(request, community: str | None = None):
    """The public wish wall (approved, unclaimed wishes; the poster's surname only)."""
    return selectors.wish_wall(community=community)


@router.get("/orders", response=list[OrderOut])
@paginate(Pagination)
def my_orders(request, late: bool = False):
    rows = list(selectors.order_list(user=request.user, late=late)[:500])
    for row in rows:
        row.actions = order_actions(request.user, row)
    return rows


@router.post("/orders/{pk}/act", response=OrderOut)
def order_act(request, pk: Id, payload: OrderActIn):
    """Accept, decline (note), report done (note), rate (rating, note), cancel (note)."""
    order = selectors.order_detail(user=request.user, pk=pk)
    fields = {
        "accept": {},
        "decline": {"reason": payload.note},
        "report_done": {"result": payload.note},
        "rate": {"rating": payload.rating, "comment": payload.note},
        "cancel": {"reason": payload.note},
    }.get(payload.action)
    if fields is None:
        raise UserError(_("未知的操作。"), field="action")
    orders.order_act(
        by=request.user, order=order, action=payload.action, version=payload.version, **fields
    )
    order = selectors.order_detail(user=request.user, pk=pk)
    order.actions = order_actions(request.user, order)
    return order
