"""What party gives the shared surfaces: its pages, URLs and API, the member home's links and
its party-organization card, this week's meetings on the console home, its figures, and (in
scoring.py) its point sources."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES as PLACE_MANAGERS
from jiceng.accounts.roles import Role
from jiceng.core.registry import (
    Api,
    HomeCard,
    HomeLink,
    NavItem,
    Todo,
    Urls,
    WarningSource,
    register_component,
    register_figure,
    register_uploads,
    register_warning_source,
)
from jiceng.party import indicators  # noqa: F401 - registers party's indicators
from jiceng.party.models import Member, PartyOrg, Registration
from jiceng.party.permissions import MANAGER_ROLES, member_of, visible_meetings
from jiceng.party.scoring import POINT_SOURCES  # noqa: F401 - declared here for the reader
from jiceng.party.selectors import (
    ARREARS_WARNING_MONTHS,
    meetings_due_this_week,
    member_meetings_to_come,
    registration_list,
    unpaid_months,
)
from jiceng.party.warnings import STAFF_ROLES, dues_alerts, meeting_alerts

# The home's figures that matter to who runs a place's party work (not the grid worker's).
FIGURE_ROLES = {Role.GRID_CHIEF, *PLACE_MANAGERS}


def _members(scopes: list[str]):
    return Member.objects.within(*scopes).filter(is_active=True)


def _registered(scopes: list[str]):
    return Registration.objects.within(*scopes).filter(status="approved")


register_figure("party.members", _("党员"), _members, roles=FIGURE_ROLES)
register_figure("party.registered", _("双报到"), _registered, roles=FIGURE_ROLES)


def _may_see_meeting_photo(user, name: str) -> bool:
    """A meeting's photos show to whoever may open the meeting's record."""
    return visible_meetings(user).filter(photos__image=name).exists()


register_uploads("meetings/", _may_see_meeting_photo)


def _party_orgs_card(user, place: dict) -> dict:
    """The member home's card: the member's own branch and the organizations above it, from
    the top down (issue 19: a branch of a grid was missing, the card listed the organizations
    of the member's community instead). Someone with the member role but no member record yet
    sees the organizations of the place they registered in."""
    member = member_of(user)
    if member is not None:
        chain, org = [], member.org
        while org is not None and len(chain) < 8:  # a tree a few levels deep
            chain.append(org)
            org = org.parent
        return {"party_orgs": chain[::-1], "own_org": member.org}
    orgs = []
    if place.get("division"):
        codes = [d.code for d in place["chain"]]
        orgs = list(PartyOrg.objects.filter(division__code__in=codes).order_by("scope_code"))
    return {"party_orgs": orgs, "own_org": None}


def _member_todos(user):
    """The member home's lines: the meetings (and theme days) to attend, and dues unpaid
    (late from three months in a row, the warning's limit)."""
    mine = reverse("party:mine")
    months = unpaid_months(user=user)
    return [
        Todo(
            _("待参加的会议与主题党日"),
            mine + "?meetings=upcoming",
            member_meetings_to_come(user=user),
            home="member",
        ),
        Todo(
            _("欠缴党费（月）"),
            mine + "#my-dues",
            months,
            months >= ARREARS_WARNING_MONTHS,
            home="member",
        ),
    ]


def _todos(user):
    """The organizers' meetings of this week not yet held (late: its end has passed) and the
    registrations (双报到) waiting for the community's review; a member's own lines."""
    lines = _member_todos(user) if user.has_role(Role.MEMBER) else []
    if not user.has_role(*MANAGER_ROLES):
        return lines
    due = meetings_due_this_week(user=user)
    lines += [
        Todo(
            _("本周待召开的会议"),
            reverse("party:meetings") + "?due=week",
            due,
            due.filter(ends_at__lt=timezone.now()),
        ),
    ]
    if user.has_role(Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY):  # who decide them
        lines.append(
            Todo(
                _("待审核的双报到"),
                reverse("party:registrations") + "?status=pending",
                registration_list(user=user, status="pending"),
            )
        )
    return lines


register_component(
    "party",
    nav=[
        NavItem(
            "party",
            _("党组织与党员"),
            "party:home",
            frozenset(
                {
                    Role.GRID_CHIEF,
                    Role.COMMUNITY_WORKER,
                    Role.COMMUNITY_SECRETARY,
                    Role.STREET_STAFF,
                    Role.DISTRICT_STAFF,
                    Role.PARTNER_STAFF,
                }
            ),
            order=60,
        )
    ],
    urls=[Urls("console/party/", "jiceng.party.urls")],
    api=[Api("/party", "jiceng.party.api.router")],
    home_links=[
        HomeLink("member", "party_mine", _("组织生活与党费"), "party:mine", order=40),
        HomeLink("member", "checkin", _("扫码签到"), "party:checkin", order=60),
    ],
    home_cards=[HomeCard("member", "party_orgs", "party/member_home_card.html", _party_orgs_card)],
    todos=_todos,
)

register_warning_source(
    WarningSource("party.meetings", _("组织生活预警"), meeting_alerts, STAFF_ROLES, order=30)
)
register_warning_source(
    WarningSource("party.dues", _("党费预警"), dues_alerts, STAFF_ROLES, order=40)
)

from jiceng.party import books  # noqa: E402, F401  (its record books)
