"""What onboarding gives the shared surfaces: the onboarding page of the system administrator."""

from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import Role
from jiceng.core.registry import NavItem, Urls, register_audit_actions, register_component

register_component(
    "onboarding",
    nav=[
        NavItem(
            "onboarding",
            _("上线向导"),
            "onboarding:page",
            frozenset({Role.SYSTEM_ADMIN}),
            order=925,
        )
    ],
    urls=[Urls("console/onboarding/", "jiceng.onboarding.urls")],
)

register_audit_actions(
    {
        "system.setup": _("建立区县"),
        "system.export": _("导出区县数据"),
        "user.one_time_password": _("发放一次性密码"),
    }
)
