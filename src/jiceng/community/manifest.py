"""What community services give the shared surfaces: their pages, URLs (console and phone)
and API, the phone homes' links, what waits for review on the console home, their figures,
and (in scoring.py) their point sources."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES as PLACE_MANAGERS
from jiceng.accounts.roles import Role
from jiceng.community import indicators  # noqa: F401 - registers the services' indicators
from jiceng.community.models import Activity, Need, ServiceOrder, Wish
from jiceng.community.permissions import (
    can_claim_wish,
    home_communities,
    visible_wishes,
)
from jiceng.community.scoring import POINT_SOURCES  # noqa: F401 - declared here for the reader
from jiceng.community.selectors import (
    my_signups,
    my_wishes,
    need_list,
    order_list,
    wish_list,
    wish_wall,
)
from jiceng.community.warnings import unaccepted_order_alerts
from jiceng.community.workflow import OrderStatus
from jiceng.core.registry import (
    Api,
    HomeCard,
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


# The home's figures matter to who manages the place (community, street, district).
FIGURE_ROLES = set(PLACE_MANAGERS)
register_figure("services.needs_pending", _("待审核需求"), _needs_pending, roles=FIGURE_ROLES)
register_figure(
    "services.activities_month", _("本月活动"), _activities_this_month, roles=FIGURE_ROLES
)
register_figure("services.orders_late", _("超时未接工单"), _orders_late, roles=FIGURE_ROLES)
# Monthly counts of micro-wishes per community: posted, lit (claimed) and fulfilled this month.
register_figure(
    "services.wishes_posted_month",
    _("本月新增微心愿"),
    _wishes("created_at", tuple(Wish.Status.values)),
    roles=FIGURE_ROLES,
)
register_figure(
    "services.wishes_claimed_month",
    _("本月点亮微心愿"),
    _wishes("claimed_at", ("claimed", "fulfilled", "confirmed")),
    roles=FIGURE_ROLES,
)
register_figure(
    "services.wishes_confirmed_month",
    _("本月实现微心愿"),
    _wishes("confirmed_at", ("confirmed",)),
    roles=FIGURE_ROLES,
)


def _may_see_wish_photo(user, name: str) -> bool:
    """A wish's photos (the resident's and the delivery's) show to whoever may open the wish."""
    return visible_wishes(user).filter(Q(photo=name) | Q(fulfil_photo=name)).exists()


register_uploads("wishes/", _may_see_wish_photo)


def _people_todos(user):
    """The phone homes' lines: a resident's coming activities and delivered wishes to confirm;
    a member's orders to accept, wishes they claimed to deliver and the wall's wishes to light.
    Each link opens the phone page narrowed to exactly those records."""
    lines = []
    hub, wishes = reverse("m_services:hub"), reverse("m_services:wishes")
    for home in ("resident", "member"):
        if not user.has_role(home):
            continue
        lines += [
            Todo(
                _("即将参加的活动"),
                hub + "?show=upcoming",
                my_signups(user=user, upcoming=True),
                home=home,
            ),
            Todo(
                _("待我确认送达的心愿"),
                wishes + "?mine=confirm",
                my_wishes(user=user, show="confirm"),
                home=home,
            ),
        ]
    if user.has_role(Role.MEMBER):
        orders = order_list(user=user, status=OrderStatus.DISPATCHED)
        url = reverse("m_services:orders") + f"?status={OrderStatus.DISPATCHED}"
        lines.append(
            Todo(
                _("待接的服务工单"),
                url,
                orders,
                orders.filter(due_at__lt=timezone.now()),
                home="member",
            )
        )
        lines.append(
            Todo(
                _("我认领待送达的心愿"),
                wishes + "?mine=deliver",
                my_wishes(user=user, show="deliver"),
                home="member",
            )
        )
        homes = home_communities(user)
        if homes and can_claim_wish(user):
            lines.append(
                Todo(_("社区待认领的微心愿"), wishes, wish_wall(community=homes[0]), home="member")
            )
    return lines


def _month_card(user, place):
    """What the resident's community published this month: its activities (the count and the
    next three), linking to the month's calendar. One query."""
    community = place.get("community")
    if community is None:
        return None
    start = _month_start()
    end = (start + timedelta(days=32)).replace(day=1)
    rows = list(
        Activity.objects.filter(
            scope_code=community.code,
            status=Activity.Status.PUBLISHED,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .only("pk", "title", "starts_at", "place")
        .order_by("starts_at")[:200]
    )
    now = timezone.now()
    return {"count": len(rows), "next": [a for a in rows if a.starts_at >= now][:3]}


def _todos(user):
    """For the community's managers: needs and micro-wishes waiting for review, and service
    orders nobody has accepted yet (late: past their time). Each link opens the list filtered
    to those records (the same selectors)."""
    # the community's staff review and dispatch; the street and the district above do not
    if not user.has_role(Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY):
        return _people_todos(user)
    orders = order_list(user=user, status=OrderStatus.DISPATCHED)
    return _people_todos(user) + [
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
    home_cards=[
        HomeCard("resident", "month", "community/home_month_card.html", _month_card, order=20)
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

from jiceng.community import books  # noqa: E402, F401  (its record books)
