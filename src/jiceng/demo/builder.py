"""The demo district: Yuehu District, Yingtan (360602) by default, or any district of the shipped
division data (``jiceng demo --district 330212``), with one login per role.

Streets and communities are the real ones with their statistical codes; grids, their boundaries,
people and units are generated (README says so).
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import timedelta

from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import ROLES, Role
from jiceng.assessment.demo import build_assessment_demo
from jiceng.cases.demo import build_dispatch_defaults
from jiceng.cases.generate import generate_cases
from jiceng.cases.models import Case, Whistle, WhistleResponse
from jiceng.cases.workflow import OPEN, Status
from jiceng.community.activities import signup as activity_signup
from jiceng.community.demo import build_services_demo
from jiceng.community.models import Activity
from jiceng.core.audit import audit
from jiceng.core.scope import community_of, covers, street_of
from jiceng.dashboard.demo import build_snapshots_demo
from jiceng.dashboard.demo_map import build_map_demo
from jiceng.deliberation.demo import build_deliberation_demo
from jiceng.deliberation.poll_demo import build_polls_demo
from jiceng.demo.names import names
from jiceng.geo.models import Division
from jiceng.geo.services import load_real_district
from jiceng.partners.models import Partner
from jiceng.party.demo import build_party_demo
from jiceng.party.models import PartyOrg
from jiceng.projects.demo import build_projects_demo
from jiceng.projects.demo_funds import build_funds_demo
from jiceng.registry.generate import generate_register
from jiceng.registry.models import Person
from jiceng.venues.demo import build_venues

DISTRICT = "360602"
# The districts of the case studies: each can see itself in the demo.
CASE_STUDY_DISTRICTS = ("360602", "330212", "610822", "450204", "320213")
DEMO_PASSWORD = "Jiceng@2026"

# One login per role: username, full name, and where the role sits (level of the first street /
# community / grid of the district, or a unit).
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    (Role.RESIDENT, "resident", "grid"),
    (Role.MEMBER, "member", "community"),
    (Role.GRID_WORKER, "gridworker", "grid"),
    (Role.GRID_CHIEF, "gridchief", "grid"),
    (Role.COMMUNITY_WORKER, "communityworker", "community"),
    (Role.COMMUNITY_SECRETARY, "secretary", "community"),
    (Role.STREET_STAFF, "street", "street"),
    (Role.DEPARTMENT_STAFF, "department", "department"),
    (Role.PARTNER_STAFF, "partner", "partner"),
    (Role.DISTRICT_STAFF, "district", "district"),
    (Role.SYSTEM_ADMIN, "sysadmin", "district"),
    (Role.SECURITY_ADMIN, "secadmin", "district"),
    (Role.AUDIT_ADMIN, "auditor", "district"),
]

DEPARTMENTS = [
    "城市管理局",
    "住房和城乡建设局",
    "生态环境分局",
    "市场监督管理局",
    "公安分局",
    "民政局",
    "卫生健康委员会",
    "应急管理局",
]
PARTNER_KINDS = [
    ("enterprise", "{}科技有限公司"),
    ("property_company", "{}物业服务有限公司"),
    ("agency", "{}中学"),
    ("social_org", "{}社会工作服务中心"),
]
PARTNER_WORDS = ["信江", "龙虎", "月湖", "白露", "东湖", "梅园", "童家", "夏埠", "四青", "交通"]


@dataclass
class DemoLogin:
    role: str
    username: str
    place: str
    totp_secret: str = ""  # base32, for an authenticator app (administrators only)


def totp_secret_for(username: str) -> bytes:
    """A fixed TOTP key per demo administrator, so that a rebuilt demo keeps the same secret."""
    return hashlib.sha256(f"jiceng-demo-totp:{username}".encode()).digest()[:20]


def is_built() -> bool:
    return User.objects.filter(username="resident").exists()


def built_district() -> Division | None:
    """The district the demo database was built for (the demo resident's)."""
    assignment = RoleAssignment.objects.filter(user__username="resident").order_by("pk").first()
    if assignment is None:
        return None
    return Division.objects.filter(code=assignment.scope_code[:6]).first()


@transaction.atomic
def build_demo(
    *, residents: int = 3000, seed: int = 2026, district_code: str = DISTRICT
) -> list[DemoLogin]:
    """Build the demo district once; returns the logins (one per role)."""
    rng = random.Random(seed)
    district = load_real_district(code=district_code)
    code = district.code
    streets = list(Division.objects.filter(level="street", code__startswith=code))
    communities = list(Division.objects.filter(level="community", code__startswith=code))
    grids = list(Division.objects.filter(level="grid", code__startswith=code))

    departments = [
        Partner(name=f"{district.name}{n}", kind="department", division=district, scope_code=code)
        for n in DEPARTMENTS
    ]
    # Yuehu's partner names use its own place words; elsewhere those of its communities.
    words = PARTNER_WORDS if code == DISTRICT else sorted({c.name[:2] for c in communities})
    partners = []
    for street in streets:
        for kind, pattern in rng.sample(PARTNER_KINDS, 3):
            name = pattern.format(rng.choice(words) + street.name[:2])
            partners.append(Partner(name=name, kind=kind, division=street, scope_code=street.code))
    Partner.objects.bulk_create(departments + partners, ignore_conflicts=True)

    _party_orgs(district, streets, communities, grids)
    logins = _accounts(district, streets, communities, grids)
    _people(rng, residents, grids, communities)
    _register(district, residents)
    _cases(district)
    _party(district)
    _services(district)
    _venues(district)
    _daily_work(district)
    _deliberation(district)
    _polls(district)
    build_projects_demo(district=district.code)  # a year of projects, supervision
    build_funds_demo(district=district.code)  # fund lines, allocations to the projects, spending
    build_map_demo(district=district.code)  # sites, and the warning centre's first run
    build_snapshots_demo()  # last: a year of indicator snapshots from everything above
    build_assessment_demo(district=district)  # computes last year's snapshots it scores from
    return logins


def _daily_work(district: Division) -> None:
    """What waits for the demo's people today, so that each role's home has something to show:
    the resident's own cases still being handled and an activity to come; a case handled in
    the grid worker's grid to verify and floating residents due for their yearly check; a
    street's whistle calling the demo department and two others (one already late); roles
    given today for the auditor to read; a login locked for the security administrator."""
    now = timezone.now()
    users = {u.username: u for u in User.objects.filter(username__in=[a[1] for a in DEMO_ACCOUNTS])}
    resident, worker = users["resident"], users["gridworker"]
    grid = worker.role_assignments.get().scope_code
    community = community_of(grid)
    open_cases = Case.objects.filter(scope_code=grid, status__in=OPEN).order_by("pk")
    Case.objects.filter(pk__in=list(open_cases.values_list("pk", flat=True)[:3])).update(
        reporter=resident
    )
    if not Case.objects.filter(scope_code=grid, status=Status.HANDLED).exists():
        # the nearest handled cases: of the community, else of the district
        handled = Case.objects.filter(status=Status.HANDLED).order_by("pk")
        if handled.filter(scope_code__startswith=community).exists():
            handled = handled.filter(scope_code__startswith=community)
        Case.objects.filter(pk__in=list(handled.values_list("pk", flat=True)[:2])).update(
            scope_code=grid
        )
    floating = Person.objects.filter(scope_code=grid, status=Person.Status.LIVING).order_by("pk")
    Person.objects.filter(pk__in=list(floating.values_list("pk", flat=True)[:4])).update(
        residence_type=Person.ResidenceType.FLOATING, updated_at=now - timedelta(days=400)
    )
    coming = (
        Activity.objects.filter(
            scope_code=community, status=Activity.Status.PUBLISHED, starts_at__gt=now
        )
        .exclude(signups__user=resident)
        .order_by("starts_at")
        .first()
    )
    if coming is not None:
        activity_signup(by=resident, activity=coming)
    street = users["street"]
    department = users["department"].role_assignments.get().unit
    called = [department, *Partner.objects.filter(kind="department").exclude(pk=department.pk)[:2]]
    for case in Case.objects.filter(
        scope_code__startswith=street_of(grid), status__in=[Status.FILED, Status.DISPATCHED]
    ).order_by("pk")[:2]:
        whistle = Whistle.objects.create(
            case=case, by=street, note="多部门联合处置，请于时限内报到。"
        )
        WhistleResponse.objects.bulk_create(
            WhistleResponse(whistle=whistle, unit=unit, deadline_at=now + timedelta(hours=hours))
            for unit, hours in zip(called, (-3, 20, 44), strict=False)
        )
    security = users["secadmin"]
    for username in ("communityworker", "gridchief"):
        target = users[username]
        audit(actor=security, action="role.assign", obj=target.role_assignments.get())
    AccessAttempt.objects.create(
        username="admin",
        ip_address="10.20.3.27",
        user_agent="Mozilla/5.0",
        http_accept="text/html",
        path_info="/accounts/login/",
        failures_since_start=6,
    )


def _services(district: Division) -> None:
    """The three lists, a volunteer team, this month's activities, orders and micro-wishes."""
    build_services_demo(district=district.code)


def _party(district: Division) -> None:
    """Members with their dues, meetings with attendance and points, registrations."""
    build_party_demo(district=district.code)


def _venues(district: Division) -> None:
    build_venues(district=district.code)


def _deliberation(district: Division) -> None:
    """A year of monthly 月月谈 with issues and resolutions, five-step matters."""
    build_deliberation_demo(district=district.code)


def _polls(district: Division) -> None:
    """A closed household vote with web and paper ballots, an open one, a survey, a selection
    and a compact in the first community; the demo resident linked to the register."""
    build_polls_demo(district=district.code, resident="resident")


def _register(district: Division, residents: int) -> None:
    """The 人房网格地址 register: compounds, buildings in the grids, dwellings, households and
    the residents with their (synthetic) ID and phone numbers, encrypted."""
    generate_register(
        district=district.code, residents=residents, seed=11, events=True, log=lambda *_: None
    )


def _cases(district: Division) -> None:
    """A year of cases in every stage, so that inboxes, case pages and metrics have something
    to show (generated straight into the tables, like the benchmark data)."""
    generate_cases(district=district.code, count=400, seed=7, log=lambda *_: None, prefix="D")
    build_dispatch_defaults(district=district.code)


def _party_orgs(district, streets, communities, grids) -> None:
    top = PartyOrg.objects.create(
        name=f"中共{district.name}委员会", kind="committee", division=district
    )
    by_code: dict[str, PartyOrg] = {}
    for street in streets:
        by_code[street.code] = PartyOrg(
            name=f"中共{street.name}工作委员会",
            kind="working_committee",
            division=street,
            parent=top,
            scope_code=street.code,
        )
    PartyOrg.objects.bulk_create(by_code.values())
    level2 = []
    for c in communities:
        kind = "committee" if c.kind == "community" else "general_branch"
        suffix = "委员会" if kind == "committee" else "总支部委员会"
        level2.append(
            PartyOrg(
                name=f"中共{c.name}{suffix}",
                kind=kind,
                division=c,
                parent=by_code[street_of(c.code)],
                scope_code=c.code,
            )
        )
    PartyOrg.objects.bulk_create(level2)
    by_code.update({o.scope_code: o for o in level2})
    PartyOrg.objects.bulk_create(
        PartyOrg(
            name=f"{g.name}党支部",
            kind="branch",
            division=g,
            parent=by_code[community_of(g.code)],
            scope_code=g.code,
        )
        for g in grids
    )


def _accounts(district, streets, communities, grids) -> list[DemoLogin]:
    street = next(s for s in streets if any(covers([s.code], c.code) for c in communities))
    community = next(c for c in communities if covers([street.code], c.code))
    grid = next(g for g in grids if covers([community.code], g.code))
    places = {"district": district, "street": street, "community": community, "grid": grid}
    department = Partner.objects.filter(kind="department").order_by("pk").first()
    partner = (
        Partner.objects.filter(scope_code__startswith=street.code)
        .exclude(kind="department")
        .order_by("pk")
        .first()
    )
    people = names(len(DEMO_ACCOUNTS), random.Random(7))
    logins = []
    password = make_password(DEMO_PASSWORD)
    for (role, username, where), full_name in zip(DEMO_ACCOUNTS, people, strict=True):
        user = User.objects.create(username=username, full_name=full_name, password=password)
        unit = {"department": department, "partner": partner}.get(where)
        division = None if unit else places[where]
        RoleAssignment.objects.create(
            user=user,
            role=role,
            division=division,
            unit=unit,
            scope_code=unit.scope_code if unit else division.code,
        )
        login = DemoLogin(role, username, unit.name if unit else division.name)
        if ROLES[role].admin:
            key = totp_secret_for(username)
            TOTPDevice.objects.create(user=user, name="demo", key=key.hex(), confirmed=True)
            login.totp_secret = base64.b32encode(key).decode()
        logins.append(login)
    return logins


def _people(rng: random.Random, residents: int, grids, communities) -> None:
    """Residents spread over the grids, a grid worker per grid, members in the communities."""
    now = timezone.now()
    unusable = make_password(None)
    plan: list[tuple[str, str, Division]] = []
    for i, grid in enumerate(grids, start=1):
        plan.append((f"gw{i:04d}", Role.GRID_WORKER, grid))
    for i in range(1, residents + 1):
        plan.append((f"r{i:06d}", Role.RESIDENT, rng.choice(grids)))
    for i in range(1, residents // 10 + 1):
        plan.append((f"m{i:05d}", Role.MEMBER, rng.choice(communities)))
    full_names = names(len(plan), rng)
    users = User.objects.bulk_create(
        User(username=u, full_name=n, password=unusable, date_joined=now)
        for (u, _, _), n in zip(plan, full_names, strict=True)
    )
    if users[0].pk is None:  # backends that do not return ids from bulk inserts
        ids = dict(
            User.objects.filter(username__in=[p[0] for p in plan]).values_list("username", "pk")
        )
        for user in users:
            user.pk = ids[user.username]
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=role, division=place, scope_code=place.code)
        for user, (_, role, place) in zip(users, plan, strict=True)
    )
