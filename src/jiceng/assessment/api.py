"""The assessment JSON API: rounds, a round's ranking, a subject's score with its breakdown
(every item with what it was computed from and the link to the records counted); the appraisals
of people (述职评议, 民主评议党员: read, report, grade, close), the two-way evaluation's ratings and
the standardisation checklists. Every id through the actor's scope; every write through the
service the pages call, with the same refusals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jiceng.assessment import permissions as perm
from jiceng.assessment import selectors, services, twoway
from jiceng.assessment.models import Appraisal, AppraisalVote, Checklist
from jiceng.core.errors import NotFound
from jiceng.core.inputs import Id, Pagination, Year
from jiceng.core.scope import visible_or_404

router = Router(tags=["assessment"])


class RoundOut(Schema):
    id: int
    name: str
    scheme: str
    status: str
    period_start: date
    period_end: date


class ScoreRankOut(Schema):
    id: int
    subject: str
    total: Decimal
    rank: int | None
    listing: str


class ScoreItemOut(Schema):
    node: int
    name: str
    weight: Decimal
    points: Decimal
    source: str
    indicator: str
    value: float | None
    numerator: float | None
    denominator: float | None
    period_start: date | None
    place_code: str
    note: str
    records_url: str | None


class ScoreLineOut(Schema):
    name: str
    weight: Decimal
    points: Decimal
    children: list[ScoreLineOut] = []
    item: ScoreItemOut | None = None


class ScoreResultOut(Schema):
    id: int
    round: int
    subject: str
    total: Decimal
    rank: int | None
    listing: str
    lines: list[ScoreLineOut]


@router.get("/rounds", response=list[RoundOut])
def rounds(request):
    rows = perm.visible_rounds(request.user).select_related("scheme")[:200]
    return [
        RoundOut(
            id=r.pk,
            name=r.name,
            scheme=r.scheme.name,
            status=r.status,
            period_start=r.period_start,
            period_end=r.period_end,
        )
        for r in rows
    ]


@router.get("/rounds/{pk}/ranking", response=list[ScoreRankOut])
def ranking(request, pk: Id):
    rnd = visible_or_404(perm.visible_rounds(request.user), pk=pk)
    rows = perm.visible_results(request.user).filter(round=rnd).order_by("rank", "subject_ref")
    return [
        ScoreRankOut(id=r.pk, subject=r.subject_name, total=r.total, rank=r.rank, listing=r.listing)
        for r in rows[:2000]
    ]


def _line(user, result, line) -> ScoreLineOut:
    item = None
    if line.item is not None:
        i = line.item
        i.node = line.node
        item = ScoreItemOut(
            node=line.node.pk,
            name=line.node.label,
            weight=line.node.weight,
            points=i.points,
            source=line.node.source,
            indicator=line.node.indicator,
            value=i.value,
            numerator=i.numerator,
            denominator=i.denominator,
            period_start=i.period_start,
            place_code=i.place_code,
            note=i.note,
            records_url=selectors.records_url(user, i, result),
        )
    return ScoreLineOut(
        name=line.node.label,
        weight=line.node.weight,
        points=line.points,
        children=[_line(user, result, c) for c in line.children],
        item=item,
    )


@router.get("/results/{pk}", response=ScoreResultOut)
def result(request, pk: Id):
    r = visible_or_404(perm.visible_results(request.user).select_related("round__scheme"), pk=pk)
    return ScoreResultOut(
        id=r.pk,
        round=r.round_id,
        subject=r.subject_name,
        total=r.total,
        rank=r.rank,
        listing=r.listing,
        lines=[_line(request.user, r, line) for line in selectors.breakdown(r)],
    )


# --- appraisals of people (述职评议, 民主评议党员) ----------------------------------------------


class AppraisalGradeOut(Schema):
    grade: str
    label: str


class AppraisalTallyOut(AppraisalGradeOut):
    votes: int


class AppraisalOut(Schema):
    id: int
    kind: str
    kind_label: str
    year: int
    name: str
    org: str
    status: str
    status_label: str
    opens_at: datetime
    closes_at: datetime
    is_open: bool
    report_submitted: bool


class AppraisalResultOut(Schema):
    """The tally and the grade: to the staff of the place always, to the person and the voters
    once the appraisal is closed (as the pages show it)."""

    grade: str
    grade_label: str
    votes: int
    tally: list[AppraisalTallyOut]
    self_grade: str
    points: int | None = None
    meetings_held: int | None = None
    meetings_present: int | None = None


class AppraisalDetailOut(AppraisalOut):
    report: str
    grades: list[AppraisalGradeOut]
    may_vote: bool
    my_grade: str | None = None
    result: AppraisalResultOut | None = None


class AppraisalGradeIn(Schema):
    grade: str = Field(..., max_length=40)


class AppraisalReportIn(Schema):
    text: str = Field(..., max_length=10000)


class AppraisalVoteOut(Schema):
    appraisal: int
    grade: str
    label: str


def _appraisal_out(a: Appraisal) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "kind_label": str(a.get_kind_display()),
        "year": a.year,
        "name": a.name,
        "org": a.org.name,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "opens_at": a.opens_at,
        "closes_at": a.closes_at,
        "is_open": a.is_open(),
        "report_submitted": bool(a.report.strip()),
    }


def _appraisals(user):
    return perm.visible_appraisals(user).select_related("org", "member__org")


def _appraisal(user, pk: int) -> Appraisal:
    return visible_or_404(_appraisals(user), pk=pk)


def _appraisal_detail(user, a: Appraisal) -> dict:
    mine = AppraisalVote.objects.filter(appraisal=a, rater=user).values_list("grade", flat=True)
    my_grade = mine.first()
    out = _appraisal_out(a)
    out.update(
        report=a.report,
        grades=[{"grade": g, "label": str(label)} for g, label in a.grades],
        may_vote=my_grade is None and a.is_open() and perm.may_vote(user, a),
        my_grade=my_grade,
        result=None,
    )
    if perm.sees_result(user, a):
        row = selectors.appraisal_rows([a])[0]
        out["result"] = {
            "grade": a.grade,
            "grade_label": a.grade_label,
            "votes": row.votes,
            "tally": [{"grade": g, "label": label, "votes": n} for g, label, n in row.tally],
            "self_grade": row.own_grade,
            "points": row.points,
            "meetings_held": row.attendance.held if row.attendance else None,
            "meetings_present": row.attendance.present if row.attendance else None,
        }
    return out


@router.get("/appraisals", response=list[AppraisalOut])
def appraisals(
    request,
    kind: str | None = None,
    year: Year | None = None,
    status: str | None = None,
    to_grade: bool = False,
):
    """The appraisals the actor sees (the person, the voters, the staff of the place);
    ``to_grade=true``: only those open and still to be graded by the actor. The latest 500."""
    rows = (
        selectors.appraisals_to_grade(request.user).select_related("org")
        if to_grade
        else _appraisals(request.user)
    )
    if kind in Appraisal.Kind.values:
        rows = rows.filter(kind=kind)
    if year:
        rows = rows.filter(year=year)
    if status in Appraisal.Status.values:
        rows = rows.filter(status=status)
    return [_appraisal_out(a) for a in rows.order_by("-year", "kind", "name", "pk")[:500]]


@router.get("/appraisals/{pk}", response=AppraisalDetailOut)
def appraisal(request, pk: Id):
    """One appraisal with its report (or self-assessment), the grades, whether the actor may
    still grade it and, to those entitled, its tally and grade."""
    return _appraisal_detail(request.user, _appraisal(request.user, pk))


@router.post("/appraisals/{pk}/votes", response={201: AppraisalVoteOut})
def appraisal_vote(request, pk: Id, payload: AppraisalGradeIn):
    """Grade it: a 述职评议 vote, a 民主评议's mutual grade or (one's own) the self-assessment.
    Once per person, inside the period, a grade of its list, never one's own report."""
    a = _appraisal(request.user, pk)
    vote = services.appraisal_vote(
        appraisal=a, grade=payload.grade, by=request.user, request=request
    )
    return Status(
        201,
        {"appraisal": a.pk, "grade": vote.grade, "label": str(dict(a.grades)[vote.grade])},
    )


