"""Scoring a round: every subject's points per item from the item's source, totals, ranks.

Subjects (``subjects(kind, district)``) are the places, branches, units or people the scheme's
kind names; each has the place whose snapshots describe it (a community's own code, a branch's
grid). Each source kind is one function in ``SOURCES`` taking the round, the item and the
subjects and returning ``{subject_ref: Computed}``; the year-end evaluation from projects is
``Source.EVALUATION`` (``from_evaluation``).

What an item's points were computed from is stored with them (``ItemScore``: the indicator's
numerator, denominator and value, the snapshot's period and place), so a page opens every score
to the indicator and to the records counted (``Indicator.records(user, place, start, end)``).
Points are ``Decimal`` with two places; an item's points are its weight x a share in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Role
from jiceng.assessment.models import (
    Adjustment,
    ItemScore,
    ManualScore,
    Node,
    Rating,
    Result,
    Round,
    ScoreChange,
    Source,
    SubjectKind,
)
from jiceng.assessment.schemes import check
from jiceng.cases.models import CaseTally
from jiceng.core.audit import audit
from jiceng.core.errors import UserError
from jiceng.core.registry import indicator as find_indicator
from jiceng.dashboard import snapshots
from jiceng.deliberation.models import SurveyAnswer
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.party.models import Member, PartyOrg
from jiceng.projects.models import Commitment
from jiceng.projects.selectors import evaluations as project_evaluations

CENT = Decimal("0.01")


def points(weight: Decimal, share: float) -> Decimal:
    share = min(1.0, max(0.0, share))
    return (weight * Decimal(repr(share))).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Subject:
    ref: str  # "c:<code>" place, "org:<id>", "unit:<id>", "member:<id>"

    name: str
    code: str  # the subject's place (scope)
    snapshot_code: str  # the place whose snapshots describe it


def subjects(kind: str, district: str, period: tuple | None = None) -> list[Subject]:
    """The subjects of ``kind`` in ``district``; ``period`` ([start, end) as aware datetimes)
    limits the handling units to those with a case reported in it."""
    if kind in (SubjectKind.STREET, SubjectKind.COMMUNITY):
        rows = Division.objects.filter(
            level=kind, is_active=True, code__startswith=district
        ).order_by("code")
        return [Subject(f"c:{d.code}", d.name, d.code, d.code) for d in rows]
    if kind == SubjectKind.BRANCH:
        rows = PartyOrg.objects.within(district).filter(kind=PartyOrg.Kind.BRANCH, is_active=True)
        return [
            Subject(f"org:{o.pk}", o.name, o.scope_code, o.scope_code)
            for o in rows.order_by("scope_code", "pk")
        ]
    if kind in (SubjectKind.UNIT, SubjectKind.PROPERTY):
        rows = Partner.objects.within(district).filter(is_active=True)
        if kind == SubjectKind.PROPERTY:
            rows = rows.filter(kind=Partner.Kind.PROPERTY_COMPANY)
        else:
            rows = rows.exclude(kind__in=[Partner.Kind.PROPERTY_COMPANY])
        return [Subject(f"unit:{p.pk}", p.name, p.scope_code, p.scope_code) for p in rows]
    if kind == SubjectKind.HANDLER:
        # the district's units that handled a case of the district reported in the period
        # (all periods without one): a unit with no case to count is not ranked last
        handled = CaseTally.objects.within(district).exclude(handler=None)
        if period is not None:
            handled = handled.filter(reported_at__gte=period[0], reported_at__lt=period[1])
        rows = Partner.objects.within(district).filter(
            is_active=True, pk__in=handled.values("handler_id")
        )
        return [
            Subject(f"unit:{p.pk}", p.name, p.scope_code, p.scope_code)
            for p in rows.order_by("kind", "pk")
        ]
    if kind in (SubjectKind.MEMBER, SubjectKind.SECRETARY):
        rows = Member.objects.within(district).order_by("scope_code", "pk")
        if kind == SubjectKind.SECRETARY:
            # the communities' secretaries and whoever signed a secretary's or 第一书记's
            # commitment in the district
            rows = rows.filter(
                Q(
                    user__role_assignments__role=Role.COMMUNITY_SECRETARY,
                    user__role_assignments__ended_at__isnull=True,
                )
                | Q(user__in=Commitment.objects.within(district).values("person_id"))
            ).distinct()
        return [Subject(f"member:{m.pk}", m.name, m.scope_code, m.scope_code) for m in rows]
    return []


@dataclass
class Computed:
    points: Decimal
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    period_kind: str = ""
    period_start: object = None
    place_code: str = ""
    note: str = ""


# --- conversions ------------------------------------------------------------------------------


def linear_share(value: float, low: float, high: float) -> float:
    """0 at ``low``, 1 at ``high`` (``high`` below ``low``: lower is better), clamped."""
    return (value - low) / (high - low)


def band_share(value: float, bands: list, lower_is_better: bool = False) -> float:
    """The share of the first band whose threshold the value reaches (bands highest first)."""
    ordered = sorted(bands, key=lambda b: b[0], reverse=not lower_is_better)
    for threshold, share in ordered:
        if (value <= threshold) if lower_is_better else (value >= threshold):
            return float(share)
    return 0.0


def rank_shares(values: dict[str, float | None], higher_is_better: bool) -> dict[str, float]:
    """1 for the best, 0 for the last, evenly between (ties share the better rank); a subject
    with nothing counted (None or 0) gets 0 and is left out of the ranking."""
    known = {k: v for k, v in values.items() if v}
    n = len(known)
    if n == 0:
        return {}
    ordered = sorted(known.values(), reverse=higher_is_better)
    first: dict[float, int] = {}
    for i, v in enumerate(ordered):
        first.setdefault(v, i)
    if n == 1:
        return dict.fromkeys(known, 1.0)
    return {k: 1 - first[v] / (n - 1) for k, v in known.items()}


# --- sources ----------------------------------------------------------------------------------


def _by_unit(rnd: Round, ind, kind: str, start) -> dict[str, snapshots.Value]:
    """The indicator counted per handling unit over the round's district and period, with the
    indicator's own numerator and denominator (``Indicator.by_unit``), as the snapshots give a
    place's value: keyed by subject ref."""
    begin, end = snapshots.period_bounds(kind, start)
    return {
        f"unit:{unit}": snapshots.make_value(ind.kind, n, d)
        for unit, (n, d) in ind.by_unit(rnd.scope_code, begin, end).items()
    }


