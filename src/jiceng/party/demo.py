"""Party life for the demo district: members in the grid branches with their dues since the
start of last year (a few behind), meetings of the last months with attendance and the points
they earned, a meeting next week, registrations with the community, a lead household.

Generated, and marked so in README.md ("The demo"). Points are booked through the same hook the
services use, so balances and rankings agree with the ledger.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import RoleAssignment
from jiceng.core.registry import points_earned
from jiceng.core.scope import community_of, covers
from jiceng.party.dues import add_months, first_of_month, member_dues
from jiceng.party.models import (
    Attendance,
    DuesPayment,
    DuesRule,
    LeadHousehold,
    LeadHouseholdLink,
    Meeting,
    Member,
    PartyOrg,
    Registration,
)

DUES_FROM = date(2025, 1, 1)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@transaction.atomic
def build_party_demo(*, district: str, seed: int = 5) -> dict[str, int]:
    """Members for every demo account with the member role; their branch life in the first
    community (where the demo's member and secretary are)."""
    rng = random.Random(seed)
    branches: dict[str, list[PartyOrg]] = {}
    for org in PartyOrg.objects.filter(scope_code__startswith=district, kind="branch"):
        branches.setdefault(community_of(org.scope_code), []).append(org)
    assignments = (
        RoleAssignment.objects.filter(role="member", ended_at__isnull=True)
        .filter(scope_code__startswith=district)
        .select_related("user")
        .order_by("user__username")
    )
    kinds = ["direct"] * 5 + ["in_service"] * 3 + ["retired"] * 2
    members = []
    for a in assignments:
        candidates = branches.get(community_of(a.scope_code))
        if not candidates or Member.objects.filter(user=a.user).exists():
            continue
        org = rng.choice(candidates)
        kind = "direct" if a.user.username == "member" else rng.choice(kinds)
        retired = kind == "retired"
        members.append(
            Member(
                user=a.user,
                name=a.user.full_name or a.user.username,
                org=org,
                scope_code=org.scope_code,
                management_type=kind,
                standing="probationary" if rng.random() < 0.05 else "full",
                joined_at=date(rng.randint(1975, 2023), rng.randint(1, 12), 1),
                dues_from=DUES_FROM,
                income_kind="retired" if retired else "wage",
                dues_base=Decimal(
                    4000 if a.user.username == "member" else rng.randint(25, 120) * 100
                ),
                work_unit=""
                if retired
                else rng.choice(
                    [
                        "月湖区人民医院",
                        "鹰潭市第一中学",
                        "区税务局",
                        "江边街道办事处",
                        "白露科技有限公司",
                    ]
                ),
            )
        )
    Member.objects.bulk_create(members, batch_size=500)
    members = list(
        Member.objects.filter(scope_code__startswith=district, user__isnull=False).select_related(
            "org"
        )
    )
    rules = list(DuesRule.objects.all())
    this_month = first_of_month(timezone.localdate())
    payments = []
    for m in members:
        # Most pay every month; one in twenty stopped four months ago (the warning shows).
        last = add_months(this_month, -5 if rng.random() < 0.05 else -1)
        due = member_dues(m, rules)
        month = DUES_FROM
        while month <= last:
            paid_at = _at(month + timedelta(days=rng.randint(0, 20)), 10)
            payments.append(
                DuesPayment(
                    member=m, month=month, base=m.dues_base, due=due, amount=due, paid_at=paid_at
                )
            )
            month = add_months(month, 1)
    DuesPayment.objects.bulk_create(payments, batch_size=2000)

    # Branch life in the first community: the last three theme days (the 9th, as in Yuehu) and
    # last quarter's general meeting, held with attendance; next week's theme day planned.
    first = min(branches) if branches else None
    if first is None:
        return {"members": len(members), "payments": len(payments)}
    held = 0
    for org in branches[first]:
        roster = [m for m in members if m.org_id == org.pk]
        if not roster:
            continue
        plans = [
            (
                "theme_day",
                f"{add_months(this_month, -n):%m}月主题党日",
                add_months(this_month, -n).replace(day=9),
            )
            for n in (1, 2, 3)
        ]
        plans.append(
            (
                "general_meeting",
                "支部党员大会：学习贯彻全会精神",
                add_months(this_month, -2).replace(day=20),
            )
        )
        for kind, title, day in plans:
            meeting = Meeting.objects.create(
                org=org,
                kind=kind,
                title=title,
                starts_at=_at(day, 9),
                ends_at=_at(day, 11),
                place="社区党群服务中心",
                agenda="一、集中学习\n二、讨论交流\n三、志愿服务",
                minutes="会议按议程进行，党员交流了学习体会，并到小区开展志愿服务。",
                status="held",
                scope_code=org.scope_code,
            )
            for m in roster:
                present = rng.random() < 0.85
                att = Attendance.objects.create(
                    meeting=meeting,
                    member=m,
                    status="present" if present else "leave",
                    method="qr" if present else "",
                    reason="" if present else rng.choice(["出差", "值班", "身体不适"]),
                    checked_in_at=meeting.starts_at + timedelta(minutes=rng.randint(-10, 10))
                    if present
                    else None,
                )
                if present:
                    points_earned(
                        source=f"party.meeting.{kind}",
                        source_key=f"attendance:{att.pk}",
                        member=m,
                        occurred_at=att.checked_in_at,
                        by=None,
                    )
            held += 1
        next_week = timezone.localdate() + timedelta(days=7)
        Meeting.objects.create(
            org=org,
            kind="theme_day",
            title="下月主题党日：走访慰问困难群众",
            starts_at=_at(next_week, 9),
            ends_at=_at(next_week, 11),
            place="社区党群服务中心",
            agenda="走访辖区独居老人、困难家庭",
            scope_code=org.scope_code,
        )
        for p in DuesPayment.objects.filter(member__org=org):
            if timezone.localtime(p.paid_at).date() <= add_months(p.month, 1) - timedelta(days=1):
                points_earned(
                    source="party.dues_on_time",
                    source_key=f"dues:{p.pk}",
                    member=p.member,
                    occurred_at=p.paid_at,
                    by=None,
                )
    local = [m for m in members if covers([first], m.scope_code)]
    in_service = [m for m in local if m.management_type == "in_service"]
    community_id = branches[first][0].division.parent_id
    for i, m in enumerate(in_service[:6]):
        Registration.objects.create(
            kind="member",
            member=m,
            community_id=community_id,
            scope_code=first,
            status="approved" if i % 3 else "pending",
        )
    if len(local) > 4:
        lead = LeadHousehold.objects.create(
            member=local[0],
            division=local[0].org.division,
            address="公园路8号2栋1单元",
            scope_code=local[0].org.scope_code,
        )
        for m in local[1:4]:
            LeadHouseholdLink.objects.create(lead=lead, member=m)
    return {"members": len(members), "payments": len(payments), "meetings": held}
