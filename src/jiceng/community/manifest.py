"""What community services give the shared surfaces: their pages, URLs (console and phone)
and API, the phone homes' links, what waits for review on the console home, their figures,
and (in scoring.py) their point sources."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import Role
from jiceng.community import indicators  # noqa: F401 - registers the services' indicators
from jiceng.community.models import Activity, Need, ServiceOrder, Wish
from jiceng.community.permissions import MANAGER_ROLES, visible_wishes
from jiceng.community.scoring import POINT_SOURCES  # noqa: F401 - declared here for the reader
from jiceng.community.selectors import need_list, order_list, wish_list
from jiceng.community.warnings import unaccepted_order_alerts
from jiceng.community.workflow import OrderStatus
from jiceng.core.registry import (
    Api,
    HomeLink,
    NavItem,
    Todo,
    Urls,
    WarningSource,
    register_component,
    register_figure,
    register_uploads,
    register_warning_source,
)


def _month_start():
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _needs_pending(scopes: list[str]):
    return Need.objects.within(*scopes).filter(status=Need.Status.PENDING)


def _activities_this_month(scopes: list[str]):
    return Activity.objects.within(*scopes).filter(
        starts_at__gte=_month_start(), status=Activity.Status.PUBLISHED
    )


def _orders_late(scopes: list[str]):
    return ServiceOrder.objects.within(*scopes).filter(
        status=OrderStatus.DISPATCHED, due_at__lt=timezone.now()
    )


def _wishes(status_field: str, statuses: tuple[str, ...]):
    def compute(scopes: list[str]):
        return Wish.objects.within(*scopes).filter(
            status__in=statuses, **{f"{status_field}__gte": _month_start()}
        )

    return compute


register_figure("services.needs_pending", _("待审核需求"), _needs_pending)
register_figure("services.activities_month", _("本月活动"), _activities_this_month)
register_figure("services.orders_late", _("超时未接工单"), _orders_late)
# Monthly counts of micro-wishes per community: posted, lit (claimed) and fulfilled this month.
register_figure(
    "services.wishes_posted_month",
    _("本月新增微心愿"),
    _wishes("created_at", tuple(Wish.Status.values)),
)
register_figure(
    "services.wishes_claimed_month",
    _("本月点亮微心愿"),
    _wishes("claimed_at", ("claimed", "fulfilled", "confirmed")),
)
register_figure(
    "services.wishes_confirmed_month", _("本月实现微心愿"), _wishes("confirmed_at", ("confirmed",))
)


def _may_see_wish_photo(user, name: str) -> bool:
    """A wish's photos (the resident's and the delivery's) show to whoever may open the wish."""
    return visible_wishes(user).filter(Q(photo=name) | Q(fulfil_photo=name)).exists()


register_uploads("wishes/", _may_see_wish_photo)


def _todos(user):
    """For the community's managers: needs and micro-wishes waiting for review, and service
    orders nobody has accepted yet (late: past their time). Each link opens the list filtered
    to those records (the same selectors)."""
    if not user.has_role(*MANAGER_ROLES):
        return []
    orders = order_list(user=user, status=OrderStatus.DISPATCHED)
    return [
        Todo(
            _("待审核的需求"),
            reverse("services:needs") + "?status=pending",
            need_list(user=user, status=Need.Status.PENDING),
        ),
        Todo(
            _("待审核的微心愿"),
            reverse("services:wishes") + "?status=pending",
            wish_list(user=user, status=Wish.Status.PENDING),
        ),
        Todo(
            _("待接单的服务工单"),
            reverse("services:orders") + f"?status={OrderStatus.DISPATCHED}",
            orders,
            orders.filter(due_at__lt=timezone.now()),
        ),
    ]


register_component(
    "community",
    nav=[
        NavItem(
            "services",
            _("社区服务"),
            "services:home",
            frozenset(
                {
                    Role.GRID_CHIEF,
                    Role.COMMUNITY_WORKER,
                    Role.COMMUNITY_SECRETARY,
                    Role.STREET_STAFF,
                    Role.DISTRICT_STAFF,
                    Role.PARTNER_STAFF,
                }
            ),
            order=70,
        )
    ],
    urls=[
        Urls("console/services/", "jiceng.community.urls"),
        Urls("m/services/", "jiceng.community.mobile_urls"),
    ],
    api=[Api("/services", "jiceng.community.api.router")],
    home_links=[
        HomeLink("resident", "services", _("社区服务"), "m_services:hub", order=30),
        HomeLink("member", "services", _("社区服务"), "m_services:hub", order=10),
        HomeLink("member", "orders", _("服务工单"), "m_services:orders", order=20),
        HomeLink("member", "wishes", _("认领微心愿"), "m_services:wishes", order=30),
    ],
    todos=_todos,
)

register_warning_source(
    WarningSource(
        "community.orders",
        _("工单无人接单"),
        unaccepted_order_alerts,
        frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY}),
        order=50,
    )
)
