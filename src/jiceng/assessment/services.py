"""Every write of assessment besides the scheme and the scoring (``schemes``, ``scoring``):
rounds, manual scores and adjustments (a second person approves), appeals, publishing, ratings
of the two-way evaluation, appraisal votes and checklists. Keyword-only, one transaction, one
audit entry; refused input raises ``UserError`` in the user's language, nothing changed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Role
from jiceng.assessment import permissions as perm
from jiceng.assessment.models import (
    Adjustment,
    Appeal,
    Appraisal,
    AppraisalVote,
    Checklist,
    ChecklistEntry,
    EvaluationRound,
    ManualScore,
    Node,
    Rating,
    Result,
    Round,
    Scheme,
    Source,
)
from jiceng.assessment.scoring import change_score
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.party.models import Member, PartyOrg


def _require_district(by, obj) -> None:
    if not perm.can_configure(by, obj):
        raise Forbidden(_("只有区委组织部可以进行此操作。"))


@transaction.atomic
def round_create(
    *,
    scheme: Scheme,
    name: str,
    period_start: date,
    period_end: date,
    by,
    appeal_days: int = 7,
    red_count: int = 3,
    black_count: int = 3,
    request=None,
) -> Round:
    _require_district(by, scheme)
    if scheme.editable:
        raise UserError(_("方案还是草稿，发布后才能用来考核。"))
    if period_end < period_start:
        raise UserError(_("周期截止不能早于起始。"))
    if period_start.year != scheme.year:
        raise UserError(_("考核周期应在方案的年度内（%(year)s 年）。") % {"year": scheme.year})
    rnd = Round.objects.create(
        scheme=scheme,
        name=name.strip() or scheme.name,
        period_start=period_start,
        period_end=period_end,
        appeal_days=appeal_days,
        red_count=red_count,
        black_count=black_count,
        division=scheme.division,
    )
    audit(actor=by, action="assessment.round.create", obj=rnd, request=request)
    return rnd


def _item_of(rnd: Round, node: Node, source: str) -> None:
    if node.scheme_id != rnd.scheme_id or node.level != Node.Level.ITEM or node.source != source:
        raise UserError(_("该考核项不接受这种评分。"))
    if rnd.status == Round.Status.PUBLISHED:
        raise UserError(_("结果已公布，不能再录入；请逐项更改并说明理由。"))


@transaction.atomic
def manual_score_submit(
    *,
    rnd: Round,
    node: Node,
    subject_ref: str,
    scope_code: str,
    points: Decimal,
    reason: str,
    evidence,
    by,
    request=None,
) -> ManualScore:
    """A manual item score with its evidence (a file or photo); counts once approved by another
    person."""
    _require_district(by, rnd)
    _item_of(rnd, node, Source.MANUAL)
    if not evidence:
        raise UserError(_("人工评分必须附佐证材料（文件或照片）。"))
    if not (reason or "").strip():
        raise UserError(_("请填写评分理由。"))
    if points < 0 or points > node.weight:
        raise UserError(_("得分应在 0 到 %(weight)s 之间。") % {"weight": node.weight})
    ManualScore.objects.filter(round=rnd, node=node, subject_ref=subject_ref).delete()
    score = ManualScore.objects.create(
        round=rnd,
        node=node,
        subject_ref=subject_ref,
        scope_code=scope_code,
        points=points,
        reason=reason.strip()[:500],
        evidence=evidence,
        author=by,
    )
    audit(actor=by, action="assessment.manual.submit", obj=score, request=request)
    return score


def _approve(obj, by, action, request):
    if obj.author_id == by.pk:
        raise UserError(_("不能审核自己录入的评分，请由另一位同志审核。"))
    if obj.approved_at is not None:
        raise UserError(_("已经审核过了。"))
    obj.approved_by = by
    obj.approved_at = timezone.now()
    obj.save(update_fields=["approved_by", "approved_at", "updated_at"])
    audit(actor=by, action=action, obj=obj, request=request)
    return obj


@transaction.atomic
def manual_score_approve(*, score: ManualScore, by, request=None) -> ManualScore:
    score = ManualScore.objects.select_for_update().select_related("round").get(pk=score.pk)
    _require_district(by, score.round)
    return _approve(score, by, "assessment.manual.approve", request)


@transaction.atomic
def adjustment_submit(
    *,
    rnd: Round,
    node: Node,
    subject_ref: str,
    scope_code: str,
    kind: str,
    points: Decimal,
    reason: str,
    by,
    request=None,
) -> Adjustment:
    _require_district(by, rnd)
    _item_of(rnd, node, Source.ADJUSTMENT)
    if not (reason or "").strip():
        raise UserError(_("加减分必须说明事由。"))
    if kind not in Adjustment.Kind.values:
        raise UserError(_("请选择加减分类型。"))
    if points == 0 or abs(points) > node.weight:
        raise UserError(_("分值应在 ±%(weight)s 之内且不为 0。") % {"weight": node.weight})
    if kind == Adjustment.Kind.DEDUCTION:
        points = -abs(points)
    adj = Adjustment.objects.create(
        round=rnd,
        node=node,
        subject_ref=subject_ref,
        scope_code=scope_code,
        kind=kind,
        points=points,
        reason=reason.strip()[:500],
        author=by,
    )
    audit(actor=by, action="assessment.adjustment.submit", obj=adj, request=request)
    return adj


@transaction.atomic
def adjustment_approve(*, adjustment: Adjustment, by, request=None) -> Adjustment:
    adj = Adjustment.objects.select_for_update().select_related("round").get(pk=adjustment.pk)
    _require_district(by, adj.round)
    return _approve(adj, by, "assessment.adjustment.approve", request)


# --- appeals and publishing --------------------------------------------------------------------


@transaction.atomic
def appeal_file(
    *, result: Result, reason: str, by, node: Node | None = None, request=None
) -> Appeal:
    result = Result.objects.select_related("round").get(pk=result.pk)
    if not perm.may_appeal(by, result):
        raise Forbidden(_("只有被考核对象本身可以申诉。"))
    rnd = result.round
    if rnd.status != Round.Status.SCORED or rnd.appeal_deadline is None:
        raise UserError(_("当前不在申诉期内。"))
    if timezone.now() > rnd.appeal_deadline:
        raise UserError(
            _("申诉期已于 %(day)s 截止，不能再申诉。")
            % {"day": timezone.localtime(rnd.appeal_deadline).strftime("%Y-%m-%d %H:%M")}
        )
    if not (reason or "").strip():
        raise UserError(_("请填写申诉理由。"))
    if node is not None and node.scheme_id != rnd.scheme_id:
        raise UserError(_("该考核项不属于此方案。"))
    appeal = Appeal.objects.create(result=result, node=node, reason=reason.strip()[:2000], by=by)
    audit(
        actor=by,
        action="assessment.appeal.file",
        obj=appeal,
        scope_code=result.scope_code,
        request=request,
    )
    return appeal


@transaction.atomic
def appeal_answer(
    *,
    appeal: Appeal,
    upheld: bool,
    answer: str,
    by,
    new_points: Decimal | None = None,
    request=None,
) -> Appeal:
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("result__round", "node")
        .get(pk=appeal.pk)
    )
    _require_district(by, appeal.result.round)
    if appeal.status != Appeal.Status.OPEN:
        raise UserError(_("该申诉已经复核过了。"))
    if not (answer or "").strip():
        raise UserError(_("请填写复核意见。"))
    if upheld and new_points is not None:
        if appeal.node is None:
            raise UserError(_("这项申诉没有指明考核项，不能直接改分。"))
        change_score(
            result=appeal.result,
            node=appeal.node,
            new_points=new_points,
            reason=_("申诉成立：%(answer)s") % {"answer": answer.strip()},
            by=by,
            request=request,
        )
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.answer = answer.strip()[:2000]
    appeal.answered_by = by
    appeal.answered_at = timezone.now()
    appeal.save()
    audit(
        actor=by,
        action="assessment.appeal.answer",
        obj=appeal,
        scope_code=appeal.result.scope_code,
        request=request,
    )
    return appeal


@transaction.atomic
def round_publish(*, rnd: Round, by, request=None, now=None) -> Round:
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    _require_district(by, rnd)
    now = now or timezone.now()
    if rnd.status != Round.Status.SCORED:
        raise UserError(_("只有已计算、未公布的考核可以公布。"))
    if rnd.appeal_deadline and now < rnd.appeal_deadline:
        raise UserError(_("申诉期未满，暂不能公布。"))
    if Appeal.objects.filter(result__round=rnd, status=Appeal.Status.OPEN).exists():
        raise UserError(_("还有未复核的申诉。"))
    rnd.status = Round.Status.PUBLISHED
    rnd.published_at = now
    rnd.save(update_fields=["status", "published_at", "updated_at"])
    audit(actor=by, action="assessment.round.publish", obj=rnd, request=request)
    return rnd


# --- two-way evaluation ----------------------------------------------------------------------


@transaction.atomic
def rating_give(
    *,
    evaluation: EvaluationRound,
    direction: str,
    rater_ref: str,
    rated_ref: str,
    rated_code: str,
    score: int,
    by,
    comment: str = "",
    now=None,
    request=None,
) -> Rating:
    """One rating per rater body, rated subject and round (the constraint is the last word);
    outside the round's dates refused."""
    now = now or timezone.now()
    if not (evaluation.opens_at <= now <= evaluation.closes_at):
        raise UserError(
            _("不在评价时间内（%(a)s 至 %(b)s）。")
            % {
                "a": timezone.localtime(evaluation.opens_at).strftime("%Y-%m-%d"),
                "b": timezone.localtime(evaluation.closes_at).strftime("%Y-%m-%d"),
            }
        )
    if not 1 <= int(score) <= 5:
        raise UserError(_("评分应为 1 到 5 星。"))
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                round=evaluation,
                direction=direction,
                rater_ref=rater_ref,
                rated_ref=rated_ref,
                rated_code=rated_code,
                score=int(score),
                comment=(comment or "").strip()[:500],
                rater=by,
            )
    except IntegrityError:
        raise UserError(_("本期已评价过该对象，不能重复评价。")) from None
    audit(
        actor=by,
        action="assessment.rating.give",
        obj=evaluation,
        request=request,
        detail={"direction": direction, "rated": rated_ref},
    )
    return rating


