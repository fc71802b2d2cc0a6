"""What geo gives the shared surfaces: the divisions page, its URLs and API, and how many
streets, communities and grids a scope holds."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import (
    Api,
    Fix,
    NavItem,
    OnboardingCheck,
    Urls,
    register_component,
    register_figure,
    register_onboarding_check,
)
from jiceng.core.scope import LEVELS
from jiceng.geo.models import Division


def _count(level: str, scopes: list[str]):
    return Division.objects.within(*scopes).filter(level=level, is_active=True)


def _above(level: str):
    """Shown only where some scope is larger than ``level``: a community's staff are not told
    that their community holds 0 streets and 1 community."""

    def shown(scopes: list[str]) -> bool:
        return any(len(code) < LEVELS[level] for code in scopes)

    return shown


for level, key, label in (
    ("street", "geo.streets", _("街道")),
    ("community", "geo.communities", _("社区和村")),
    ("grid", "geo.grids", _("网格")),
):
    register_figure(
        key, label, lambda scopes, level=level: _count(level, scopes), shown=_above(level)
    )

# geo sits below accounts, so it names the roles by their values: the staff of a place.
PLACE_STAFF = frozenset(
    {
        "grid_worker",
        "grid_chief",
        "community_worker",
        "community_secretary",
        "street_staff",
        "district_staff",
    }
)

register_component(
    "geo",
    nav=[
        NavItem("divisions", _("区划与网格"), "geo:divisions", PLACE_STAFF, order=40),
        # The district's GIS boundaries (issue 20): the system administrator, and district staff.
        NavItem(
            "place_import",
            _("导入网格边界"),
            "geo:place_import",
            frozenset({"system_admin", "district_staff"}),
            order=41,
        ),
    ],
    urls=[Urls("console/geo/", "jiceng.geo.urls")],
    api=[Api("/geo", "jiceng.geo.api.router")],
)

# Onboarding (a district going live): its grids and their boundaries come from its GIS office.
# The import page is the golive work's (a missing URL name leaves the link out).
_SYSTEM_ADMIN = frozenset({"system_admin"})
_IMPORT_PLACES = (
    Fix(_("导入网格边界"), "geo:import", _SYSTEM_ADMIN),
    Fix(_("区划（系统配置）"), "admin:geo_division_changelist", _SYSTEM_ADMIN),
)


def _places(level: str):
    return lambda code: Division.objects.within(code).filter(level=level, is_active=True)


register_onboarding_check(
    OnboardingCheck(
        "geo.streets",
        _("街道（乡镇）"),
        loaded=_places("street"),
        missing=lambda code: 0 if _places("street")(code).exists() else 1,
        missing_label=_("区县还没有街道：请运行 jiceng setup"),
        order=10,
    )
)
register_onboarding_check(
    OnboardingCheck(
        "geo.grids",
        _("网格"),
        loaded=_places("grid"),
        missing=lambda code: _places("community")(code).exclude(
            code__in=Division.objects.within(code).filter(level="grid").values("parent__code")
        ),
        missing_label=_("个社区或村还没有网格"),
        fixes=_IMPORT_PLACES,
        order=20,
    )
)
register_onboarding_check(
    OnboardingCheck(
        "geo.boundaries",
        _("网格边界"),
        loaded=lambda code: _places("grid")(code).filter(boundary__isnull=False),
        missing=lambda code: _places("grid")(code).filter(boundary__isnull=True),
        missing_label=_("个网格没有边界"),
        fixes=_IMPORT_PLACES,
        order=30,
    )
)
