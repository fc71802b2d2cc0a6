"""The demo's assessment: the starter schemes of last year and this year, last year's
party-building assessment of every community (scored from last year's snapshots, with the
district's manual review approved by a second person, and published), last year's hotline three
rates of the units that handled the district's cases (published), this year's two-way
evaluation round with some ratings given, a secretary's 述职评议 and the branches' checklists."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.roles import Role
from jiceng.accounts.services import role_assign
from jiceng.assessment import schemes, scoring, services, twoway
from jiceng.assessment.models import (
    Adjustment,
    Appraisal,
    AppraisalVote,
    Checklist,
    EvaluationRound,
    ManualScore,
    Source,
)
from jiceng.core.audit import entry_values
from jiceng.core.bulk import audit_many
from jiceng.core.scope import community_of
from jiceng.dashboard import snapshots
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.party.models import Member, PartyOrg, Registration


def _district_staff(district: Division) -> list[User]:
    users = list(
        User.objects.filter(
            role_assignments__role=Role.DISTRICT_STAFF,
            role_assignments__division=district,
            role_assignments__ended_at__isnull=True,
        ).order_by("pk")[:2]
    )
    if len(users) < 2:
        second = User.objects.create(username=f"assess_{district.code}", full_name="考核审核员")
        second.set_unusable_password()
        second.save()
        role_assign(user=second, role=Role.DISTRICT_STAFF, division=district, by=None)
        users.append(User.objects.get(pk=second.pk))
    return users


def _unit_registrations(district: Division, by: User, now) -> None:
    units = Partner.objects.within(district.code).exclude(kind=Partner.Kind.DEPARTMENT)
    for unit in units.order_by("pk")[:8]:
        community = (
            Division.objects.filter(level="community", parent__code=unit.scope_code)
            .order_by("code")
            .first()
        )
        if community is None:
            continue
        org = PartyOrg.objects.create(
            name=f"{unit.name}党支部"[:100],
            kind=PartyOrg.Kind.BRANCH,
            division=unit.division,
            partner=unit,
        )
        Registration.objects.create(
            kind=Registration.Kind.ORG,
            org=org,
            community=community,
            scope_code=community.code,
            status=Registration.Status.APPROVED,
            decided_by=by,
            decided_at=now,
        )


def build_assessment_demo(*, district: Division, seed: int = 15) -> None:
    rng = random.Random(seed)
    today = timezone.localdate()
    last = today.year - 1
    author, approver = _district_staff(district)[:2]
    schemes.load_starters(district=district, year=today.year, publish=False)
    starters = {s.key: s for s in schemes.load_starters(district=district, year=last)}
    community = starters["community_party"]
    # last year's hotline three rates of the units that handled the district's cases, scored
    # from those cases; first, so that the community round stays the newest on the pages
    units = _year_round(
        starters["hotline_handlers"],
        "处置单位 12345 热线三率考核",
        author,
        red_count=1,
        black_count=1,
    )
    _score_and_publish(units, author)
    keys = sorted({n.indicator for n in community.nodes.all() if n.source == Source.INDICATOR})
    # last year's snapshots of the scheme's indicators (the nightly back-fill recomputes them)
    snapshots.compute_period(snapshots.YEAR, date(last, 1, 1), keys=keys)
    rnd = _year_round(community, "社区党建考核", author)
    manual = next(n for n in community.nodes.all() if n.source == Source.MANUAL)
    bonus = next(n for n in community.nodes.all() if n.source == Source.ADJUSTMENT)
    subjects = scoring.subjects(community.subject_kind, district.code)
    _reviews(rnd, manual, bonus, subjects, author, approver, rng)
    _score_and_publish(rnd, author)

    # this year's two-way evaluation, open now, some ratings given; a few units' party
    # organizations registered (双报到) with a community of their street, so that there is
    # someone to rate both ways
    now = timezone.now()
    _unit_registrations(district, approver, now)
    evaluation = EvaluationRound.objects.create(
        name=f"{today.year} 年度双考双评",
        year=today.year,
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=20),
        division=district,
    )
    pairs = twoway.pairs(district.code)
    both_ways = [p for p in pairs if p.direction != "m2b"]
    members = [p for p in pairs if p.direction == "m2b"]
    for p in both_ways[::2] + members[::4]:
        services.rating_give(
            evaluation=evaluation,
            direction=p.direction,
            rater_ref=p.rater_ref,
            rated_ref=p.rated_ref,
            rated_code=p.rated_code,
            score=rng.choice([3, 4, 4, 5, 5]),
            by=author,
        )

    # a secretary's 述职评议 and a branch's 民主评议, open now with some votes; the branches'
    # checklists
    orgs = list(PartyOrg.objects.within(district.code).filter(kind=PartyOrg.Kind.BRANCH)[:30])
    _appraisals(district, author, last, now, rng)
    statuses = [Checklist.Status.ACCEPTED, Checklist.Status.SUBMITTED, Checklist.Status.DRAFT]
    Checklist.objects.bulk_create(
        Checklist(
            standard="wuxi6",
            year=today.year,
            org=org,
            scope_code=org.scope_code,
            status=statuses[i % 3],
            inspected_by=approver if statuses[i % 3] == Checklist.Status.ACCEPTED else None,
            inspected_at=now if statuses[i % 3] == Checklist.Status.ACCEPTED else None,
        )
        for i, org in enumerate(orgs)
    )


def _year_round(scheme, name: str, author: User, **lists):
    """A round of the scheme over its whole year (``lists``: how many red and black)."""
    return services.round_create(
        scheme=scheme,
        name=f"{scheme.year} 年度{name}",
        period_start=date(scheme.year, 1, 1),
        period_end=date(scheme.year, 12, 31),
        by=author,
        **lists,
    )


def _score_and_publish(rnd, author: User) -> None:
    """Scored, and published once the appeal period is over (as if it were)."""
    scoring.score_round(rnd=rnd, by=author)
    rnd.refresh_from_db()
    services.round_publish(rnd=rnd, by=author, now=rnd.appeal_deadline + timedelta(seconds=1))


def _appraisals(district: Division, organiser: User, year: int, now, rng: random.Random) -> None:
    """The demo secretary's 述职评议 of ``year`` (report submitted, some members of the community
    have voted) and the 民主评议 of the demo member's branch (self-assessments and mutual votes
    of the others; the demo member has not voted yet, so their phone shows the form)."""
    secretaries = User.objects.filter(
        role_assignments__role=Role.COMMUNITY_SECRETARY,
        role_assignments__ended_at__isnull=True,
        role_assignments__scope_code__startswith=district.code,
    )
    secretary = (
        secretaries.filter(username="secretary").first() or secretaries.order_by("pk").first()
    )
    if secretary is None:
        return
    assignment = secretary.role_assignments.filter(
        role=Role.COMMUNITY_SECRETARY, ended_at__isnull=True
    ).select_related("division")[0]
    community = assignment.division
    opens, closes = now - timedelta(days=3), now + timedelta(days=11)
    report = None
    if PartyOrg.objects.filter(scope_code=community.code, is_active=True).exists():
        report = services.appraisal_open_report(
            secretary=secretary,
            community=community,
            year=year,
            opens_at=opens,
            closes_at=closes,
            by=organiser,
        )
        services.appraisal_report(
            appraisal=report,
            text=(
                f"{year} 年，社区党委围绕“五个领域”推进基层党建：按期召开三会一课，"
                "网格党支部全覆盖；办结群众诉求、推进民生实事项目；落实双报到，"
                "共建单位认领服务项目。不足：党员教育形式还不够活、青年党员参与偏少。"
                "明年将……"
            ),
            by=secretary,
        )
    # the 民主评议 of a branch with at least two members who have accounts (so that they grade
    # each other): the demo member's if it has, else the district's branch with the most
    demo_member = Member.objects.filter(user__username="member").first()
    with_accounts = dict(
        Member.objects.within(district.code)
        .filter(user__isnull=False, is_active=True, org__kind=PartyOrg.Kind.BRANCH)
        .values("org_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "org_id")
        .values_list("org_id", "n")
    )
    demo_org = demo_member.org_id if demo_member else None
    org_id = next((o for o, n in with_accounts.items() if n >= 2 or o != demo_org), None)
    if demo_org and with_accounts.get(demo_org, 0) >= 2:
        org_id = demo_org
    leave_out = demo_member.user_id if demo_member else None  # their phone shows the forms
    votes = []
    if org_id is not None:
        org = PartyOrg.objects.get(pk=org_id)
        organiser_of_branch = (
            User.objects.filter(
                role_assignments__role=Role.COMMUNITY_SECRETARY,
                role_assignments__ended_at__isnull=True,
                role_assignments__scope_code=community_of(org.scope_code),
            ).first()
            or organiser
        )
        services.appraisal_open_branch(
            org=org, year=year, opens_at=opens, closes_at=closes, by=organiser_of_branch
        )
        branch = list(Appraisal.objects.filter(kind=Appraisal.Kind.DEMOCRATIC, year=year, org=org))
        raters = [a.person_id for a in branch if a.person_id and a.person_id != leave_out]
        grades = ["excellent", "qualified", "qualified", "qualified", "basic"]
        for a in branch:
            for rater in raters[:6]:
                votes.append(AppraisalVote(appraisal=a, rater_id=rater, grade=rng.choice(grades)))
    if report is not None:
        # the committee (the community's workers) and the members of the community
        committee = User.objects.filter(
            role_assignments__role__in=[Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY],
            role_assignments__ended_at__isnull=True,
            role_assignments__scope_code=community.code,
        ).values_list("pk", flat=True)
        members = (
            Member.objects.within(community.code)
            .filter(user__isnull=False, is_active=True)
            .values_list("user_id", flat=True)
            .order_by("pk")[:12]
        )
        others = sorted(set(committee) | set(members) - {secretary.pk, leave_out})
        choices = ["good", "good", "good", "fair_good", "fair_good", "fair"]
        votes += [
            AppraisalVote(appraisal=report, rater_id=u, grade=rng.choice(choices)) for u in others
        ]
    AppraisalVote.objects.bulk_create(votes, ignore_conflicts=True)


def _reviews(rnd, manual, bonus, subjects, author: User, approver: User, rng) -> None:
    """The district's review of every community, entered by one person and approved by the
    other, and a bonus for every fifth: what ``manual_score_submit`` / ``_approve`` and
    ``adjustment_submit`` / ``_approve`` write, in bulk (one evidence file for all, the same
    audit entries), since the demo build runs in many tests."""
    now = timezone.now()
    evidence = default_storage.save(
        "assessment/evidence/demo/check.pdf", ContentFile(b"%PDF-1.4 demo")
    )
    scores = [
        ManualScore(
            round=rnd,
            node=manual,
            subject_ref=s.ref,
            scope_code=s.code,
            points=Decimal(rng.randint(60, 100)) / 10,
            reason="实地检查台账齐全" if i % 3 else "实地检查：会议记录缺两次",
            evidence=evidence,
            author=author,
            approved_by=approver,
            approved_at=now,
        )
        for i, s in enumerate(subjects)
    ]
    bonuses = [
        Adjustment(
            round=rnd,
            node=bonus,
            subject_ref=s.ref,
            scope_code=s.code,
            kind=Adjustment.Kind.EMERGENCY,
            points=Decimal(2),
            reason="防汛应急值守表现突出",
            author=author,
            approved_by=approver,
            approved_at=now,
        )
        for s in subjects[::5]
    ]
    made = ManualScore.objects.bulk_create(scores) + Adjustment.objects.bulk_create(bonuses)
    if not all(m.pk for m in made):  # a database that does not return ids (none we run on)
        made = [*ManualScore.objects.filter(round=rnd), *Adjustment.objects.filter(round=rnd)]
    entries = []
    for m in made:
        kind = "manual" if isinstance(m, ManualScore) else "adjustment"
        entries.append(entry_values(actor=author, action=f"assessment.{kind}.submit", obj=m))
        entries.append(entry_values(actor=approver, action=f"assessment.{kind}.approve", obj=m))
    audit_many(entries)
