"""What the register gives the shared surfaces: its page in the navigation, its URLs and API,
and its figures for the console and dashboards."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import Role
from jiceng.core.registry import Api, NavItem, Todo, Urls, register_component, register_figure
from jiceng.registry.models import CareTag, Person
from jiceng.registry.permissions import CARE_ROLES, READ_ROLES
from jiceng.registry.selectors import PeopleFilters, people


def _residents(scopes: list[str]):
    return Person.objects.within(*scopes).filter(status=Person.Status.LIVING)


def _elderly_alone(scopes: list[str]):
    return CareTag.objects.within(*scopes).filter(
        tag=CareTag.Tag.ELDERLY_ALONE, ended_at__isnull=True
    )


register_figure("registry.residents", _("在册居民"), _residents, roles=set(READ_ROLES))
register_figure("registry.elderly_alone", _("独居老人"), _elderly_alone, roles=set(CARE_ROLES))


def _todos(user):
    """For the grid's staff: the register's records due for their yearly check in their grid
    (floating residents), linking to the register's list of exactly those."""
    if not user.has_role(Role.GRID_WORKER, Role.GRID_CHIEF):
        return []
    due = people(user=user, filters=PeopleFilters(due="verify"))
    return [Todo(_("待年度核实的流动人口"), reverse("registry:home") + "?due=verify", due)]


register_component(
    "registry",
    nav=[NavItem("registry", _("人房网格地址"), "registry:home", frozenset(READ_ROLES), order=50)],
    urls=[Urls("console/registry/", "jiceng.registry.urls")],
    api=[Api("/registry", "jiceng.registry.api.router")],
    todos=_todos,
)

from jiceng.registry import books  # noqa: E402, F401  (its record books)