def from_indicator(rnd: Round, node: Node, subs: list[Subject]) -> dict[str, Computed]:
    """A place's value from the snapshots; a handling unit's counted from the records by the
    indicator's grouping by unit (there are no snapshots per unit)."""
    ind = find_indicator(node.indicator)
    kind = rnd.scheme.period_kind
    start = snapshots.period_start(kind, rnd.period_start)
    if rnd.scheme.subject_kind == SubjectKind.HANDLER:
        counted = _by_unit(rnd, ind, kind, start) if ind is not None and ind.by_unit else {}
        stored = {s.ref: counted[s.ref] for s in subs if s.ref in counted}
    else:
        places = snapshots.values(node.indicator, {s.snapshot_code for s in subs}, kind, start)
        stored = {s.ref: places[s.snapshot_code] for s in subs if s.snapshot_code in places}
    higher = ind.higher_is_better if ind is not None else True
    ranks = {}
    if node.conversion == "rank":
        ranks = rank_shares(
            {s.ref: (stored[s.ref].value if s.ref in stored else None) for s in subs}, higher
        )
    out = {}
    for s in subs:
        v = stored.get(s.ref)
        c = Computed(
            Decimal("0.00"),
            period_kind=kind,
            period_start=start,
            place_code=s.snapshot_code,
        )
        if v is None or v.value is None:
            c.note = _("无数据（本期没有可计的记录）")
            if v is not None:
                c.numerator, c.denominator = v.numerator, v.denominator
            out[s.ref] = c
            continue
        c.value, c.numerator, c.denominator = v.value, v.numerator, v.denominator
        if node.conversion == "linear":
            share = linear_share(v.value, node.low, node.high)
        elif node.conversion == "bands":
            share = band_share(v.value, node.bands, lower_is_better=not higher)
        else:
            share = ranks.get(s.ref, 0.0)
        c.points = points(node.weight, share)
        out[s.ref] = c
    return out


def from_manual(rnd: Round, node: Node, subs: list[Subject]) -> dict[str, Computed]:
    rows = ManualScore.objects.filter(round=rnd, node=node, approved_at__isnull=False)
    got = {m.subject_ref: m for m in rows}
    out = {}
    for s in subs:
        m = got.get(s.ref)
        if m is None:
            out[s.ref] = Computed(Decimal("0.00"), note=_("尚无经审核的评分"))
        else:
            out[s.ref] = Computed(min(m.points, node.weight), value=float(m.points), note=m.reason)
    return out


def from_adjustment(rnd: Round, node: Node, subs: list[Subject]) -> dict[str, Computed]:
    sums = dict(
        Adjustment.objects.filter(round=rnd, node=node, approved_at__isnull=False)
        .values("subject_ref")
        .annotate(s=Sum("points"))
        .values_list("subject_ref", "s")
    )
    out = {}
    for s in subs:
        total = sums.get(s.ref) or Decimal(0)
        capped = max(-node.weight, min(node.weight, total)).quantize(CENT)
        out[s.ref] = Computed(capped, value=float(total))
    return out


