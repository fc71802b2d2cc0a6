"""What cases gives the shared surfaces: reporting and the inbox in the navigation, its URLs
(with Open311) and API, the resident home's links, the cases waiting for each role on the
console home, and who may see its uploaded photos."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import Role
from jiceng.cases import indicators  # noqa: F401 - registers the cases' indicators
from jiceng.cases.models import Case, CaseCategory, CasePhoto
from jiceng.cases.permissions import COMMUNITY_ROLES, DEFAULTS_ROLES, UNIT_ROLES, VERIFIER_ROLES
from jiceng.cases.selectors import (
    InboxFilters,
    calls_by_unit,
    case_for,
    inbox,
    own_cases,
    unit_calls,
)
from jiceng.cases.warnings import deadline_alerts, overdue_alerts
from jiceng.cases.workflow import OPEN, Status
from jiceng.core.errors import NotFound
from jiceng.core.registry import (
    Api,
    Fix,
    HomeCard,
    HomeLink,
    NavItem,
    OnboardingCheck,
    Todo,
    Urls,
    WarningSource,
    register_audit_actions,
    register_component,
    register_figure,
    register_onboarding_check,
    register_uploads,
    register_warning_source,
)


def _may_see_photo(user, name: str) -> bool:
    """A case's photo shows to whoever may open the case's page (the same rule, in one place)."""
    for number in CasePhoto.objects.filter(image=name).values_list("case__number", flat=True):
        try:
            case_for(user=user, number=number)
        except NotFound:
            continue
        return True
    return False


register_uploads("cases/", _may_see_photo)


def _open_cases(scopes: list[str]):
    return Case.objects.within(*scopes).filter(status__in=OPEN)


def _overdue_cases(scopes: list[str]):
    return _open_cases(scopes).filter(deadline_at__lt=timezone.now())


# Live counts (the console homes and the big screen, refreshed each minute).
register_figure("cases.open", _("在办案件"), _open_cases)
register_figure("cases.overdue", _("超时案件"), _overdue_cases)


# The stages that wait for a role's action (workflow.TRANSITIONS' actors): the community files,
# triages and handles minor matters (the street dispatches what is filed), a unit accepts and
# reports back, the grid and the community verify.
WAITING = [
    (Status.REPORTED, _("待立案的诉求"), (*COMMUNITY_ROLES, Role.STREET_STAFF)),
    (Status.FILED, _("待分流或派遣的诉求"), (*COMMUNITY_ROLES, Role.STREET_STAFF)),
    (Status.COORDINATING, _("待社区协调处置的诉求"), COMMUNITY_ROLES),
    (Status.SELF_HELP, _("待答复指引的诉求"), COMMUNITY_ROLES),
    (Status.DISPATCHED, _("待接收的派遣"), UNIT_ROLES),
    (Status.IN_PROGRESS, _("处置中待反馈的诉求"), UNIT_ROLES),
    (Status.HANDLED, _("待核查的诉求"), VERIFIER_ROLES),
]


def _todos(user):
    """The cases in the inbox waiting for this user's action, a line per stage: the link opens
    the inbox filtered to that stage (the same selector); late past the stage's limit."""
    now = timezone.now()
    lines = []
    for status, label, roles in WAITING:
        if not user.has_role(*roles):
            continue
        cases = inbox(user=user, filters=InboxFilters(status=status))
        url = reverse("cases:inbox") + f"?status={status}"
        lines.append(Todo(label, url, cases, cases.filter(deadline_at__lt=now)))
    if user.has_role(*UNIT_ROLES):
        # a unit called by the street's whistle reports within its own limit (报到)
        calls = unit_calls(user=user)
        url = reverse("cases:inbox") + "#pending-whistles"
        lines.append(Todo(_("待报到的吹哨"), url, calls, calls.filter(deadline_at__lt=now)))
    if user.has_role(Role.RESIDENT):
        mine = reverse("cases:mine")
        handling = own_cases(user=user, show="open")
        lines.append(
            Todo(
                _("办理中的诉求"),
                mine + "?show=open",
                handling,
                handling.filter(deadline_at__lt=now),
                home="resident",
            )
        )
        lines.append(
            Todo(
                _("待我评价的诉求"),
                mine + "?show=rate",
                own_cases(user=user, show="rate"),
                home="resident",
            )
        )
    return lines


