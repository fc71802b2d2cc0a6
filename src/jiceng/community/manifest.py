"""What services gives the shared surfaces: its figures, and (in scoring.py) its point sources."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.community.models import Activity, Need, ServiceOrder, Wish
from jiceng.community.permissions import visible_wishes
from jiceng.community.scoring import POINT_SOURCES  # noqa: F401 - declared here for the reader
from jiceng.community.workflow import OrderStatus
from jiceng.core.registry import register_figure, register_uploads


def _month_start():
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _needs_pending(scopes: list[str]) -> int:
    return Need.objects.within(*scopes).filter(status=Need.Status.PENDING).count()


def _activities_this_month(scopes: list[str]) -> int:
    return (
        Activity.objects.within(*scopes)
        .filter(starts_at__gte=_month_start(), status=Activity.Status.PUBLISHED)
        .count()
    )


def _orders_late(scopes: list[str]) -> int:
    return (
        ServiceOrder.objects.within(*scopes)
        .filter(status=OrderStatus.DISPATCHED, due_at__lt=timezone.now())
        .count()
    )


def _wishes(status_field: str, statuses: tuple[str, ...]):
    def compute(scopes: list[str]) -> int:
        return (
            Wish.objects.within(*scopes)
            .filter(status__in=statuses, **{f"{status_field}__gte": _month_start()})
            .count()
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
