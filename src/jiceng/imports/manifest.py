"""What the going-live imports give the shared surfaces: their console page."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import (
    Fix,
    NavItem,
    Urls,
    register_audit_actions,
    register_component,
    register_onboarding_fix,
)

register_component(
    "imports",
    nav=[
        NavItem(
            "unit_import",
            _("导入单位、党组织和人员"),
            "imports:start",
            frozenset({"system_admin", "security_admin", "district_staff"}),
            order=42,
        )
    ],
    urls=[Urls("console/imports/", "jiceng.imports.urls")],
)
register_audit_actions(
    {"imports.submit": _("上传上线导入文件"), "imports.run": _("上线导入（单位、党组织、人员）")}
)

# The onboarding page's lines these imports fill (the lines belong to the apps below).
# Accounts and roles (grid workers, secretaries) are the security administrator's to import.
_SYSTEM_ADMIN = frozenset({"system_admin"})
_SECURITY_ADMIN = frozenset({"security_admin"})
for _key, _label, _roles in (
    ("accounts.grid_workers", _("导入工作人员账号"), _SECURITY_ADMIN),
    ("accounts.secretaries", _("导入工作人员账号"), _SECURITY_ADMIN),
    ("partners.departments", _("导入单位"), _SYSTEM_ADMIN),
    ("cases.categories", _("导入案件类别"), _SYSTEM_ADMIN),
):
    register_onboarding_fix(_key, Fix(_label, "imports:start", _roles))
