"""What the dashboard gives the shared surfaces: the dashboard page for district, street and
community staff, its URLs and its API (indicator definitions and values)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import Api, NavItem, Urls, register_audit_actions, register_component
from jiceng.dashboard.permissions import DASHBOARD_ROLES

register_audit_actions({"dashboard.refresh": _("数据看板：重新计算指标")})

register_component(
    "dashboard",
    nav=[NavItem("dashboard", _("数据看板"), "dashboard:home", DASHBOARD_ROLES, order=25)],
    urls=[Urls("console/dashboard/", "jiceng.dashboard.urls")],
    api=[Api("/indicators", "jiceng.dashboard.api.router")],
)