# --- appraisals of people ---------------------------------------------------------------------


def _check_period(opens_at, closes_at) -> None:
    if closes_at <= opens_at:
        raise UserError(_("截止时间应晚于开始时间。"), field="closes_at")


def _period_text(appraisal: Appraisal) -> str:
    return _("评议时间为 %(a)s 至 %(b)s。") % {
        "a": timezone.localtime(appraisal.opens_at).strftime("%Y-%m-%d %H:%M"),
        "b": timezone.localtime(appraisal.closes_at).strftime("%Y-%m-%d %H:%M"),
    }


@transaction.atomic
def appraisal_open_report(
    *, secretary, community, year: int, opens_at, closes_at, by, request=None
) -> Appraisal:
    """A community secretary's 述职评议 of ``year``, opened by the street or the district above
    the community; the secretary then submits the report, the committee and the members of the
    community rate it."""
    if not perm.user_covers(by, perm.REPORT_ORGANISERS, community.code):
        raise Forbidden(_("只有街道或区委组织部可以组织述职评议。"))
    _check_period(opens_at, closes_at)
    if not secretary.role_assignments.filter(
        role=Role.COMMUNITY_SECRETARY, division=community, ended_at__isnull=True
    ).exists():
        raise UserError(_("所选人员不是该社区的党组织书记。"), field="secretary")
    org = (
        PartyOrg.objects.filter(scope_code=community.code, is_active=True)
        .exclude(kind=PartyOrg.Kind.GROUP)
        .order_by("pk")
        .first()
    )
    if org is None:
        raise UserError(_("该社区还没有登记党组织。"), field="secretary")
    if Appraisal.objects.filter(kind=Appraisal.Kind.REPORT, year=year, person=secretary).exists():
        raise UserError(_("该书记本年度的述职评议已经存在。"), field="secretary")
    appraisal = Appraisal.objects.create(
        kind=Appraisal.Kind.REPORT,
        year=year,
        person=secretary,
        member=Member.objects.filter(user=secretary).first(),
        name=(secretary.full_name or secretary.username)[:64],
        org=org,
        scope_code=community.code,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    audit(actor=by, action="assessment.appraisal.open", obj=appraisal, request=request)
    return appraisal


@transaction.atomic
def appraisal_open_branch(
    *, org: PartyOrg, year: int, opens_at, closes_at, by, request=None
) -> int:
    """A branch's 民主评议党员 of ``year``: one appraisal for every active member of the branch
    not appraised yet this year (a member without an account is appraised all the same; only
    those with one self-assess and vote on the phone). Returns how many were opened."""
    if not perm.user_covers(by, perm.BRANCH_ORGANISERS, org.scope_code):
        raise Forbidden(_("只有支部所在社区、街道或区委组织部可以组织民主评议。"))
    _check_period(opens_at, closes_at)
    done = Appraisal.objects.filter(kind=Appraisal.Kind.DEMOCRATIC, year=year).values("member_id")
    members = list(
        Member.objects.filter(org=org, is_active=True).exclude(pk__in=done).order_by("name", "pk")
    )
    if not members:
        raise UserError(_("该支部没有需要评议的党员（或本年度已全部开始评议）。"), field="org")
    rows = [
        Appraisal(
            kind=Appraisal.Kind.DEMOCRATIC,
            year=year,
            person_id=m.user_id,
            member=m,
            name=m.name[:64],
            org=org,
            scope_code=org.scope_code,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        for m in members
    ]
    Appraisal.objects.bulk_create(rows)
    audit(
        actor=by,
        action="assessment.appraisal.open",
        obj=org,
        request=request,
        scope_code=org.scope_code,
        detail={"kind": Appraisal.Kind.DEMOCRATIC, "year": year, "members": len(rows)},
    )
    return len(rows)


@transaction.atomic
def appraisal_report(*, appraisal: Appraisal, text: str, by, now=None, request=None) -> Appraisal:
    """The person submits (or rewrites) their report or self-assessment while it is open."""
    appraisal = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    if appraisal.person_id != by.pk:
        raise Forbidden(_("只有被评议人本人可以提交述职报告或自我评价。"))
    if not appraisal.is_open(now):
        raise UserError(_("不在评议时间内。") + _period_text(appraisal))
    text = (text or "").strip()
    if not text:
        raise UserError(_("请填写述职报告或自我评价。"), field="text")
    appraisal.report = text[:10000]
    appraisal.save(update_fields=["report", "updated_at"])
    audit(actor=by, action="assessment.appraisal.report", obj=appraisal, request=request)
    return appraisal


@transaction.atomic
def appraisal_vote(
    *, appraisal: Appraisal, grade: str, by, now=None, request=None
) -> AppraisalVote:
    """One vote per person (the constraint is the last word), in the period, a grade of the
    appraisal's list; one's own report never (one's own 民主评议 vote is the self-assessment)."""
    appraisal = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    if appraisal.person_id == by.pk and appraisal.kind == Appraisal.Kind.REPORT:
        raise UserError(_("不能评议自己的述职。"), status=403)
    if not perm.may_vote(by, appraisal):
        raise Forbidden(_("您不在本次评议的参评范围内。"))
    if grade not in dict(appraisal.grades):
        raise UserError(_("请选择评议等次。"), field="grade")
    if appraisal.status != Appraisal.Status.OPEN:
        raise UserError(_("评议已结束。"), status=409)
    if not appraisal.is_open(now):
        raise UserError(_("不在评议时间内。") + _period_text(appraisal))
    if appraisal.kind == Appraisal.Kind.REPORT and not appraisal.report.strip():
        raise UserError(_("述职报告尚未提交，暂不能评议。"))
    try:
        with transaction.atomic():
            vote = AppraisalVote.objects.create(appraisal=appraisal, rater=by, grade=grade)
    except IntegrityError:
        raise UserError(_("您已经评议过了。"), status=409) from None
    audit(actor=by, action="assessment.appraisal.vote", obj=appraisal, request=request)
    return vote


@transaction.atomic
def appraisal_close(*, appraisal: Appraisal, grade: str, by, now=None, request=None) -> Appraisal:
    """The street or district (a report) or the branch's community (a member) sets the grade and
    closes the appraisal: the result is then published to the person and the voters."""
    appraisal = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    if not perm.may_organise(by, appraisal):
        raise Forbidden(_("只有组织评议的党组织可以确定评议等次。"))
    if appraisal.status != Appraisal.Status.OPEN:
        raise UserError(_("评议已结束。"), status=409)
    if grade not in dict(appraisal.grades):
        raise UserError(_("请选择评议等次。"), field="grade")
    appraisal.grade = grade
    appraisal.status = Appraisal.Status.CLOSED
    appraisal.closed_by = by
    appraisal.closed_at = now or timezone.now()
    appraisal.save(update_fields=["grade", "status", "closed_by", "closed_at", "updated_at"])
    audit(
        actor=by,
        action="assessment.appraisal.close",
        obj=appraisal,
        request=request,
        detail={"grade": grade},
    )
    return appraisal


# --- checklists -------------------------------------------------------------------------------

STANDARDS = {
    "wuxi6": [
        ("org", "组织设置规范"),
        ("team", "班子建设规范"),
        ("life", "组织生活规范"),
        ("members", "党员管理规范"),
        ("venue", "阵地建设规范"),
        ("records", "基础工作规范"),
    ],
    "liuzhou8": [
        ("org", "组织设置"),
        ("team", "班子队伍"),
        ("life", "组织生活"),
        ("members", "党员管理"),
        ("venue", "阵地建设"),
        ("system", "制度机制"),
        ("service", "服务群众"),
        ("records", "工作台账"),
    ],
}


@transaction.atomic
def checklist_submit(
    *, checklist: Checklist, notes: dict[str, str], by, files=None, request=None
) -> Checklist:
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    if not perm.user_covers(by, perm.MANAGER_ROLES, checklist.scope_code):
        raise Forbidden(_("只有本支部所在社区可以填报。"))
    if checklist.status not in (Checklist.Status.DRAFT, Checklist.Status.RETURNED):
        raise UserError(_("清单已提交，等待验收。"))
    files = files or {}
    keys = [k for k, _label in STANDARDS.get(checklist.standard, [])]
    missing = [k for k in keys if not (notes.get(k) or "").strip()]
    if missing:
        raise UserError(_("每一项标准都要填写完成情况。"))
    for k in keys:
        entry, _created = ChecklistEntry.objects.get_or_create(checklist=checklist, key=k)
        entry.note = notes[k].strip()[:500]
        if files.get(k):
            entry.evidence = files[k]
        entry.save()
    checklist.status = Checklist.Status.SUBMITTED
    checklist.save(update_fields=["status", "updated_at"])
    audit(actor=by, action="assessment.checklist.submit", obj=checklist, request=request)
    return checklist


@transaction.atomic
def checklist_inspect(
    *, checklist: Checklist, accept: bool, note: str, by, request=None
) -> Checklist:
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    if not perm.can_inspect(by, checklist):
        raise Forbidden(_("只有街道或区委组织部可以验收。"))
    if checklist.status != Checklist.Status.SUBMITTED:
        raise UserError(_("清单尚未提交，不能验收。"))
    if not accept and not (note or "").strip():
        raise UserError(_("退回整改请写明意见。"))
    checklist.status = Checklist.Status.ACCEPTED if accept else Checklist.Status.RETURNED
    checklist.inspected_by = by
    checklist.inspected_at = timezone.now()
    checklist.inspection_note = (note or "").strip()[:500]
    checklist.save()
    audit(
        actor=by,
        action="assessment.checklist.inspect",
        obj=checklist,
        request=request,
        detail={"accept": accept},
    )
    return checklist