def from_rating(rnd: Round, node: Node, subs: list[Subject]) -> dict[str, Computed]:
    """The two-way evaluation of the round's year: the average 1–5 rating, 1 → 0, 5 → full."""
    rows = (
        Rating.objects.filter(
            round__year=rnd.period_start.year, rated_ref__in=[s.ref for s in subs]
        )
        .values("rated_ref")
        .annotate(avg=Avg("score"), n=Count("pk"))
        .values_list("rated_ref", "avg", "n")
    )
    got = {ref: (avg, n) for ref, avg, n in rows}
    out = {}
    for s in subs:
        if s.ref not in got:
            out[s.ref] = Computed(Decimal("0.00"), note=_("本年度没有收到评价"))
            continue
        avg, n = got[s.ref]
        out[s.ref] = Computed(
            points(node.weight, (float(avg) - 1) / 4), value=float(avg), denominator=n
        )
    return out


def from_survey(rnd: Round, node: Node, subs: list[Subject]) -> dict[str, Computed]:
    """A satisfaction survey or a poll bound to the item: the share of good answers (4–5 stars)
    given by residents of each subject's place."""
    answers = SurveyAnswer.objects.filter(
        question__survey=node.survey_id, rating__isnull=False
    ).values_list("response__scope_code", "rating")
    tally: dict[str, list[int]] = {}
    for code, rating in answers:
        for s in subs:
            if code.startswith(s.snapshot_code):
                pair = tally.setdefault(s.ref, [0, 0])
                pair[0] += rating >= 4
                pair[1] += 1
    out = {}
    for s in subs:
        good, n = tally.get(s.ref, (0, 0))
        share = good / n if n else None
        out[s.ref] = Computed(
            points(node.weight, share or 0.0),
            value=share,
            numerator=good,
            denominator=n,
            note="" if n else _("无数据（本期没有可计的记录）"),
        )
    return out


def from_poll(rnd: Round, node: Node, subs: list[Subject]) -> dict[str, Computed]:
    """A poll bound to the item: its pass (full points) or not (none), the same for all."""
    poll = node.poll
    passed = bool(poll and poll.passed)
    return {s.ref: Computed(node.weight if passed else Decimal("0.00")) for s in subs}


def from_evaluation(rnd: Round, node: Node, subs: list[Subject]) -> dict[str, Computed]:
    """The year-end evaluation from projects (书记、第一书记承诺 and 年终考评) of the round's
    year: the street's score (0–100), else the community's, as a share of the item's weight.
    A subject is a member; the evaluation names the member's account (``Commitment.person``), so
    the member's ``user`` maps one to the other."""
    users = dict(
        Member.objects.filter(pk__in=[int(s.ref[7:]) for s in subs if s.ref.startswith("member:")])
        .exclude(user__isnull=True)
        .values_list("pk", "user_id")
    )
    found: dict[int, object] = {}
    for e in project_evaluations(rnd.period_start.year, rnd.scope_code):
        score = e.street_score if e.street_score is not None else e.community_score
        if score is not None:
            found.setdefault(e.commitment.person_id, (score, e))
    out = {}
    for s in subs:
        user_id = users.get(int(s.ref[7:])) if s.ref.startswith("member:") else None
        if user_id not in found:
            out[s.ref] = Computed(Decimal("0.00"), note=_("本年度没有年终考评"))
            continue
        score, e = found[user_id]
        out[s.ref] = Computed(
            points(node.weight, float(score) / 100),
            value=float(score),
            place_code=e.commitment.scope_code,
            note=e.get_grade_display() if e.grade else "",
        )
    return out


SOURCES: dict[str, Callable[[Round, Node, list[Subject]], dict[str, Computed]]] = {
    Source.INDICATOR: from_indicator,
    Source.MANUAL: from_manual,
    Source.ADJUSTMENT: from_adjustment,
    Source.RATING: from_rating,
    Source.SURVEY: from_survey,
    Source.POLL: from_poll,
    Source.EVALUATION: from_evaluation,
}


# --- the round --------------------------------------------------------------------------------


def rank_results(results: list[Result], red: int, black: int) -> None:
    """Competition ranking by total (1, 2, 2, 4), and the red and black lists by rank."""
    ordered = sorted(results, key=lambda r: (-r.total, r.subject_ref))
    n = len(ordered)
    previous, rank = None, 0
    for i, r in enumerate(ordered, start=1):
        if r.total != previous:
            rank, previous = i, r.total
        r.rank = rank
    for r in ordered:
        if r.rank <= red:
            r.listing = Result.Listing.RED
        elif black and r.rank > n - black and n > red:
            r.listing = Result.Listing.BLACK
        else:
            r.listing = Result.Listing.NONE


