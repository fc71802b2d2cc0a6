"""What the dashboard gives the shared surfaces: the dashboard page for district, street and
community staff, its URLs and its API (indicator definitions and values), and the public
indicators' card on each community's public page."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import (
    Api,
    HomeCard,
    NavItem,
    Urls,
    register_audit_actions,
    register_component,
)

# First: the map's URLs must be mounted before the dashboard's "<code>/" (manifest_map.py).
from jiceng.dashboard import manifest_map  # noqa: F401 - the map, screen, sites, warnings
from jiceng.dashboard.permissions import DASHBOARD_ROLES
from jiceng.dashboard.public import public_card

register_audit_actions({"dashboard.refresh": _("数据看板：重新计算指标")})

register_component(
    "dashboard",
    nav=[NavItem("dashboard", _("数据看板"), "dashboard:home", DASHBOARD_ROLES, order=25)],
    urls=[Urls("console/dashboard/", "jiceng.dashboard.urls")],
    api=[Api("/indicators", "jiceng.dashboard.api.router")],
    # the public page of each community (cases' /cases/open/<code>/) shows the cards of the
    # "public_community" home: the indicators the district marks public
    home_cards=[
        HomeCard("public_community", "indicators", "dashboard/public_card.html", public_card)
    ],
)
