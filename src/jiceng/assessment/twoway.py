"""The two-way evaluation (双考双评): who rates whom, and the response rates.

Communities rate the partner units registered with them (approved 单位党组织双报到), the units
rate those communities, members rate their own branch. A rater body is a community ("c:code"),
a unit ("unit:id") or a member ("member:id"); the rated see averages and counts, never who."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from jiceng.accounts.roles import Role
from jiceng.assessment.models import Direction, EvaluationRound, Rating
from jiceng.geo.models import Division
from jiceng.party.models import Member, Registration


@dataclass(frozen=True)
class Pair:
    direction: str
    rater_ref: str
    rated_ref: str
    rated_code: str
    rated_name: str


def _unit_links(within: str):
    return (
        Registration.objects.within(within)
        .filter(
            kind=Registration.Kind.ORG,
            status=Registration.Status.APPROVED,
            org__partner__isnull=False,
        )
        .values_list(
            "scope_code", "org__partner_id", "org__partner__name", "org__partner__scope_code"
        )
        .distinct()
    )


def pairs(within: str, raters: set[str] | None = None) -> list[Pair]:
    """Every rating expected in ``within`` (a district), each direction; only those of the
    rater bodies ``raters`` where given (read from their own rows, not the whole district)."""
    out: list[Pair] = []
    links = _unit_links(within)
    members = Member.objects.within(within).filter(org__isnull=False)
    if raters is not None:
        codes = [r[2:] for r in raters if r.startswith("c:")]
        units = [int(r[5:]) for r in raters if r.startswith("unit:")]
        ids = [int(r[7:]) for r in raters if r.startswith("member:")]
        links = links.filter(Q(scope_code__in=codes) | Q(org__partner_id__in=units))
        members = members.filter(pk__in=ids)
    names = dict(
        Division.objects.filter(code__startswith=within, level="community").values_list(
            "code", "name"
        )
    )
    for code, unit_id, unit_name, unit_code in links:
        out.append(
            Pair(
                Direction.COMMUNITY_RATES_UNIT, f"c:{code}", f"unit:{unit_id}", unit_code, unit_name
            )
        )
        out.append(
            Pair(
                Direction.UNIT_RATES_COMMUNITY,
                f"unit:{unit_id}",
                f"c:{code}",
                code,
                names.get(code, code),
            )
        )
    for m_id, org_id, org_name, org_code in members.values_list(
        "pk", "org_id", "org__name", "org__scope_code"
    ):
        out.append(
            Pair(
                Direction.MEMBER_RATES_BRANCH, f"member:{m_id}", f"org:{org_id}", org_code, org_name
            )
        )
    return out


def rater_refs(user) -> list[str]:
    """The rater bodies ``user`` speaks for: their community (its secretary or worker), their
    units (partner staff), themselves as a member."""
    refs = [
        f"c:{a.scope_code}"
        for a in user.active_assignments
        if a.role in (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER)
    ]
    refs += [f"unit:{u}" for u in user.unit_ids]
    member = Member.objects.filter(user=user).values_list("pk", flat=True).first()
    if member:
        refs.append(f"member:{member}")
    return refs


def forms_for(user, evaluation: EvaluationRound) -> list[tuple[Pair, bool]]:
    """The ratings ``user`` may give in this round, each with whether it is given already."""
    refs = set(rater_refs(user))
    if not refs:
        return []
    mine = [p for p in pairs(evaluation.scope_code, refs) if p.rater_ref in refs]
    done = set(
        Rating.objects.filter(round=evaluation, rater_ref__in=refs).values_list(
            "direction", "rater_ref", "rated_ref"
        )
    )
    return [(p, (p.direction, p.rater_ref, p.rated_ref) in done) for p in mine]


def own_pair(user, evaluation: EvaluationRound, direction, rater_ref, rated_ref) -> Pair | None:
    """The pair a rating names, if it is one of ``user``'s own in this round (their community,
    unit or themselves as a member); None otherwise (the page and the API refuse it alike)."""
    wanted = (direction, rater_ref, rated_ref)
    return next(
        (
            p
            for p, _done in forms_for(user, evaluation)
            if (p.direction, p.rater_ref, p.rated_ref) == wanted
        ),
        None,
    )


def response_rates(evaluation: EvaluationRound) -> list[dict]:
    expected: dict[str, int] = {}
    for p in pairs(evaluation.scope_code):
        expected[p.direction] = expected.get(p.direction, 0) + 1
    given = dict(
        Rating.objects.filter(round=evaluation)
        .values("direction")
        .annotate(n=Count("pk"))
        .values_list("direction", "n")
    )
    return [
        {
            "direction": label,
            "expected": expected.get(d, 0),
            "given": given.get(d, 0),
            "rate": (given.get(d, 0) / expected[d]) if expected.get(d) else None,
        }
        for d, label in Direction.choices
    ]


def received(evaluation: EvaluationRound, rated_refs: list[str]) -> list[dict]:
    """What the rated see: per direction, the number of ratings and the average (no raters)."""
    return list(
        Rating.objects.filter(round=evaluation, rated_ref__in=rated_refs)
        .values("direction", "rated_ref")
        .annotate(n=Count("pk"), avg=Avg("score"))
        .order_by("direction", "rated_ref")
    )
