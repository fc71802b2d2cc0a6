"""What the going-live imports give the shared surfaces: their console page."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import NavItem, Urls, register_audit_actions, register_component

register_component(
    "imports",
    nav=[
        NavItem(
            "unit_import",
            _("导入单位、党组织和人员"),
            "imports:start",
            frozenset({"system_admin", "district_staff"}),
            order=42,
        )
    ],
    urls=[Urls("console/imports/", "jiceng.imports.urls")],
)
register_audit_actions(
    {"imports.submit": _("上传上线导入文件"), "imports.run": _("上线导入（单位、党组织、人员）")}
)
