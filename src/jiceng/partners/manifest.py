"""What partners gives the shared surfaces: the onboarding page's line on departments and units
(a district going live needs departments to dispatch cases to)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import Fix, OnboardingCheck, register_onboarding_check
from jiceng.partners.models import Partner

# partners sits below accounts, so it names the role by its value.
_SYSTEM_ADMIN = frozenset({"system_admin"})


def _departments(code: str):
    return Partner.objects.within(code).filter(kind="department")


register_onboarding_check(
    OnboardingCheck(
        "partners.departments",
        _("职能部门"),
        loaded=_departments,
        missing=lambda code: 0 if _departments(code).exists() else 1,
        missing_label=_("区县还没有职能部门：案件无处派遣"),
        fixes=(Fix(_("单位（系统配置）"), "admin:partners_partner_changelist", _SYSTEM_ADMIN),),
        order=55,
    )
)
