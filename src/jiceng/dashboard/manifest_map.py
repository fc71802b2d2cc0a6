"""What the warning centre, the map and the big screen give the shared surfaces: their pages
(navigation, URLs), their API routers and the console's to-do of open warnings. Imported by
manifest.py."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import Role
from jiceng.core.models import minimal_prefixes
from jiceng.core.registry import Api, NavItem, Todo, Urls, register_component, register_uploads
from jiceng.dashboard import warning_tasks  # noqa: F401 - the periodic run, for the worker
from jiceng.dashboard.sites import may_see_photo
from jiceng.dashboard.warnings import STAFF_ROLES, todo_counts
from jiceng.geo.models import Division

STAFF = frozenset(STAFF_ROLES)
DISTRICT = frozenset({Role.DISTRICT_STAFF})


def _todos(user):
    """The open warnings of the user's place, the severe ones making the line overdue; for
    district and street staff one line per street or community with any."""
    if not user.has_role(*STAFF_ROLES):
        return []
    live, severe = todo_counts(user)
    url = reverse("warnings:list")
    lines = [Todo(_("待处理的预警"), url, live, severe)]
    scopes = user.scopes_for(Role.DISTRICT_STAFF, Role.STREET_STAFF)
    if scopes:
        children = Division.objects.filter(
            parent__code__in=minimal_prefixes(scopes), is_active=True
        ).values_list("code", "name")
        for code, name in children:
            lines.append(
                Todo(
                    format_lazy(_("{place}：待处理的预警"), place=name),
                    f"{url}?place={code}",
                    live.within(code),
                    severe.within(code),
                )
            )
    return lines


register_component(
    "warnings",
    nav=[NavItem("warnings", _("预警中心"), "warnings:list", STAFF, order=15)],
    urls=[Urls("console/warnings/", "jiceng.dashboard.warning_urls")],
    api=[Api("/warnings", "jiceng.dashboard.warning_api.router")],
    todos=_todos,
)


# The map and the sites come before the dashboard's own pages: "console/dashboard/<code>/"
# would take "console/dashboard/map/" for a place's code.
register_component(
    "dashboard_map",
    nav=[
        NavItem("dashboard_map", _("一张图"), "dashboard_map:home", STAFF, order=26),
        NavItem("screen", _("数据大屏"), "screen:home", STAFF, order=27),
        NavItem("sites", _("示范点"), "sites:list", STAFF, order=28),
    ],
    urls=[
        Urls("console/dashboard/map/", "jiceng.dashboard.map_urls"),
        Urls("console/sites/", "jiceng.dashboard.site_urls"),
        Urls("screen/", "jiceng.dashboard.screen_urls"),
    ],
    api=[Api("/indicators/map", "jiceng.dashboard.map_api.router")],
)

register_uploads("sites/", may_see_photo)
