"""Who sees and does what in assessment.

The district's staff (区委组织部) configure schemes, score rounds, review appeals and publish;
the street and the community's staff read the results of their places (scope); a partner unit's
staff their unit's; a member their own. A round's results are seen by no one but the district
before it is scored.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from jiceng.accounts.roles import MANAGER_ROLES, Role
from jiceng.assessment.models import (
    Appeal,
    Appraisal,
    Checklist,
    EvaluationRound,
    Result,
    Round,
    Scheme,
)
from jiceng.core.scope import user_covers
from jiceng.party.models import Member

DISTRICT = (Role.DISTRICT_STAFF,)
INSPECTORS = (Role.STREET_STAFF, Role.DISTRICT_STAFF)
# a department's and a partner unit's staff read their own unit's results (its hotline rates)
UNIT_STAFF = frozenset({Role.PARTNER_STAFF, Role.DEPARTMENT_STAFF})
PAGE_ROLES = frozenset({*MANAGER_ROLES, *UNIT_STAFF})


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_configure(user, obj) -> bool:
    return _signed_in(user) and user_covers(user, DISTRICT, obj.scope_code)


def visible_schemes(user) -> QuerySet[Scheme]:
    if not _signed_in(user) or not user.has_role(*DISTRICT):
        return Scheme.objects.none()
    return Scheme.objects.filter(Scheme.objects.scope_q(*user.scopes_for(*DISTRICT)) or Q())


def visible_rounds(user) -> QuerySet[Round]:
    """The district sees its rounds; everyone else the rounds that have results."""
    if not _signed_in(user):
        return Round.objects.none()
    condition = Q(pk__in=[])
    own = Round.objects.scope_q(*user.scopes_for(*DISTRICT))
    if own is not None:
        condition |= own
    condition |= Q(pk__in=visible_results(user).values("round_id"))
    return Round.objects.filter(condition)


def _subject_refs(user) -> list[str]:
    refs = [f"unit:{u}" for u in user.unit_ids]
    if not user.has_role(Role.MEMBER):
        return refs
    member = Member.objects.filter(user=user).values_list("pk", flat=True).first()
    if member:
        refs.append(f"member:{member}")
    return refs


def visible_results(user) -> QuerySet[Result]:
    """Results of scored rounds at the staff's places, and the user's own unit's or own."""
    if not _signed_in(user):
        return Result.objects.none()
    condition = Q(pk__in=[])
    district = Result.objects.scope_q(*user.scopes_for(*DISTRICT))
    if district is not None:
        condition |= district
    staff = Result.objects.scope_q(*user.scopes_for(*MANAGER_ROLES))
    if staff is not None:
        condition |= staff & ~Q(round__status=Round.Status.DRAFT)
    refs = _subject_refs(user)
    if refs:
        condition |= Q(subject_ref__in=refs) & ~Q(round__status=Round.Status.DRAFT)
    return Result.objects.filter(condition)


def may_appeal(user, result: Result) -> bool:
    """The subject itself: the community's (or street's) own staff, the unit's staff, the
    member."""
    if not _signed_in(user):
        return False
    ref = result.subject_ref
    if ref.startswith("c:"):
        return any(
            a.scope_code == ref[2:]
            for a in user.active_assignments
            if a.role in MANAGER_ROLES and a.role != Role.DISTRICT_STAFF
        )
    return ref in _subject_refs(user)


def visible_appeals(user) -> QuerySet[Appeal]:
    if not _signed_in(user):
        return Appeal.objects.none()
    own = Result.objects.scope_q(*user.scopes_for(*DISTRICT))
    condition = Q(by=user)
    if own is not None:
        condition |= Q(result__in=Result.objects.filter(own))
    return Appeal.objects.filter(condition)


def visible_evaluations(user) -> QuerySet[EvaluationRound]:
    if not _signed_in(user):
        return EvaluationRound.objects.none()
    return EvaluationRound.objects.all()


# --- appraisals of people (述职评议, 民主评议党员) ----------------------------------------------

# who rates a secretary's report besides the members of the place: the community's committee
COMMITTEE = (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER)
# who opens and closes a report (the street or the district) and a branch's 民主评议 (its
# community, street or district)
REPORT_ORGANISERS = INSPECTORS
BRANCH_ORGANISERS = MANAGER_ROLES


def _voter_q(user) -> Q:
    """The appraisals ``user`` has a vote in: a report of a place that holds their member record
    or that their committee role covers; a 民主评议 of their own branch. The member record is
    read inside the query (no query of its own: the homes' lines count with this)."""
    mine = Member.objects.filter(user=user, is_active=True)
    condition = Q(
        Exists(mine.filter(scope_code__startswith=OuterRef("scope_code"))),
        kind=Appraisal.Kind.REPORT,
    ) | Q(Exists(mine.filter(org_id=OuterRef("org_id"))), kind=Appraisal.Kind.DEMOCRATIC)
    committee = Appraisal.objects.scope_q(*user.scopes_for(*COMMITTEE))
    if committee is not None:
        condition |= Q(kind=Appraisal.Kind.REPORT) & committee
    return condition


def visible_appraisals(user) -> QuerySet[Appraisal]:
    """The person appraised, the voters, the staff of the place (committee, street, district)."""
    if not _signed_in(user):
        return Appraisal.objects.none()
    condition = Q(person=user) | _voter_q(user)
    staff = Appraisal.objects.scope_q(*user.scopes_for(*MANAGER_ROLES))
    if staff is not None:
        condition |= staff
    return Appraisal.objects.filter(condition)


def votable_appraisals(user) -> QuerySet[Appraisal]:
    """The appraisals ``user`` has a vote in (open or not; one's own report left out)."""
    if not _signed_in(user):
        return Appraisal.objects.none()
    return Appraisal.objects.filter(_voter_q(user)).exclude(
        Q(kind=Appraisal.Kind.REPORT) & Q(person=user)
    )


def may_vote(user, appraisal: Appraisal) -> bool:
    return votable_appraisals(user).filter(pk=appraisal.pk).exists()


def may_organise(user, appraisal: Appraisal) -> bool:
    """Close it and see the tally while it is open: the street or district for a report, the
    branch's community (or above) for a member."""
    roles = REPORT_ORGANISERS if appraisal.kind == Appraisal.Kind.REPORT else BRANCH_ORGANISERS
    return user_covers(user, roles, appraisal.scope_code)


def sees_result(user, appraisal: Appraisal) -> bool:
    """The tally and the grade: the staff of the place always, the person and the voters once the
    appraisal is closed (published)."""
    if user_covers(user, MANAGER_ROLES, appraisal.scope_code):
        return True
    return appraisal.status == Appraisal.Status.CLOSED


def visible_checklists(user) -> QuerySet[Checklist]:
    if not _signed_in(user):
        return Checklist.objects.none()
    staff = Checklist.objects.scope_q(*user.scopes_for(*MANAGER_ROLES))
    return Checklist.objects.filter(staff) if staff is not None else Checklist.objects.none()


def can_inspect(user, checklist: Checklist) -> bool:
    return user_covers(user, INSPECTORS, checklist.scope_code)
