"""The community staff's pages of polls, paper batches, surveys, selections and compacts, under
/console/deliberation/polls/ (one page key, ``deliberation_polls``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.decorators import page
from jiceng.core.forms import submit
from jiceng.core.scope import visible_or_404
from jiceng.deliberation import ballots, compacts, polls, selections, surveys
from jiceng.deliberation import poll_forms as f
from jiceng.deliberation.models import (
    Compact,
    CompactVersion,
    PaperBatch,
    Poll,
    Selection,
    Survey,
    VoteRecord,
)

KEY = "deliberation_polls"


def _poll(request, pk: int) -> Poll:
    return visible_or_404(polls.visible_polls(request.user), pk=pk)


# --- polls --------------------------------------------------------------------------------------


@page(KEY)
def home(request):
    status = request.GET.get("status", "")
    rows = polls.visible_polls(request.user).select_related("division")
    if status in Poll.Status.values:
        rows = rows.filter(status=status)
    page_obj = Paginator(rows.order_by("-closes_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "deliberation/poll_list.html",
        {"page_obj": page_obj, "status": status, "statuses": Poll.Status.choices},
    )


@page(KEY)
def poll_new(request):
    form = f.PollForm(request.POST or None, user=request.user)
    if request.method == "POST":
        poll = submit(
            form,
            lambda d: polls.poll_create(
                by=request.user,
                division=d["division"],
                title=d["title"],
                description=d["description"],
                kind=d["kind"],
                electorate=d["electorate"],
                purpose=d["purpose"],
                options=form.option_list(),
                compound=d["compound"],
                building=d["building"],
                closes_at=d["closes_at"],
                max_choices=d["max_choices"],
                score_max=d["score_max"],
                seats=d["seats"],
                quorum_share=d["quorum_share"],
                pass_share=d["pass_share"],
                at_least=d["at_least"],
                area_share=d["area_share"],
                request=request,
            ),
        )
        if poll is not None:
            messages.success(request, _("票决已创建，确认无误后开始投票。"))
            return redirect("deliberation_polls:detail", poll.pk)
    return render(
        request, "deliberation/poll_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _detail(request, poll: Poll, batch_form=None, status: int = 200):
    batches = list(poll.batches.select_related("first_by", "second_by").order_by("number"))
    context = {
        "poll": poll,
        "options": list(poll.options.all()),
        "can_manage": polls.can_manage(request.user, poll),
        "batches": batches,
        "batch_form": batch_form or f.BatchForm(),
        "voted": VoteRecord.objects.filter(poll=poll).count(),
    }
    if poll.status == Poll.Status.OPEN:
        context["turnout"] = polls.turnout_by_grid(poll)
    if polls.results_visible(poll):
        context["result"] = polls.tally(poll)
    return render(request, "deliberation/poll_detail.html", context, status=status)


@page(KEY)
def poll_detail(request, pk: int):
    return _detail(request, _poll(request, pk))


@page(KEY)
@require_POST
def poll_action(request, pk: int, action: str):
    poll = _poll(request, pk)
    polls.require_manage(request.user, poll)
    service = {"open": polls.poll_open, "close": polls.poll_close}.get(action)
    if service is None:
        return redirect("deliberation_polls:detail", poll.pk)
    form = f.forms.Form(request.POST)
    if submit(form, lambda d: service(poll=poll, by=request.user, request=request)) is None:
        messages.error(request, " ".join(form.non_field_errors()))
        return _detail(request, poll, status=409)
    messages.success(
        request, _("已开始投票。") if action == "open" else _("投票已结束，结果已公布。")
    )
    return redirect("deliberation_polls:detail", poll.pk)


@page(KEY)
def voted_register(request, pk: int):
    """Who voted (household, channel, when), never what: the register can be checked."""
    poll = _poll(request, pk)
    rows = (
        VoteRecord.objects.filter(poll=poll)
        .select_related("household__dwelling__building", "person", "batch")
        .order_by("scope_code", "id")
    )
    page_obj = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "deliberation/poll_register.html", {"poll": poll, "page_obj": page_obj})


@page(KEY)
@require_POST
def batch_new(request, pk: int):
    poll = _poll(request, pk)
    form = f.BatchForm(request.POST)
    batch = submit(
        form,
        lambda d: ballots.batch_create(
            poll=poll,
            by=request.user,
            sheets=d["sheets"],
            signed_by=d["signed_by"],
            lines=d["lines"],
            request=request,
        ),
    )
    if batch is None:
        return _detail(request, poll, batch_form=form, status=400)
    messages.success(request, _("第一次录入已保存，请由另一位工作人员进行第二次录入。"))
    return redirect("deliberation_polls:batch", batch.pk)


def _batch(request, pk: int) -> PaperBatch:
    return visible_or_404(
        PaperBatch.objects.filter(poll__in=polls.visible_polls(request.user)).select_related(
            "poll", "first_by", "second_by", "counted_by"
        ),
        pk=pk,
    )


def _batch_page(request, batch: PaperBatch, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    entries = list(
        batch.entries.filter(superseded=False)
        .select_related("household__dwelling__building", "person")
        .order_by("line", "round")
    )
    labels = ballots.option_labels(batch.poll)
    return render(
        request,
        "deliberation/poll_batch.html",
        {
            "batch": batch,
            "poll": batch.poll,
            "entries": entries,
            "labels": labels,
            "differences": ballots.differences(batch),
            "second_form": forms.get("second") or f.SecondEntryForm(),
            "correct_form": forms.get("correct") or f.CorrectForm(),
            "count_form": forms.get("count"),
            "same_person": batch.first_by_id == request.user.pk,
        },
        status=status,
    )


@page(KEY)
def batch_detail(request, pk: int):
    return _batch_page(request, _batch(request, pk))


@page(KEY)
@require_POST
def batch_action(request, pk: int, action: str):
    batch = _batch(request, pk)
    forms_by_action = {
        "second": (
            f.SecondEntryForm,
            lambda d: ballots.batch_second(
                batch=batch, by=request.user, lines=d["lines"], request=request
            ),
        ),
        "correct": (
            f.CorrectForm,
            lambda d: ballots.batch_correct(
                batch=batch,
                by=request.user,
                round=d["round"],
                line=d["line"],
                text=d["text"],
                request=request,
            ),
        ),
        "count": (
            f.forms.Form,
            lambda d: ballots.batch_count(batch=batch, by=request.user, request=request),
        ),
    }
    if action not in forms_by_action:
        return redirect("deliberation_polls:batch", batch.pk)
    form_class, action_fn = forms_by_action[action]
    form = form_class(request.POST)
    done = submit(form, action_fn)
    if done is None:
        return _batch_page(request, batch, {action: form}, status=400)
    words = {
        "second": _("第二次录入已保存。"),
        "correct": _("已更正。"),
        "count": _("该批次已计入。"),
    }
    messages.success(request, words[action])
    return redirect("deliberation_polls:batch", batch.pk)


# --- surveys ------------------------------------------------------------------------------------


@page(KEY)
def survey_list(request):
    rows = surveys.visible_surveys(request.user).select_related("division").order_by("-closes_at")
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "deliberation/survey_list.html", {"page_obj": page_obj})


@page(KEY)
def survey_new(request):
    form = f.SurveyForm(request.POST or None, user=request.user)
    if request.method == "POST":
        survey = submit(
            form,
            lambda d: surveys.survey_create(
                by=request.user,
                division=d["division"],
                title=d["title"],
                kind=d["kind"],
                anonymous=d["anonymous"],
                closes_at=d["closes_at"],
                questions=d["questions"],
                request=request,
            ),
        )
        if survey is not None:
            messages.success(request, _("问卷已创建。"))
            return redirect("deliberation_polls:survey", survey.pk)
    return render(
        request, "deliberation/survey_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _survey(request, pk: int) -> Survey:
    return visible_or_404(surveys.visible_surveys(request.user), pk=pk)


def _survey_page(request, survey: Survey, status: int = 200):
    return render(
        request,
        "deliberation/survey_detail.html",
        {
            "survey": survey,
            "results": surveys.results(survey),
            "rates": surveys.response_rates(survey),
        },
        status=status,
    )


@page(KEY)
def survey_detail(request, pk: int):
    return _survey_page(request, _survey(request, pk))


@page(KEY)
@require_POST
def survey_action(request, pk: int, action: str):
    survey = _survey(request, pk)
    service = {"open": surveys.survey_open, "close": surveys.survey_close}.get(action)
    if service is None:
        return redirect("deliberation_polls:survey", survey.pk)
    form = f.forms.Form(request.POST)
    if submit(form, lambda d: service(survey=survey, by=request.user, request=request)) is None:
        messages.error(request, " ".join(form.non_field_errors()))
        return _survey_page(request, survey, status=409)
    messages.success(request, _("已发布。") if action == "open" else _("问卷已结束。"))
    return redirect("deliberation_polls:survey", survey.pk)


# --- selections ---------------------------------------------------------------------------------


@page(KEY)
def selection_list(request):
    rows = selections.visible_selections(request.user).select_related("division")
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "deliberation/selection_list.html", {"page_obj": page_obj})


@page(KEY)
def selection_new(request):
    form = f.SelectionForm(request.POST or None, user=request.user)
    if request.method == "POST":
        selection = submit(
            form,
            lambda d: selections.selection_create(
                by=request.user,
                division=d["division"],
                title=d["title"],
                kind=d["kind"],
                seats=d["seats"],
                public_weight=d["public_weight"],
                request=request,
            ),
        )
        if selection is not None:
            messages.success(request, _("评选已创建，请录入提名。"))
            return redirect("deliberation_polls:selection", selection.pk)
    return render(
        request,
        "deliberation/selection_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _selection(request, pk: int) -> Selection:
    return visible_or_404(selections.visible_selections(request.user).select_related("poll"), pk=pk)


def _selection_page(request, selection: Selection, forms: dict | None = None, status=200):
    forms = forms or {}
    nominations = list(selection.nominations.prefetch_related("scores"))
    for n in nominations:
        n.my_score = next((s.score for s in n.scores.all() if s.judge_id == request.user.pk), None)
    return render(
        request,
        "deliberation/selection_detail.html",
        {
            "selection": selection,
            "nominations": nominations,
            "nominate_form": forms.get("nominate") or f.NominationForm(),
            "vote_form": forms.get("vote") or f.ClosesForm(),
            "score_form": forms.get("score"),
            "publish_form": forms.get("publish"),
        },
        status=status,
    )


@page(KEY)
def selection_detail(request, pk: int):
    return _selection_page(request, _selection(request, pk))


@page(KEY)
@require_POST
def selection_action(request, pk: int, action: str):
    selection = _selection(request, pk)
    nominations = selection.nominations.all()
    table = {
        "nominate": (
            lambda data: f.NominationForm(data),
            lambda d: selections.nominate(
                selection=selection,
                by=request.user,
                name=d["name"],
                reason=d["reason"],
                request=request,
            ),
            _("已提名。"),
        ),
        "vote": (
            lambda data: f.ClosesForm(data),
            lambda d: selections.start_vote(
                selection=selection, by=request.user, closes_at=d["closes_at"], request=request
            ),
            _("群众投票已开始。"),
        ),
        "score": (
            lambda data: _score_form(data, nominations),
            lambda d: selections.score(
                nomination=d["nomination"], judge=request.user, value=d["score"], request=request
            ),
            _("评分已保存。"),
        ),
        "publish": (
            lambda data: f.forms.Form(data),
            lambda d: selections.publish(selection=selection, by=request.user, request=request),
            _("评选结果已公布。"),
        ),
    }
    if action not in table:
        return redirect("deliberation_polls:selection", selection.pk)
    make, service, words = table[action]
    form = make(request.POST)
    if submit(form, service) is None:
        return _selection_page(request, selection, {action: form}, status=400)
    messages.success(request, words)
    return redirect("deliberation_polls:selection", selection.pk)


def _score_form(data, nominations):
    form = f.ScoreForm(data)
    form.fields["nomination"].queryset = nominations
    return form


# --- compacts -----------------------------------------------------------------------------------


@page(KEY)
def compact_list(request):
    rows = compacts.visible_compacts(request.user).select_related("division")
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "deliberation/compact_list.html", {"page_obj": page_obj})


@page(KEY)
def compact_new(request):
    form = f.CompactForm(request.POST or None, user=request.user)
    if request.method == "POST":
        compact = submit(
            form,
            lambda d: compacts.compact_create(
                by=request.user,
                division=d["division"],
                title=d["title"],
                kind=d["kind"],
                text=d["text"],
                request=request,
            ),
        )
        if compact is not None:
            messages.success(request, _("公约草案已保存，可提交居民表决。"))
            return redirect("deliberation_polls:compact", compact.pk)
    return render(
        request,
        "deliberation/compact_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _compact(request, pk: int) -> Compact:
    return visible_or_404(compacts.visible_compacts(request.user), pk=pk)


def _compact_page(request, compact: Compact, forms: dict | None = None, status=200):
    forms = forms or {}
    return render(
        request,
        "deliberation/compact_detail.html",
        {
            "compact": compact,
            "versions": list(compact.versions.select_related("poll")),
            "draft_form": forms.get("draft") or f.DraftForm(),
            "vote_form": forms.get("vote") or f.ToVoteForm(),
        },
        status=status,
    )


@page(KEY)
def compact_detail(request, pk: int):
    return _compact_page(request, _compact(request, pk))


@page(KEY)
@require_POST
def compact_action(request, pk: int, action: str):
    compact = _compact(request, pk)
    if action == "draft":
        form = f.DraftForm(request.POST)
        done = submit(
            form,
            lambda d: compacts.version_draft(
                compact=compact, by=request.user, text=d["text"], request=request
            ),
        )
    elif action == "vote":
        form = f.ToVoteForm(request.POST)
        draft = compact.versions.filter(status=CompactVersion.Status.DRAFT).first()
        done = submit(
            form,
            lambda d: compacts.version_to_vote(
                version=draft or CompactVersion(compact=compact, status="none"),
                by=request.user,
                closes_at=d["closes_at"],
                electorate=d["electorate"],
                request=request,
            ),
        )
    else:
        return redirect("deliberation_polls:compact", compact.pk)
    if done is None:
        return _compact_page(request, compact, {action: form}, status=400)
    messages.success(request, _("草案已保存。") if action == "draft" else _("已提交居民表决。"))
    return redirect("deliberation_polls:compact", compact.pk)