@router.post("/appraisals/{pk}/report", response=AppraisalDetailOut)
def appraisal_report(request, pk: Id, payload: AppraisalReportIn):
    """The person submits (or rewrites) their report or self-assessment while it is open."""
    a = _appraisal(request.user, pk)
    a = services.appraisal_report(appraisal=a, text=payload.text, by=request.user, request=request)
    return _appraisal_detail(request.user, _appraisal(request.user, a.pk))


@router.post("/appraisals/{pk}/close", response=AppraisalDetailOut)
def appraisal_close(request, pk: Id, payload: AppraisalGradeIn):
    """The organisers' grade (the street or district for a report, the branch's community for a
    member): the appraisal closes and its result is published to the person and the voters."""
    a = _appraisal(request.user, pk)
    services.appraisal_close(appraisal=a, grade=payload.grade, by=request.user, request=request)
    return _appraisal_detail(request.user, _appraisal(request.user, a.pk))


# --- the two-way evaluation (双考双评) ---------------------------------------------------------


class TwoWayRoundOut(Schema):
    id: int
    name: str
    year: int
    opens_at: datetime
    closes_at: datetime
    is_open: bool


class TwoWayPairOut(Schema):
    direction: str
    rater: str
    rated: str
    rated_name: str
    done: bool


class TwoWayRoundDetailOut(TwoWayRoundOut):
    to_rate: list[TwoWayPairOut]


class TwoWayRatingIn(Schema):
    direction: str = Field(..., max_length=40)
    rater: str = Field(..., max_length=40)
    rated: str = Field(..., max_length=40)
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


class TwoWayRatingOut(Schema):
    evaluation: int
    direction: str
    rated: str
    score: int


