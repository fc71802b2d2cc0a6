"""A known set of records in May 2026 (and a few just outside it) across the five domains, in
the shared place tree plus a fourth grid (in the neighbour community, with no party
organization), and the dashboard's cast: district, street and community staff, and a second
street's staff who must not see the first street."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.cases.models import Case, CaseCategory, CaseTally, Whistle, WhistleResponse
from jiceng.community.models import Activity, Need, ServiceOrder, Signup, Wish
from jiceng.party.models import DuesPayment, LearningRecord, Meeting, Member, PartyOrg, Registration
from jiceng.party.models.meetings import Attendance
from jiceng.points.models import PointEntry, PointRule
from jiceng.venues.models import Booking, OpeningWindow, Venue
from tests.conftest import restore_starter_categories
from tests.factories import UserFactory, division, partner, user_with_role

MAY = date(2026, 5, 1)


def at(day: int, hour: int = 10, month: int = 5) -> datetime:
    return timezone.make_aware(datetime.combine(date(2026, month, day), time(hour)))


def member(org, name, **fields):
    fields.setdefault("joined_at", date(2010, 7, 1))
    fields.setdefault("dues_from", fields["joined_at"])
    fields.setdefault("income_kind", "wage")
    fields.setdefault("dues_base", Decimal("4000"))
    return Member.objects.create(name=name, org=org, scope_code=org.scope_code, **fields)


@pytest.fixture
def cast(places):
    street2 = division("360602002", "交通街道", places["district"])
    community3 = division("360602002001", "车站社区", street2)
    grid3 = division("360602001002002", "湖西社区第2网格", places["neighbour"])
    return {
        "places": places,
        "street2": street2,
        "community3": community3,
        "grid3": grid3,
        "district_staff": user_with_role("district_staff", division=places["district"]),
        "street_staff": user_with_role("street_staff", division=places["street"]),
        "street2_staff": user_with_role("street_staff", division=street2),
        "secretary": user_with_role("community_secretary", division=places["community"]),
        "resident": user_with_role("resident", division=places["grid1"]),
    }


@pytest.fixture
def world(cast):
    """The records; the tests count them by hand (in Python) and compare with the snapshots."""
    restore_starter_categories()
    p = cast["places"]
    committee = PartyOrg.objects.create(
        name="公园社区党委", kind="committee", division=p["community"]
    )
    branch = PartyOrg.objects.create(
        name="第1网格党支部", kind="branch", division=p["grid1"], parent=committee
    )
    branch2 = PartyOrg.objects.create(
        name="第2网格党支部", kind="branch", division=p["grid2"], parent=committee
    )
    PartyOrg.objects.create(name="第1网格党小组", kind="group", division=p["grid1"], parent=branch)
    other = PartyOrg.objects.create(name="湖西社区党委", kind="committee", division=p["neighbour"])
    other_branch = PartyOrg.objects.create(
        name="湖西第1网格党支部", kind="branch", division=p["grid_n"], parent=other
    )
    PartyOrg.objects.create(  # dissolved before May: counts nowhere
        name="已撤销支部",
        kind="branch",
        division=p["grid_n"],
        is_active=False,
        dissolved_at=date(2026, 4, 1),
    )
    a = member(branch, "甲")
    b = member(branch, "乙")
    member(branch, "丙", joined_at=date(2026, 6, 10))  # joined after May
    member(branch2, "丁", is_active=False, left_at=date(2026, 5, 15))  # left during May
    e = member(other_branch, "戊")
    member(other_branch, "己")

    general = Meeting.objects.create(
        org=branch, kind="general_meeting", title="党员大会", starts_at=at(5), ends_at=at(5, 12),
        status="held", scope_code=branch.scope_code,
    )  # fmt: skip
    Attendance.objects.create(meeting=general, member=a, status="present")
    Attendance.objects.create(meeting=general, member=b, status="present")
    Meeting.objects.create(
        org=branch, kind="lecture", title="党课", starts_at=at(20), ends_at=at(20, 12),
        status="held", scope_code=branch.scope_code,
    )  # fmt: skip
    Meeting.objects.create(
        org=branch2, kind="committee_meeting", title="支委会", starts_at=at(8), ends_at=at(8, 11),
        status="planned", scope_code=branch2.scope_code,
    )  # fmt: skip
    Meeting.objects.create(
        org=other_branch, kind="theme_day", title="主题党日", starts_at=at(9), ends_at=at(9, 11),
        status="held", scope_code=other_branch.scope_code,
    )  # fmt: skip
    Meeting.objects.create(
        org=other_branch, kind="general_meeting", title="四月大会", starts_at=at(30, 10, 4),
        ends_at=at(30, 12, 4), status="held", scope_code=other_branch.scope_code,
    )  # fmt: skip
    pay = {"base": Decimal("4000"), "due": Decimal("20"), "amount": Decimal("20")}
    DuesPayment.objects.create(member=a, month=MAY, paid_at=at(10), **pay)
    DuesPayment.objects.create(member=b, month=MAY, paid_at=at(3, 10, 6), **pay)  # late
    DuesPayment.objects.create(member=e, month=MAY, paid_at=at(20, 10, 4), **pay)  # ahead
    DuesPayment.objects.create(member=a, month=date(2026, 4, 1), paid_at=at(2), **pay)
    LearningRecord.objects.create(
        member=a, course="党章", minutes=90, finished_at=at(12), external_id="x1"
    )
    LearningRecord.objects.create(
        member=e, course="党史", minutes=30, finished_at=at(13), external_id="x2"
    )
    LearningRecord.objects.create(
        member=e, course="旧课", minutes=600, finished_at=at(13, 10, 4), external_id="x3"
    )
    reg = Registration.objects.create(
        kind="member", member=e, community=p["community"], status="approved",
        scope_code=p["community"].code,
    )  # fmt: skip
    Registration.objects.filter(pk=reg.pk).update(created_at=at(3))
    unit_org = PartyOrg.objects.create(name="供电所党支部", kind="branch", division=p["community"])
    reg2 = Registration.objects.create(
        kind="org", org=unit_org, community=p["community"], status="pending",
        scope_code=p["community"].code,
    )  # fmt: skip
    Registration.objects.filter(pk=reg2.pk).update(created_at=at(3))

    # points: two entries in May (one reversed by a negative one) and one in April
    rule = PointRule.objects.first()
    for n, (pts, when) in enumerate([(5, at(6)), (3, at(7)), (-3, at(8)), (9, at(1, 10, 4))]):
        PointEntry.objects.create(
            rule=rule, member=a, org=branch, points=pts, offered=pts, kind="auto",
            source_key=f"k{n}", occurred_at=when, scope_code=a.scope_code,
        )  # fmt: skip

    # cases: tallies in grid1 (3), grid_n (2), one in April
    category = CaseCategory.objects.get(code="0101")
    resident = cast["resident"]
    tallies = [
        (p["grid1"], at(2), "closed", {"answered_on_time": True, "verified": True}, "satisfied"),
        (p["grid1"], at(3), "evaluated", {"late": True, "verified": True, "reworked": True}, "dissatisfied"),
        (p["grid1"], at(4), "rejected", {"answered_on_time": True}, ""),
        (p["grid_n"], at(5), "in_progress", {"answered_on_time": True}, ""),
        (p["grid_n"], at(6), "closed", {"answered_on_time": True, "verified": True}, "basically_satisfied"),
        (p["grid_n"], at(28, 10, 4), "closed", {"answered_on_time": True}, "satisfied"),
    ]  # fmt: skip
    for n, (where, when, status, flags, rating) in enumerate(tallies):
        case = Case.objects.create(
            number=f"T{n:06d}", category=category, description="井盖", status=status,
            source="resident", reporter=resident, scope_code=where.code, stage_started_at=when,
            rating=rating,
        )  # fmt: skip
        Case.objects.filter(pk=case.pk).update(created_at=when)
        CaseTally.objects.create(
            case=case, scope_code=where.code, reported_at=when, status=status, rating=rating,
            **flags,
        )  # fmt: skip
        if n == 0:
            unit = partner("城管局", "department", p["district"])
            whistle = Whistle.objects.create(case=case, by=resident, note="吹哨")
            WhistleResponse.objects.create(
                whistle=whistle, unit=unit, deadline_at=at(9), responded_at=at(8)
            )
            unit2 = partner("住建局", "department", p["district"])
            WhistleResponse.objects.create(whistle=whistle, unit=unit2, deadline_at=at(9))

    # services, in our community (and one in the neighbour)
    ours, theirs = p["community"], p["neighbour"]
    need = Need.objects.create(
        community=ours, title="加装扶手", source="visit", status="accepted", reviewed_at=at(4)
    )
    Need.objects.create(
        community=ours, title="路灯", source="visit", status="accepted", reviewed_at=at(5)
    )
    Need.objects.create(community=ours, title="待审", source="visit", status="pending")
    Need.objects.create(
        community=theirs, title="四月需求", source="visit", status="accepted",
        reviewed_at=at(20, 10, 4),
    )  # fmt: skip
    poster = UserFactory()
    order_fields = {"resident": poster, "title": "上门", "due_at": at(12)}
    ServiceOrder.objects.create(community=ours, need=need, status="done", **order_fields)
    ServiceOrder.objects.create(community=ours, status="rated", rating=5, **order_fields)
    ServiceOrder.objects.create(community=ours, status="rated", rating=3, **order_fields)
    ServiceOrder.objects.create(community=theirs, status="rated", rating=4, **order_fields)
    wish_fields = {"poster": poster, "value": Decimal("50")}
    claimant = UserFactory()
    Wish.objects.create(
        community=ours, title="书包", status="claimed", approved_at=at(2), claimed_at=at(3), claimed_by=claimant,
        **wish_fields,
    )  # fmt: skip
    Wish.objects.create(
        community=ours, title="台灯", status="confirmed", approved_at=at(2), claimed_at=at(4), claimed_by=claimant,
        fulfilled_at=at(6), confirmed_at=at(7), **wish_fields,
    )  # fmt: skip
    Wish.objects.create(
        community=theirs, title="轮椅", status="open", approved_at=at(9), **wish_fields
    )
    act = Activity.objects.create(
        community=ours, title="义诊", place="中心", starts_at=at(10), ends_at=at(10, 12),
        capacity=20, signup_opens_at=at(1), signup_closes_at=at(9), status="published",
        created_by=cast["secretary"],
    )  # fmt: skip
    Activity.objects.create(
        community=ours, title="取消的", place="中心", starts_at=at(11), ends_at=at(11, 12),
        capacity=20, signup_opens_at=at(1), signup_closes_at=at(9), status="cancelled",
        created_by=cast["secretary"],
    )  # fmt: skip
    for n, hours in enumerate(["2.50", "1.50"]):
        Signup.objects.create(
            activity=act, user=UserFactory(), status="confirmed", checked_in_at=at(10, 9),
            checked_out_at=at(10, 12),
            hours=Decimal(hours),
        )  # fmt: skip
        del n

    # venues: a centre open 09:00-17:00 on weekdays, two approved bookings in May, one declined
    venue = Venue.objects.create(
        division=ours, name="党群服务中心", kind="center", address="公园路 1 号", capacity=60,
    )  # fmt: skip
    for weekday in range(5):
        OpeningWindow.objects.create(venue=venue, weekday=weekday, starts=time(9), ends=time(17))
    for status, day in [("approved", 11), ("approved", 12), ("declined", 13)]:
        Booking.objects.create(
            venue=venue, booker=poster, title="书法", attendees=10, starts_at=at(day, 9),
            ends_at=at(day, 11), status=status, scope_code=ours.code,
        )  # fmt: skip
    return {"branch": branch, "branch2": branch2, "other_branch": other_branch}
