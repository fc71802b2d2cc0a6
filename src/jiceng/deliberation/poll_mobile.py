"""The resident's phone pages under /m/deliberation/polls/: my polls, the ballot, my receipt,
results after the close, surveys to answer, selections' results and the compacts in force."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiceng.accounts.decorators import page
from jiceng.core.forms import submit
from jiceng.core.scope import visible_or_404
from jiceng.deliberation import ballots, compacts, polls, selections, surveys
from jiceng.deliberation import poll_forms as f
from jiceng.deliberation.models import CompactVersion, Poll, Selection, Survey

SESSION_RECEIPTS = "poll_receipts"


@page()
def home(request):
    mine = polls.resident_polls(request.user).order_by("-closes_at", "-id")
    open_polls = list(mine.filter(status=Poll.Status.OPEN)[:50])
    closed = list(mine.filter(status=Poll.Status.CLOSED)[:20])
    open_surveys = list(
        surveys.resident_surveys(request.user).filter(status=Survey.Status.OPEN)[:20]
    )
    published = list(
        selections.resident_selections(request.user).filter(status=Selection.Status.PUBLISHED)[:10]
    )
    return render(
        request,
        "deliberation/poll_m_home.html",
        {
            "open_polls": open_polls,
            "closed": closed,
            "surveys": open_surveys,
            "selections": published,
        },
    )


def _poll(request, pk: int) -> Poll:
    return visible_or_404(polls.resident_polls(request.user), pk=pk)


def _page(request, poll: Poll, form=None, status: int = 200):
    record = ballots.my_vote(poll, request.user)
    receipt = request.session.get(SESSION_RECEIPTS, {}).get(str(poll.pk))
    context = {
        "poll": poll,
        "record": record,
        "receipt": receipt,
        "household_poll": poll.electorate == Poll.Electorate.HOUSEHOLD,
        "form": form if form is not None else (ballots_form(poll) if poll.is_open else None),
        "receipt_form": f.ReceiptForm(),
    }
    if polls.results_visible(poll):
        context["result"] = polls.tally(poll)
    return render(request, "deliberation/poll_m_detail.html", context, status=status)


def ballots_form(poll: Poll):
    return f.ballot_form(poll)


@page()
def poll(request, pk: int):
    p = _poll(request, pk)
    if request.method != "POST":
        return _page(request, p)
    form = f.ballot_form(p, request.POST)
    code = submit(
        form,
        lambda d: ballots.cast_web(poll=p, user=request.user, request=request, **f.ballot_of(form)),
    )
    if code is None:
        return _page(request, p, form=form, status=400)
    kept = request.session.get(SESSION_RECEIPTS, {})
    kept[str(p.pk)] = code
    request.session[SESSION_RECEIPTS] = kept
    messages.success(request, _("投票成功，请保存回执码：%(code)s") % {"code": code})
    return redirect("deliberation_polls_m:poll", p.pk)


@page()
def receipt(request, pk: int):
    """Check a receipt code: is that ballot among those counted?"""
    p = _poll(request, pk)
    form = f.ReceiptForm(request.GET or None)
    counted = None
    if form.is_valid():
        counted = ballots.receipt_counted(p, form.cleaned_data["code"])
    return render(
        request,
        "deliberation/poll_m_receipt.html",
        {"poll": p, "form": form, "counted": counted},
    )


def _survey(request, pk: int) -> Survey:
    return visible_or_404(surveys.resident_surveys(request.user), pk=pk)


@page()
def survey(request, pk: int):
    s = _survey(request, pk)
    answered = surveys.has_answered(s, request.user)
    form = f.answer_form(s, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        done = submit(
            form,
            lambda d: (
                surveys.survey_answer(
                    survey=s,
                    user=request.user,
                    answers={int(k[1:]): v for k, v in d.items()},
                    request=request,
                )
                or True
            ),
        )
        if done:
            messages.success(request, _("感谢您的参与！"))
            return redirect("deliberation_polls_m:home")
        status = 400
    return render(
        request,
        "deliberation/survey_m_answer.html",
        {"survey": s, "form": form, "answered": answered},
        status=status,
    )


@page()
def selection(request, pk: int):
    s = visible_or_404(selections.resident_selections(request.user), pk=pk)
    nominations = list(s.nominations.all()) if s.status == Selection.Status.PUBLISHED else []
    return render(
        request,
        "deliberation/selection_m_result.html",
        {"selection": s, "nominations": nominations},
    )


@page()
def compact_list(request):
    rows = list(compacts.resident_compacts(request.user))
    versions = {
        v.compact_id: v
        for v in CompactVersion.objects.filter(
            compact__in=rows, status=CompactVersion.Status.ADOPTED
        )
    }
    for c in rows:
        c.in_force = versions.get(c.pk)
    return render(request, "deliberation/compact_m_list.html", {"compacts": rows})