def _evaluation_out(e) -> dict:
    now = timezone.now()
    return {
        "id": e.pk,
        "name": e.name,
        "year": e.year,
        "opens_at": e.opens_at,
        "closes_at": e.closes_at,
        "is_open": e.opens_at <= now <= e.closes_at,
    }


@router.get("/evaluations", response=list[TwoWayRoundOut])
def evaluations(request):
    rows = perm.visible_evaluations(request.user).order_by("-opens_at", "-pk")[:200]
    return [_evaluation_out(e) for e in rows]


@router.get("/evaluations/{pk}", response=TwoWayRoundDetailOut)
def evaluation(request, pk: Id):
    """A round with the ratings the actor may give in it, each with whether it is given (the
    rated never learn who rated them)."""
    e = visible_or_404(perm.visible_evaluations(request.user), pk=pk)
    out = _evaluation_out(e)
    out["to_rate"] = [
        {
            "direction": p.direction,
            "rater": p.rater_ref,
            "rated": p.rated_ref,
            "rated_name": p.rated_name,
            "done": done,
        }
        for p, done in twoway.forms_for(request.user, e)
    ]
    return out


@router.post("/evaluations/{pk}/ratings", response={201: TwoWayRatingOut})
def evaluation_rate(request, pk: Id, payload: TwoWayRatingIn):
    """One rating of a pair that is the actor's own (as ``to_rate`` lists them): once per rater,
    rated and round, inside the round's dates."""
    e = visible_or_404(perm.visible_evaluations(request.user), pk=pk)
    pair = twoway.own_pair(request.user, e, payload.direction, payload.rater, payload.rated)
    if pair is None:
        raise NotFound(_("没有找到，或不在您可以查看的范围内。"))
    rating = services.rating_give(
        evaluation=e,
        direction=pair.direction,
        rater_ref=pair.rater_ref,
        rated_ref=pair.rated_ref,
        rated_code=pair.rated_code,
        score=payload.score,
        comment=payload.comment,
        by=request.user,
        request=request,
    )
    return Status(
        201,
        {
            "evaluation": e.pk,
            "direction": rating.direction,
            "rated": rating.rated_ref,
            "score": rating.score,
        },
    )


# --- standardisation checklists ----------------------------------------------------------------


class ChecklistEntryOut(Schema):
    key: str
    label: str
    note: str
    has_evidence: bool


class ChecklistOut(Schema):
    id: int
    standard: str
    year: int
    org: str
    status: str
    status_label: str
    inspection_note: str


class ChecklistDetailOut(ChecklistOut):
    entries: list[ChecklistEntryOut]


class ChecklistSubmitIn(Schema):
    notes: dict[str, str] = Field(..., max_length=20)


class ChecklistInspectIn(Schema):
    accept: bool
    note: str = Field("", max_length=500)


def _checklist_out(c: Checklist) -> dict:
    return {
        "id": c.pk,
        "standard": c.standard,
        "year": c.year,
        "org": c.org.name,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "inspection_note": c.inspection_note,
    }


def _checklist(user, pk: int) -> Checklist:
    return visible_or_404(perm.visible_checklists(user).select_related("org"), pk=pk)


def _checklist_detail(c: Checklist) -> dict:
    entries = {e.key: e for e in c.entries.all()}
    out = _checklist_out(c)
    out["entries"] = [
        {
            "key": key,
            "label": label,
            "note": entries[key].note if key in entries else "",
            "has_evidence": bool(entries[key].evidence) if key in entries else False,
        }
        for key, label in services.STANDARDS.get(c.standard, [])
    ]
    return out


@router.get("/checklists", response=list[ChecklistOut])
@paginate(Pagination)
def checklists(request, status: str | None = None):
    rows = perm.visible_checklists(request.user).select_related("org")
    if status in Checklist.Status.values:
        rows = rows.filter(status=status)
    return [_checklist_out(c) for c in rows.order_by("-year", "scope_code", "pk")[:500]]


@router.get("/checklists/{pk}", response=ChecklistDetailOut)
def checklist(request, pk: Id):
    return _checklist_detail(_checklist(request.user, pk))


@router.post("/checklists/{pk}/submit", response=ChecklistDetailOut)
def checklist_submit(request, pk: Id, payload: ChecklistSubmitIn):
    """The branch's community fills in every standard (evidence files are added on the page)
    and submits it for inspection."""
    c = services.checklist_submit(
        checklist=_checklist(request.user, pk),
        notes=payload.notes,
        by=request.user,
        request=request,
    )
    return _checklist_detail(_checklist(request.user, c.pk))


@router.post("/checklists/{pk}/inspect", response=ChecklistDetailOut)
def checklist_inspect(request, pk: Id, payload: ChecklistInspectIn):
    """The street or the district accepts it, or returns it with a note."""
    c = services.checklist_inspect(
        checklist=_checklist(request.user, pk),
        accept=payload.accept,
        note=payload.note,
        by=request.user,
        request=request,
    )
    return _checklist_detail(_checklist(request.user, c.pk))
