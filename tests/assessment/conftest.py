"""The cast around our district's assessment: two district staff (one scores, one approves),
our community's secretary (the subject), the neighbour's secretary, the street, no role; the
starter schemes of 2025 and last year's snapshots of the community scheme's indicators."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from jiceng.assessment import schemes, services
from jiceng.assessment.models import Appraisal, Source
from jiceng.dashboard.models import Snapshot
from jiceng.party.models import PartyOrg
from tests.factories import UserFactory, user_with_role
from tests.party.conftest import make_member, member_user

YEAR = 2025

YEAR = 2025


@pytest.fixture
def cast(places):
    return {
        "places": places,
        "district": user_with_role("district_staff", division=places["district"]),
        "approver": user_with_role("district_staff", division=places["district"]),
        "secretary": user_with_role("community_secretary", division=places["community"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "street": user_with_role("street_staff", division=places["street"]),
        "nobody": UserFactory(),
    }


def snap(key, code, num, den=0):
    Snapshot.objects.create(
        indicator=key,
        scope_code=code,
        period_kind="year",
        period_start=date(YEAR, 1, 1),
        numerator=num,
        denominator=den,
        computed_at=timezone.now(),
    )


@pytest.fixture
def community_scheme(cast):
    made = schemes.load_starters(district=cast["places"]["district"], year=YEAR)
    return next(s for s in made if s.key == "community_party")


@pytest.fixture
def scored_round(cast, community_scheme):
    """Last year's round with a manual review for both communities (approved by the other
    person); scored."""
    from jiceng.assessment import scoring

    rnd = services.round_create(
        scheme=community_scheme,
        name="2025 年度社区党建考核",
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 12, 31),
        by=cast["district"],
        red_count=1,
        black_count=1,
    )
    manual = community_scheme.nodes.get(source=Source.MANUAL)
    for code, pts in (
        (cast["places"]["community"].code, "8.5"),
        (cast["places"]["neighbour"].code, "6"),
    ):
        s = services.manual_score_submit(
            rnd=rnd,
            node=manual,
            subject_ref=f"c:{code}",
            scope_code=code,
            points=Decimal(pts),
            reason="实地检查",
            evidence=ContentFile(b"x", name="a.pdf"),
            by=cast["district"],
        )
        services.manual_score_approve(score=s, by=cast["approver"])
    scoring.score_round(rnd=rnd, by=cast["district"])
    rnd.refresh_from_db()
    return rnd


@pytest.fixture
def people(cast):
    """The appraisals' cast: a community committee, a branch with members (one without an
    account) and a member of a neighbouring branch."""
    places = cast["places"]
    committee = PartyOrg.objects.create(
        name="公园社区党委", kind="committee", division=places["community"]
    )
    branch = PartyOrg.objects.create(
        name="第1网格党支部", kind="branch", division=places["grid1"], parent=committee
    )
    theirs = PartyOrg.objects.create(
        name="湖西第1网格党支部", kind="branch", division=places["grid_n"]
    )
    return {
        **cast,
        "committee": committee,
        "branch": branch,
        "m1": member_user(branch, "李一"),
        "m2": member_user(branch, "王二"),
        "m3": make_member(branch, "张三"),  # no account
        "stranger": member_user(theirs, "赵四"),
    }


def open_report(people, **kw) -> Appraisal:
    """A secretary's work report (述职评议) of YEAR open for a week."""
    now = timezone.now()
    args = dict(
        secretary=people["secretary"],
        community=people["places"]["community"],
        year=YEAR,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        by=people["street"],
    )
    args.update(kw)
    return services.appraisal_open_report(**args)


def tallied_case(number, category, scope_code, reporter, *, status, rating="", on_time=True,
                 reworked=False, verified=True, handler=None):  # fmt: skip
    """A case of 10 May of the year with its tally as the event log would have made it."""
    from jiceng.cases.models import Case, CaseTally

    at = datetime(YEAR, 5, 10, 9, tzinfo=timezone.get_current_timezone())
    case = Case.objects.create(
        number=number,
        category=category,
        description="井盖缺失",
        status=status,
        source="resident",
        reporter=reporter,
        scope_code=scope_code,
        stage_started_at=at,
        deadline_at=at + timedelta(hours=1),
        triage="major",
        handler=handler,
    )
    CaseTally.objects.filter(case=case).delete()
    CaseTally.objects.create(
        case=case,
        scope_code=scope_code,
        reported_at=at,
        status=status,
        rating=rating,
        handler=handler,
        answered_on_time=on_time,
        verified=verified,
        reworked=reworked,
    )
    return case


def linear_points(value, low, high, weight) -> Decimal:
    """An item's points by hand: linear between the bounds, clamped, to the fen."""
    share = min(1, max(0, (value - low) / (high - low)))
    return (Decimal(weight) * Decimal(repr(share))).quantize(Decimal("0.01"))
