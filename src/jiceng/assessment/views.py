"""Assessment pages under /console/assessment/ (one page key, ``assessment``): rounds and their
ranking, a subject's score with its breakdown, an item with what it was computed from and the
records behind it, appeals, schemes, the two-way evaluation's rating forms, checklists."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.assessment import permissions as perm
from jiceng.assessment import schemes, scoring, selectors, services, twoway
from jiceng.assessment.models import (
    Appeal,
    Checklist,
    ItemScore,
    Node,
    Result,
    Round,
)
from jiceng.core.errors import UserError
from jiceng.core.registry import indicator as find_indicator
from jiceng.core.scope import visible_or_404

KEY = "assessment"


def _round(request, pk) -> Round:
    return visible_or_404(perm.visible_rounds(request.user).select_related("scheme"), pk=pk)


@page(KEY)
def home(request):
    user = request.user
    rounds = perm.visible_rounds(user).select_related("scheme").order_by("-period_start", "-id")
    mine = (
        perm.visible_results(user)
        .filter(
            subject_ref__in=[*perm._subject_refs(user)]
            + [f"c:{a.scope_code}" for a in user.active_assignments if a.division_id]
        )
        .select_related("round")[:20]
    )
    return render(
        request,
        "assessment/home.html",
        {
            "rounds": rounds[:50],
            "schemes": perm.visible_schemes(user)[:50],
            "mine": mine,
            "evaluations": perm.visible_evaluations(user)[:10],
            "district": user.has_role(*perm.DISTRICT),
            "open_appeals": perm.visible_appeals(user).filter(status=Appeal.Status.OPEN).count()
            if user.has_role(*perm.DISTRICT)
            else 0,
        },
    )


@page(KEY)
def round_detail(request, pk: int):
    rnd = _round(request, pk)
    results = perm.visible_results(request.user).filter(round=rnd).order_by("rank", "subject_ref")
    listing = request.GET.get("list", "")
    if listing in ("red", "black"):
        results = results.filter(listing=listing)
    appeals = []
    if perm.can_configure(request.user, rnd):
        appeals = list(Appeal.objects.filter(result__round=rnd).select_related("result", "node"))
    return render(
        request,
        "assessment/round.html",
        {
            "round": rnd,
            "results": results[:500],
            "listing": listing,
            "manage": perm.can_configure(request.user, rnd),
            "appeals": appeals,
            "now": timezone.now(),
        },
    )


@page(KEY)
@require_POST
def round_action(request, pk: int, action: str):
    rnd = _round(request, pk)
    try:
        if action == "score":
            if not perm.can_configure(request.user, rnd):
                raise UserError(_("只有区委组织部可以进行此操作。"))
            n = scoring.score_round(rnd=rnd, by=request.user, request=request)
            messages.success(request, _("已计算 %(n)s 个对象的得分，进入申诉期。") % {"n": n})
        elif action == "publish":
            services.round_publish(rnd=rnd, by=request.user, request=request)
            messages.success(request, _("考核结果已公布。"))
        else:
            raise UserError(_("未知操作。"))
    except UserError as exc:
        messages.error(request, exc.message)
    return redirect("assessment:round", pk=rnd.pk)


def _result(request, pk) -> Result:
    return visible_or_404(perm.visible_results(request.user).select_related("round__scheme"), pk=pk)


@page(KEY)
def result_detail(request, pk: int):
    result = _result(request, pk)
    rnd = result.round
    nodes = list(Node.objects.filter(scheme_id=rnd.scheme_id).order_by("order", "id"))
    return render(
        request,
        "assessment/result.html",
        {
            "result": result,
            "round": rnd,
            "lines": selectors.breakdown(result, nodes),
            "changes": result.changes.select_related("node", "by"),
            "appeals": result.appeals.select_related("node"),
            "may_appeal": perm.may_appeal(request.user, result)
            and rnd.status == Round.Status.SCORED
            and rnd.appeal_deadline
            and timezone.now() <= rnd.appeal_deadline,
            "manage": perm.can_configure(request.user, rnd),
            "items": [n for n in nodes if n.level == Node.Level.ITEM],
        },
    )


@page(KEY)
def item_detail(request, pk: int, node: int):
    result = _result(request, pk)
    item = visible_or_404(
        ItemScore.objects.filter(result=result).select_related("node"), node_id=node
    )
    ind = find_indicator(item.node.indicator) if item.node.indicator else None
    return render(
        request,
        "assessment/item.html",
        {
            "result": result,
            "item": item,
            "indicator": ind,
            "records_url": selectors.records_url(request.user, item),
            "period_end": selectors.period_end(item),
            "manage": perm.can_configure(request.user, result.round),
        },
    )


@page(KEY)
@require_POST
def result_appeal(request, pk: int):
    result = _result(request, pk)
    node = None
    if request.POST.get("node"):
        node = visible_or_404(
            Node.objects.filter(scheme_id=result.round.scheme_id), pk=request.POST["node"]
        )
    try:
        services.appeal_file(
            result=result,
            reason=request.POST.get("reason", ""),
            node=node,
            by=request.user,
            request=request,
        )
        messages.success(request, _("申诉已提交，等待区委组织部复核。"))
    except UserError as exc:
        messages.error(request, exc.message)
    return redirect("assessment:result", pk=result.pk)


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < 10000 else None


@page(KEY)
@require_POST
def result_change(request, pk: int):
    result = _result(request, pk)
    try:
        if not perm.can_configure(request.user, result.round):
            raise UserError(_("只有区委组织部可以进行此操作。"))
        node = visible_or_404(
            Node.objects.filter(scheme_id=result.round.scheme_id), pk=request.POST.get("node")
        )
        value = _decimal(request.POST.get("points", ""))
        if value is None:
            raise UserError(_("请输入有效的分数。"))
        scoring.change_score(
            result=result,
            node=node,
            new_points=value,
            reason=request.POST.get("reason", ""),
            by=request.user,
            request=request,
        )
        messages.success(request, _("得分已更改，原得分保留在更改记录中。"))
    except UserError as exc:
        messages.error(request, exc.message)
    return redirect("assessment:result", pk=result.pk)


@page(KEY)
@require_POST
def appeal_answer(request, pk: int):
    appeal = visible_or_404(perm.visible_appeals(request.user), pk=pk)
    try:
        services.appeal_answer(
            appeal=appeal,
            upheld=request.POST.get("upheld") == "1",
            answer=request.POST.get("answer", ""),
            new_points=_decimal(request.POST.get("points", "")),
            by=request.user,
            request=request,
        )
        messages.success(request, _("复核意见已保存。"))
    except UserError as exc:
        messages.error(request, exc.message)
    return redirect("assessment:round", pk=appeal.result.round_id)


@page(KEY)
def scheme_detail(request, pk: int):
    scheme = visible_or_404(perm.visible_schemes(request.user), pk=pk)
    nodes = list(scheme.nodes.order_by("order", "id"))
    children: dict = {}
    for n in nodes:
        children.setdefault(n.parent_id, []).append(n)
    rows = []

    def walk(parent, depth):
        for n in children.get(parent, []):
            rows.append((depth, n))
            walk(n.pk, depth + 1)

    walk(None, 0)
    return render(
        request,
        "assessment/scheme.html",
        {"scheme": scheme, "rows": rows, "problems": schemes.problems(scheme)},
    )


def _rate(request, evaluation) -> None:
    """One rating posted from a form: the pair must be one of the user's own (their community,
    unit or themselves as a member)."""
    refs = set(twoway.rater_refs(request.user))
    wanted = (request.POST.get("direction"), request.POST.get("rater"), request.POST.get("rated"))
    pair = next(
        (
            p
            for p, _done in twoway.forms_for(request.user, evaluation)
            if (p.direction, p.rater_ref, p.rated_ref) == wanted and p.rater_ref in refs
        ),
        None,
    )
    raw = request.POST.get("score") or ""
    try:
        if pair is None:
            raise UserError(_("没有找到，或不在您可以查看的范围内。"))
        services.rating_give(
            evaluation=evaluation,
            direction=pair.direction,
            rater_ref=pair.rater_ref,
            rated_ref=pair.rated_ref,
            rated_code=pair.rated_code,
            score=int(raw) if raw.isdigit() and len(raw) < 3 else 0,
            comment=request.POST.get("comment", ""),
            by=request.user,
            request=request,
        )
        messages.success(request, _("评价已提交。"))
    except UserError as exc:
        messages.error(request, exc.message)


@page()
def m_home(request):
    """The member's phone page: the open rounds' rating forms (their branch)."""
    now = timezone.now()
    rounds = list(
        perm.visible_evaluations(request.user).filter(opens_at__lte=now, closes_at__gte=now)[:5]
    )
    if request.method == "POST":
        evaluation = visible_or_404(
            perm.visible_evaluations(request.user), pk=request.POST.get("round")
        )
        _rate(request, evaluation)
        return redirect("assessment_m:home")
    return render(
        request,
        "assessment/m_home.html",
        {
            "rounds": [(e, twoway.forms_for(request.user, e)) for e in rounds],
            "scores": range(5, 0, -1),
        },
    )


@page(KEY)
def evaluation_detail(request, pk: int):
    evaluation = visible_or_404(perm.visible_evaluations(request.user), pk=pk)
    if request.method == "POST":
        _rate(request, evaluation)
        return redirect("assessment:evaluation", pk=evaluation.pk)
    district = perm.can_configure(request.user, evaluation)
    refs = twoway.rater_refs(request.user)
    return render(
        request,
        "assessment/evaluation.html",
        {
            "evaluation": evaluation,
            "forms": twoway.forms_for(request.user, evaluation),
            "rates": twoway.response_rates(evaluation),
            "received": twoway.received(evaluation, refs) if refs else [],
            "district": district,
            "open": evaluation.opens_at <= timezone.now() <= evaluation.closes_at,
            "scores": range(5, 0, -1),
        },
    )


@page(KEY)
def checklists(request):
    rows = perm.visible_checklists(request.user).select_related("org")
    if request.GET.get("status") in Checklist.Status.values:
        rows = rows.filter(status=request.GET["status"])
    return render(
        request,
        "assessment/checklists.html",
        {
            "rows": rows[:200],
            "statuses": Checklist.Status.choices,
            "status": request.GET.get("status", ""),
            "labels": services.STANDARDS,
        },
    )


@page(KEY)
@require_POST
def checklist_inspect(request, pk: int):
    checklist = visible_or_404(perm.visible_checklists(request.user), pk=pk)
    try:
        services.checklist_inspect(
            checklist=checklist,
            accept=request.POST.get("accept") == "1",
            note=request.POST.get("note", ""),
            by=request.user,
            request=request,
        )
        messages.success(request, _("验收结果已保存。"))
    except UserError as exc:
        messages.error(request, exc.message)
    return redirect("assessment:checklists")