@transaction.atomic
def score_round(*, rnd: Round, by=None, request=None) -> int:
    """(Re)compute every subject's item points, totals and ranks; opens the appeal period.
    Refused once published. Returns the number of subjects scored."""
    rnd = Round.objects.select_for_update().select_related("scheme").get(pk=rnd.pk)
    if rnd.status == Round.Status.PUBLISHED:
        raise UserError(_("结果已公布，不能重新计算；请逐项更改并说明理由。"))
    check(rnd.scheme)
    items = [n for n in rnd.scheme.nodes.all() if n.level == Node.Level.ITEM]
    kind = rnd.scheme.period_kind
    subs = subjects(
        rnd.scheme.subject_kind,
        rnd.scope_code,
        snapshots.period_bounds(kind, snapshots.period_start(kind, rnd.period_start)),
    )
    computed = {n.pk: SOURCES[n.source](rnd, n, subs) for n in items}
    ItemScore.objects.filter(result__round=rnd).delete()
    Result.objects.filter(round=rnd).delete()
    results = []
    for s in subs:
        total = sum((computed[n.pk][s.ref].points for n in items), Decimal(0))
        results.append(
            Result(
                round=rnd,
                subject_ref=s.ref,
                subject_name=s.name[:120],
                scope_code=s.code,
                total=max(Decimal(0), total).quantize(CENT),
            )
        )
    rank_results(results, rnd.red_count, rnd.black_count)
    Result.objects.bulk_create(results, batch_size=2000)
    ids = dict(Result.objects.filter(round=rnd).values_list("subject_ref", "pk"))
    rows = []
    for n in items:
        for s in subs:
            c = computed[n.pk][s.ref]
            rows.append(
                ItemScore(
                    result_id=ids[s.ref],
                    node=n,
                    points=c.points,
                    value=c.value,
                    numerator=c.numerator,
                    denominator=c.denominator,
                    period_kind=c.period_kind,
                    period_start=c.period_start,
                    place_code=c.place_code,
                    note=str(c.note)[:300],
                )
            )
    ItemScore.objects.bulk_create(rows, batch_size=5000)
    now = timezone.now()
    rnd.status = Round.Status.SCORED
    rnd.scored_at = now
    rnd.appeal_deadline = now + timedelta(days=rnd.appeal_days)
    rnd.save(update_fields=["status", "scored_at", "appeal_deadline", "updated_at"])
    audit(
        actor=by,
        action="assessment.round.score",
        obj=rnd,
        request=request,
        detail={"subjects": len(subs), "items": len(items)},
    )
    return len(subs)


@transaction.atomic
def change_score(*, result: Result, node: Node, new_points: Decimal, reason: str, by, request=None):
    """Change one item's points after scoring: a reason is required, the old points and total
    stay in the history (``ScoreChange``), the ranks are recomputed."""
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("更改得分必须说明理由。"))
    result = Result.objects.select_for_update().select_related("round").get(pk=result.pk)
    item = ItemScore.objects.select_for_update().filter(result=result, node=node).first()
    if item is None:
        raise UserError(_("该考核项不属于此结果。"))
    limit = node.weight
    low = -limit if node.is_bonus else Decimal(0)
    if new_points < low or new_points > limit:
        raise UserError(_("得分应在 %(low)s 到 %(high)s 之间。") % {"low": low, "high": limit})
    old_points, old_total = item.points, result.total
    new_total = max(Decimal(0), old_total - item.points + new_points).quantize(CENT)
    ScoreChange.objects.create(
        result=result,
        node=node,
        old_points=old_points,
        new_points=new_points,
        old_total=old_total,
        new_total=new_total,
        reason=reason[:500],
        by=by,
    )
    item.points = new_points
    item.note = reason[:300]
    item.save(update_fields=["points", "note"])
    result.total = new_total
    result.changed = result.round.status == Round.Status.PUBLISHED
    result.save(update_fields=["total", "changed", "updated_at"])
    rnd = result.round
    everyone = list(Result.objects.filter(round=rnd))
    rank_results(everyone, rnd.red_count, rnd.black_count)
    Result.objects.bulk_update(everyone, ["rank", "listing"])
    audit(
        actor=by,
        action="assessment.score.change",
        obj=result,
        request=request,
        detail={"node": node.pk, "old": str(old_points), "new": str(new_points)},
    )
    return result
