"""Community services' indicators: needs accepted and solved, micro-wishes lit and fulfilled,
activities held, volunteer hours and service orders' satisfaction. Every record here belongs to
a community (``scope_code`` is the community's code)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from jiceng.community.models import Activity, Need, ServiceOrder, Signup, Wish
from jiceng.community.workflow import OrderStatus
from jiceng.core.indicators import by_scope, records_link
from jiceng.core.registry import RATE, Indicator, register_indicator

DONE = [OrderStatus.DONE, OrderStatus.RATED]


def _accepted_needs(within, start, end):
    return Need.objects.within(within).filter(
        status=Need.Status.ACCEPTED, reviewed_at__gte=start, reviewed_at__lt=end
    )


def needs_accepted(within, start, end):
    return by_scope(_accepted_needs(within, start, end), Count("pk"))


def needs_solved_rate(within, start, end):
    solved = Exists(ServiceOrder.objects.filter(need=OuterRef("pk"), status__in=DONE))
    return by_scope(_accepted_needs(within, start, end), Count("pk", filter=Q(solved)), Count("pk"))


def wishes_lit(within, start, end):
    lit = Wish.objects.within(within).filter(claimed_at__gte=start, claimed_at__lt=end)
    return by_scope(lit, Count("pk"))


def wish_fulfilment_rate(within, start, end):
    posted = Wish.objects.within(within).filter(approved_at__gte=start, approved_at__lt=end)
    fulfilled = Q(status__in=[Wish.Status.FULFILLED, Wish.Status.CONFIRMED])
    return by_scope(posted, Count("pk", filter=fulfilled), Count("pk"))


def activities(within, start, end):
    held = Activity.objects.within(within).filter(
        status=Activity.Status.PUBLISHED, starts_at__gte=start, starts_at__lt=end
    )
    return by_scope(held, Count("pk"))


def volunteer_hours(within, start, end):
    served = Signup.objects.filter(
        activity__in=Activity.objects.within(within),
        checked_out_at__gte=start,
        checked_out_at__lt=end,
    )
    return by_scope(served, Sum("hours"), scope="activity__scope_code")


def order_satisfaction_rate(within, start, end):
    rated = ServiceOrder.objects.within(within).filter(
        status=OrderStatus.RATED, due_at__gte=start, due_at__lt=end, rating__isnull=False
    )
    return by_scope(rated, Count("pk", filter=Q(rating__gte=4)), Count("pk"))


def _link(name):
    return records_link(name, "services")


def _i(key, name, definition, unit, category, compute, order, **kw):
    register_indicator(
        Indicator(
            f"community.{key}",
            name,
            definition,
            unit,
            "services",
            category,
            compute,
            order=order,
            **kw,
        )
    )


_i(
    "needs_accepted",
    _("列入清单的群众需求"),
    _("本期审核通过、列入需求清单的群众需求条数，按社区统计；来自“需求清单”。"),
    _("条"),
    "needs",
    needs_accepted,
    10,
    records=_link("services:needs"),
    public=True,
)
_i(
    "needs_solved_rate",
    _("需求解决率"),
    _("本期列入清单的需求中，已有服务订单完成（已完成或已评价）的条数 ÷ 列入清单的条数。"),
    "%",
    "needs",
    needs_solved_rate,
    20,
    kind=RATE,
    records=_link("services:needs"),
)
_i(
    "wishes_lit",
    _("被点亮的微心愿"),
    _("本期被认领（点亮）的微心愿个数，按社区统计；来自“微心愿”。"),
    _("个"),
    "wishes",
    wishes_lit,
    30,
    records=_link("services:wishes"),
    public=True,
)
_i(
    "wish_fulfilment_rate",
    _("微心愿实现率"),
    _("本期上墙的微心愿中，已送达或已实现的个数 ÷ 上墙个数。"),
    "%",
    "wishes",
    wish_fulfilment_rate,
    40,
    kind=RATE,
    records=_link("services:wishes"),
)
_i(
    "activities",
    _("开展活动场次"),
    _("本期开始、状态为“已发布”（未取消）的活动场次，按社区统计；来自“活动”。"),
    _("场"),
    "activities",
    activities,
    50,
    records=_link("services:activities"),
    public=True,
)
_i(
    "volunteer_hours",
    _("志愿服务时长"),
    _("本期签退的活动报名记录的服务时长合计（小时），按活动所在社区统计。"),
    _("小时"),
    "volunteering",
    volunteer_hours,
    60,
    records=_link("services:activities"),
    public=True,
)
_i(
    "order_satisfaction_rate",
    _("服务订单满意率"),
    _("服务时间在本期内、居民已评价的服务订单中，评分为 4 星及以上的单数 ÷ 已评价单数。"),
    "%",
    "orders",
    order_satisfaction_rate,
    70,
    kind=RATE,
    records=_link("services:orders"),
)
