"""Assessment pages under /console/assessment/ (one page key, ``assessment``): rounds and their
ranking, a subject's score with its breakdown, an item with what it was computed from and the
records behind it, appeals, schemes, the two-way evaluation's rating forms, checklists."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.roles import Role
from jiceng.assessment import forms, schemes, scoring, selectors, services, twoway
from jiceng.assessment import permissions as perm
from jiceng.assessment.models import (
    Appeal,
    Appraisal,
    AppraisalVote,
    Checklist,
    ItemScore,
    Node,
    Result,
    Round,
    ScoreChange,
)
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.forms import submit
from jiceng.core.registry import indicator as find_indicator
from jiceng.core.scope import visible_or_404
from jiceng.deliberation.polls import visible_polls
from jiceng.deliberation.surveys import visible_surveys
from jiceng.party.models import PartyOrg

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


# a node id no database will reach, replaced by "{}" to make the item pages' address pattern
_NODE_MARK = 987654321987


@page(KEY)
def result_detail(request, pk: int):
    """A subject's score with its full breakdown: five queries of its own (the result with
    whether it has changes or appeals, the scheme's nodes, the item scores, and the changes and
    appeals only where there are some); each item's address built from one ``reverse``."""
    result = visible_or_404(
        perm.visible_results(request.user)
        .select_related("round__scheme")
        .annotate(
            has_changes=Exists(ScoreChange.objects.filter(result=OuterRef("pk"))),
            has_appeals=Exists(Appeal.objects.filter(result=OuterRef("pk"))),
        ),
        pk=pk,
    )
    rnd = result.round
    nodes = list(Node.objects.filter(scheme_id=rnd.scheme_id).order_by("order", "id"))
    item_url = reverse("assessment:item", args=[result.pk, _NODE_MARK]).replace(
        str(_NODE_MARK), "{}"
    )
    lines = selectors.breakdown(result, nodes, item_url=item_url)
    items = [line for d in lines for c in d.children for line in c.children]
    return render(
        request,
        "assessment/result.html",
        {
            "result": result,
            "round": rnd,
            "lines": lines,
            "changes": list(result.changes.select_related("node", "by"))
            if result.has_changes
            else [],
            "appeals": list(result.appeals.select_related("node")) if result.has_appeals else [],
            "may_appeal": perm.may_appeal(request.user, result)
            and rnd.status == Round.Status.SCORED
            and rnd.appeal_deadline
            and timezone.now() <= rnd.appeal_deadline,
            "manage": perm.can_configure(request.user, rnd),
            "items": items,
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
            "records_url": selectors.records_url(request.user, item, result),
            "by_unit": selectors.counted_by_unit(result) is not None,
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


def _scheme_rows(scheme) -> list[tuple[int, Node]]:
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
    return rows


ITEM_FIELDS = ("source", "indicator", "conversion", "low", "high", "bands", "survey", "poll")


def _item_values(d: dict) -> dict:
    return {k: d.get(k) for k in ITEM_FIELDS}


def _sources(user) -> dict:
    """The surveys and polls an item may read: those the district's staff see."""
    return {
        "surveys": visible_surveys(user).order_by("-id"),
        "polls": visible_polls(user).order_by("-id"),
    }


@page(KEY)
def scheme_detail(request, pk: int):
    """A scheme's tree; a draft's also its forms (add a node, publish), any scheme's the copy to
    another year. Every write checks the district's role in the service."""
    scheme = visible_or_404(perm.visible_schemes(request.user), pk=pk)
    editable = scheme.editable and perm.can_configure(request.user, scheme)
    parents = scheme.nodes.exclude(level=Node.Level.ITEM).order_by("order", "id")
    add_form = forms.NodeAddForm(parents=parents, **_sources(request.user))
    copy_form = forms.CopyForm(initial={"year": scheme.year + 1})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            add_form = forms.NodeAddForm(request.POST, parents=parents, **_sources(request.user))
            node = submit(
                add_form,
                lambda d: schemes.node_add(
                    scheme=scheme,
                    parent=d["parent"],
                    name=d["name"],
                    weight=d["weight"],
                    by=request.user,
                    request=request,
                    **_item_values(d),
                ),
            )
            if node:
                messages.success(request, _("已添加。"))
                return redirect("assessment:scheme", pk=scheme.pk)
        elif action == "copy":
            copy_form = forms.CopyForm(request.POST)
            new = submit(
                copy_form,
                lambda d: schemes.scheme_copy(
                    scheme=scheme, year=d["year"], by=request.user, request=request
                ),
            )
            if new:
                messages.success(request, _("已复制为 %(year)s 年度的草稿。") % {"year": new.year})
                return redirect("assessment:scheme", pk=new.pk)
        elif action == "publish":
            try:
                schemes.scheme_publish(scheme=scheme, by=request.user, request=request)
                messages.success(request, _("方案已发布。"))
            except Forbidden:
                raise
            except UserError as exc:
                messages.error(request, exc.message)
            return redirect("assessment:scheme", pk=scheme.pk)
        else:
            raise UserError(_("未知操作。"))
    return render(
        request,
        "assessment/scheme.html",
        {
            "scheme": scheme,
            "rows": _scheme_rows(scheme),
            "problems": schemes.problems(scheme),
            "editable": editable,
            "district": perm.can_configure(request.user, scheme),
            "add_form": add_form,
            "copy_form": copy_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@page(KEY)
def node_detail(request, pk: int, node: int):
    """One node of a draft: its name, weight and (an item) source and conversion; remove it."""
    scheme = visible_or_404(perm.visible_schemes(request.user), pk=pk)
    node = visible_or_404(scheme.nodes.all(), pk=node)
    form = forms.NodeForm(initial=forms.NodeForm.initial_for(node), **_sources(request.user))
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            schemes.node_remove(node=node, by=request.user, request=request)
            messages.success(request, _("已删除。"))
            return redirect("assessment:scheme", pk=scheme.pk)
        form = forms.NodeForm(request.POST, **_sources(request.user))
        if submit(
            form,
            lambda d: schemes.node_edit(
                node=node,
                name=d["name"],
                weight=d["weight"],
                by=request.user,
                request=request,
                **_item_values(d),
            ),
        ):
            messages.success(request, _("已保存。"))
            return redirect("assessment:scheme", pk=scheme.pk)
    return render(
        request,
        "assessment/node.html",
        {
            "scheme": scheme,
            "node": node,
            "form": form,
            "editable": scheme.editable and perm.can_configure(request.user, scheme),
        },
        status=400 if request.method == "POST" else 200,
    )


def _rate(request, evaluation) -> None:
    """One rating posted from a form: the pair must be one of the user's own (their community,
    unit or themselves as a member)."""
    pair = twoway.own_pair(
        request.user,
        evaluation,
        request.POST.get("direction"),
        request.POST.get("rater"),
        request.POST.get("rated"),
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
    """The member's phone page: the open rounds' rating forms (their branch), the appraisals
    to grade, their own appraisal and the published results of those they graded."""
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
    votable = perm.votable_appraisals(request.user).select_related("org")
    return render(
        request,
        "assessment/m_home.html",
        {
            "rounds": [(e, twoway.forms_for(request.user, e)) for e in rounds],
            "scores": range(5, 0, -1),
            "to_vote": selectors.appraisals_to_grade(request.user, now)
            .select_related("org")
            .order_by("closes_at", "pk")[:200],  # a branch (at most 50) and the reports
            "report_due": list(selectors.reports_due(request.user, now).order_by("closes_at")),
            "own": Appraisal.objects.filter(person=request.user).order_by("-year", "pk")[:5],
            "published": votable.filter(status=Appraisal.Status.CLOSED).order_by(
                "-closed_at", "-pk"
            )[:10],
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


# --- appraisals of people: the organisers' console pages ----------------------------------------


def _appraisals(user):
    return perm.visible_appraisals(user).select_related("org", "member__org", "person")


def _int(text, low: int, high: int) -> int | None:
    text = (text or "").strip()
    if text.isdigit() and len(text) < 10 and low <= int(text) <= high:
        return int(text)
    return None


@page(KEY)
def appraisals(request):
    """述职评议 and 民主评议党员 of the places the user sees: the list with each tally (and, for
    a member, the year's points and meetings); the street or district opens a secretary's 述职评议,
    the community a branch's 民主评议."""
    user = request.user
    today = timezone.localdate()
    rows = _appraisals(user).order_by("-year", "kind", "org__scope_code", "name", "pk")
    kind = request.GET.get("kind", "")
    if kind in Appraisal.Kind.values:
        rows = rows.filter(kind=kind)
    year = _int(request.GET.get("year"), 1900, 2100)
    if year:
        rows = rows.filter(year=year)
    org = _int(request.GET.get("org"), 1, 2**62)
    if org:
        rows = rows.filter(org_id=org)
    secretaries = (
        RoleAssignment.objects.active()
        .filter(role=Role.COMMUNITY_SECRETARY, division__isnull=False)
        .within(*user.scopes_for(*perm.REPORT_ORGANISERS))
        .select_related("user", "division")
        .order_by("scope_code", "pk")
    )
    orgs = (
        PartyOrg.objects.within(*user.scopes_for(*perm.BRANCH_ORGANISERS))
        .filter(is_active=True, kind=PartyOrg.Kind.BRANCH)
        .order_by("scope_code", "name")
    )
    period = {
        "year": today.year - 1 if today.month < 7 else today.year,
        "opens_at": timezone.localtime().replace(minute=0, second=0, microsecond=0),
        "closes_at": timezone.localtime().replace(minute=0, second=0, microsecond=0)
        + timedelta(days=14),
    }
    report_form = forms.ReportOpenForm(initial=period, secretaries=secretaries)
    branch_form = forms.BranchOpenForm(initial=period, orgs=orgs)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "report":
            report_form = forms.ReportOpenForm(request.POST, secretaries=secretaries)
            made = submit(
                report_form,
                lambda d: services.appraisal_open_report(
                    secretary=d["secretary"].user,
                    community=d["secretary"].division,
                    year=d["year"],
                    opens_at=d["opens_at"],
                    closes_at=d["closes_at"],
                    by=user,
                    request=request,
                ),
            )
            if made:
                messages.success(request, _("述职评议已开始。"))
                return redirect("assessment:appraisal", pk=made.pk)
        elif action == "branch":
            branch_form = forms.BranchOpenForm(request.POST, orgs=orgs)
            n = submit(
                branch_form,
                lambda d: services.appraisal_open_branch(
                    org=d["org"],
                    year=d["year"],
                    opens_at=d["opens_at"],
                    closes_at=d["closes_at"],
                    by=user,
                    request=request,
                ),
            )
            if n:
                messages.success(request, _("民主评议已开始：%(n)s 名党员。") % {"n": n})
                return redirect(
                    reverse("assessment:appraisals")
                    + f"?kind=democratic&org={branch_form.cleaned_data['org'].pk}"
                )
        else:
            raise UserError(_("未知操作。"))
    return render(
        request,
        "assessment/appraisals.html",
        {
            "rows": selectors.appraisal_rows(list(rows[:300])),
            "kinds": Appraisal.Kind.choices,
            "filters": {"kind": kind, "year": year or "", "org": org or ""},
            "report_form": report_form if user.has_role(*perm.REPORT_ORGANISERS) else None,
            "branch_form": branch_form if user.has_role(*perm.BRANCH_ORGANISERS) else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@page(KEY)
def appraisal_detail(request, pk: int):
    """One appraisal: the report, the tally, the member's points and meetings beside the grade;
    the organisers close it with the grade (the result is then published)."""
    appraisal = visible_or_404(_appraisals(request.user), pk=pk)
    organise = perm.may_organise(request.user, appraisal)
    form = forms.GradeForm(grades=appraisal.grades)
    if request.method == "POST":
        form = forms.GradeForm(request.POST, grades=appraisal.grades)
        if submit(
            form,
            lambda d: services.appraisal_close(
                appraisal=appraisal, grade=d["grade"], by=request.user, request=request
            ),
        ):
            messages.success(request, _("评议等次已确定，结果已向本人和参评人员公布。"))
            return redirect("assessment:appraisal", pk=appraisal.pk)
    return render(
        request,
        "assessment/appraisal.html",
        {
            "a": appraisal,
            "row": selectors.appraisal_rows([appraisal])[0],
            "sees_result": perm.sees_result(request.user, appraisal),
            "organise": organise and appraisal.status == Appraisal.Status.OPEN,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- appraisals of people: the voters' and the person's phone pages -----------------------------


@page()
def m_appraisal(request, pk: int):
    """A voter grades the appraisal (the person: their report or self-assessment); once it is
    closed, everyone entitled sees the result."""
    user = request.user
    appraisal = visible_or_404(_appraisals(user), pk=pk)
    own = appraisal.person_id == user.pk
    may_vote = perm.may_vote(user, appraisal)
    voted = AppraisalVote.objects.filter(appraisal=appraisal, rater=user).first()
    vote_form = forms.GradeForm(grades=appraisal.grades)
    report_form = forms.ReportForm(initial={"text": appraisal.report})
    if request.method == "POST":
        if request.POST.get("action") == "report":
            report_form = forms.ReportForm(request.POST)
            if submit(
                report_form,
                lambda d: services.appraisal_report(
                    appraisal=appraisal, text=d["text"], by=user, request=request
                ),
            ):
                messages.success(request, _("已提交。"))
                return redirect("assessment_m:appraisal", pk=appraisal.pk)
        else:
            vote_form = forms.GradeForm(request.POST, grades=appraisal.grades)
            if submit(
                vote_form,
                lambda d: services.appraisal_vote(
                    appraisal=appraisal, grade=d["grade"], by=user, request=request
                ),
            ):
                messages.success(request, _("评议已提交，谢谢。"))
                return redirect("assessment_m:appraisal", pk=appraisal.pk)
    return render(
        request,
        "assessment/m_appraisal.html",
        {
            "a": appraisal,
            "own": own,
            "open": appraisal.is_open(),
            "may_vote": may_vote and voted is None and appraisal.is_open(),
            "voted": voted,
            "voted_label": dict(appraisal.grades).get(voted.grade, "") if voted else "",
            "vote_form": vote_form,
            "report_form": report_form,
            "row": selectors.appraisal_rows([appraisal])[0]
            if appraisal.status == Appraisal.Status.CLOSED
            else None,
        },
        status=400 if request.method == "POST" else 200,
    )
