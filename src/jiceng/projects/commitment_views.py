"""The staff's pages of commitments and year-end evaluations, under
/console/projects/commitments/: the commitments of the places they manage (a year's letters and
task lists, the quarters exchanged, the scores and the grade) and one commitment with its
exchanges, where the community's staff give the community's score and the street's staff the
street's."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.core.errors import Forbidden
from jiceng.core.forms import submit
from jiceng.core.scope import visible_or_404
from jiceng.projects import forms, selectors, services
from jiceng.projects.models import Commitment, Evaluation
from jiceng.projects.permissions import can_manage, may_score, staff_commitments

PAGE = "projects"
PER_PAGE = 50


def _year(request) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@page(PAGE)
def commitment_list(request):
    year = _year(request)
    kind = request.GET.get("kind", "")
    rows = selectors.commitment_rows(staff_commitments(request.user), year=year, kind=kind)
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    this_year = timezone.localdate().year
    return render(
        request,
        "projects/commitments.html",
        {
            "page_obj": page_obj,
            "rows": page_obj.object_list,
            "kinds": Commitment.Kind.choices,
            "filters": {"year": year, "kind": kind},
            "years": range(this_year + 1, this_year - 4, -1),
        },
    )


def _evaluation(commitment: Commitment) -> Evaluation | None:
    try:
        return commitment.evaluation
    except Evaluation.DoesNotExist:
        return None


@page(PAGE)
def commitment_detail(request, pk: int):
    commitment = visible_or_404(
        staff_commitments(request.user).select_related("person", "place", "evaluation"), pk=pk
    )
    evaluation = _evaluation(commitment)
    scores = may_score(request.user, commitment)
    manage = can_manage(request.user, commitment)
    exchange_form = forms.ExchangeForm()
    score_forms = {
        field: forms.ScoreForm(prefix=field)
        for field, allowed in scores.items()
        if allowed and (evaluation is None or getattr(evaluation, field) is None)
    }
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "exchange":
            if not manage:
                raise Forbidden(_("只能登记本人或本辖区的交流记录。"))
            exchange_form = forms.ExchangeForm(request.POST)
            if submit(
                exchange_form,
                lambda d: services.exchange_add(
                    by=request.user,
                    commitment=commitment,
                    quarter=d["quarter"],
                    held_on=d["held_on"],
                    summary=d["summary"],
                    request=request,
                ),
            ):
                messages.success(request, _("交流记录已保存。"))
                return redirect("projects:commitment", pk=pk)
        elif action in ("community_score", "street_score"):
            if not scores[action]:
                raise Forbidden(_("您不能给出这项评分。"))
            form = forms.ScoreForm(request.POST, prefix=action)
            score_forms[action] = form
            if submit(
                form,
                lambda d: services.evaluation_save(
                    by=request.user, commitment=commitment, request=request, **{action: d["score"]}
                ),
            ):
                messages.success(request, _("评分已记录。"))
                return redirect("projects:commitment", pk=pk)
    exchanges = {e.quarter: e for e in commitment.exchanges.all()}
    return render(
        request,
        "projects/commitment.html",
        {
            "commitment": commitment,
            "evaluation": evaluation,
            "quarters": [(q, exchanges.get(q)) for q in (1, 2, 3, 4)],
            "exchange_form": exchange_form
            if manage and not (evaluation and evaluation.grade)
            else None,
            "score_forms": score_forms,
        },
        status=400 if request.method == "POST" else 200,
    )