def _my_cases_card(user, place):
    """The resident's cases being handled, each with its stage (the five latest)."""
    cases = list(own_cases(user=user, show="open")[:5])
    return {"cases": cases} if cases else None


def _whistles_card(user, place):
    """For the street and the district: the units called by a whistle that have not reported,
    with the number of cases each (late ones apart); each links to the inbox filtered to them."""
    if not user.has_role(Role.STREET_STAFF, Role.DISTRICT_STAFF):
        return None
    units = calls_by_unit(user=user)
    inbox_url = reverse("cases:inbox")
    for unit in units:
        unit["url"] = f"{inbox_url}?whistle={unit['unit_id']}"
    return {"units": units}


register_component(
    "cases",
    nav=[
        # Patrol reporting is the grid staff's main job: the first thing their navigation offers.
        NavItem(
            "report",
            _("上报问题"),
            "cases:report",
            frozenset({Role.GRID_WORKER, Role.GRID_CHIEF}),
            order=10,
            primary=True,
        ),
        NavItem(
            "cases",
            _("诉求与事件"),
            "cases:inbox",
            frozenset(
                {
                    Role.GRID_WORKER,
                    Role.GRID_CHIEF,
                    *COMMUNITY_ROLES,
                    Role.STREET_STAFF,
                    *UNIT_ROLES,
                    Role.DISTRICT_STAFF,
                }
            ),
            order=30,
        ),
        NavItem(
            "dispatch_defaults",
            _("类别默认处置单位"),
            "cases:dispatch_defaults",
            frozenset(DEFAULTS_ROLES),
            order=32,
        ),
    ],
    urls=[Urls("cases/", "jiceng.cases.urls"), Urls("open311/v2/", "jiceng.cases.open311")],
    api=[Api("/cases", "jiceng.cases.api.router")],
    home_links=[
        HomeLink("resident", "report", _("我要上报"), "cases:report", order=10),
        HomeLink("resident", "my_cases", _("我的诉求"), "cases:mine", order=20),
    ],
    home_cards=[
        HomeCard("resident", "my_cases", "cases/home_my_cases.html", _my_cases_card, order=10),
        HomeCard("console", "whistles", "cases/home_whistles.html", _whistles_card, order=20),
    ],
    todos=_todos,
)


# Onboarding (a district going live): every category a case can be reported under needs a
# handling unit to be dispatched to.
register_onboarding_check(
    OnboardingCheck(
        "cases.categories",
        _("案件类别"),
        loaded=lambda code: CaseCategory.objects.filter(is_active=True),
        # neither a district-wide unit nor one for any street (the dispatch form's defaults)
        missing=lambda code: CaseCategory.objects.filter(
            is_active=True, default_handler__isnull=True, street_units__isnull=True
        ),
        missing_label=_("个类别没有默认处置单位"),
        fixes=(
            Fix(
                _("案件类别（系统配置）"),
                "admin:cases_casecategory_changelist",
                frozenset({Role.SYSTEM_ADMIN}),
            ),
        ),
        order=60,
    )
)

register_audit_actions({"case.default_unit": _("案件：设置街道默认处置单位")})
_OWNERS = frozenset({*COMMUNITY_ROLES, Role.STREET_STAFF})
register_warning_source(
    WarningSource("cases.overdue", _("案件超时"), overdue_alerts, _OWNERS, order=10)
)
register_warning_source(
    WarningSource("cases.deadline", _("案件临近时限"), deadline_alerts, _OWNERS, order=20)
)

from jiceng.cases import books  # noqa: E402, F401  (its record books)
