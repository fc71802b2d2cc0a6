"""The polls' JSON API under /api/deliberation/polls: the polls a person sees, casting a ballot,
checking a receipt, the turnout per grid (staff, while the vote runs) and the results (after it
closes)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from jiceng.core.errors import Forbidden, UserError
from jiceng.core.inputs import Id, Int, Pagination
from jiceng.core.scope import visible_or_404
from jiceng.deliberation import ballots, polls
from jiceng.deliberation.models import Poll

router = Router(tags=["deliberation polls"])


class OptionOut(Schema):
    id: int
    label: str
    position: int


class PollOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    electorate: str
    purpose: str
    status: str
    scope_code: str
    closes_at: datetime
    max_choices: int
    score_max: int
    electorate_size: int
    options: list[OptionOut]

    @staticmethod
    def resolve_options(obj) -> list[dict]:
        return [{"id": o.id, "label": o.label, "position": o.position} for o in obj.options.all()]


class ScoreIn(Schema):
    option: Id
    score: Int


class BallotIn(Schema):
    """Option ids: one for yes/no/abstain and single choice, up to the poll's limit for
    approval; ``scores`` for a score poll (every option); ``ranking`` for a ranked poll."""

    options: list[Id] = []
    scores: list[ScoreIn] = []
    ranking: list[Id] = []


class ReceiptOut(Schema):
    receipt: str


class CountedOut(Schema):
    counted: bool


class TurnoutOut(Schema):
    code: str
    name: str
    voted: int
    electorate: int
    share: float | None


class OptionResultOut(Schema):
    id: int
    label: str
    votes: int
    total: int
    mean: float | None


class ResultOut(Schema):
    ballots: int
    electorate: int
    web: int
    paper: int
    quorum_met: bool
    passed: bool | None
    winners: list[int]
    outcome: str
    options: list[OptionResultOut]


def seen_polls(user):
    """What a person may ask about: the staff's polls of their scope and a resident's own."""
    return (polls.visible_polls(user) | polls.resident_polls(user)).distinct()


def _poll(request, poll_id: int) -> Poll:
    return visible_or_404(seen_polls(request.user), pk=poll_id)


@router.get("", response=list[PollOut])
@paginate(Pagination)
def poll_list(request, status: str = ""):
    rows = seen_polls(request.user).prefetch_related("options")
    if status:
        if status not in Poll.Status.values:
            raise UserError(_("状态不正确。"), field="status")
        rows = rows.filter(status=status)
    return rows.order_by("-closes_at", "-id")


@router.get("/{poll_id}", response=PollOut)
def poll_detail(request, poll_id: Id):
    return _poll(request, poll_id)


@router.post("/{poll_id}/ballots", response={201: ReceiptOut})
def cast(request, poll_id: Id, payload: BallotIn):
    """Cast the ballot of the caller's household (or the caller's own); a second one is 409."""
    poll = visible_or_404(polls.resident_polls(request.user), pk=poll_id)
    code = ballots.cast_web(
        poll=poll,
        user=request.user,
        options=payload.options,
        scores={s.option: s.score for s in payload.scores},
        ranking=payload.ranking,
        request=request,
    )
    return Status(201, {"receipt": code})


@router.get("/{poll_id}/receipt", response=CountedOut)
def receipt(request, poll_id: Id, code: str):
    """Is the ballot with this receipt code among those counted?"""
    return {"counted": ballots.receipt_counted(_poll(request, poll_id), code)}


@router.get("/{poll_id}/turnout", response=list[TurnoutOut])
def turnout(request, poll_id: Id):
    """How many of each grid's electorate have voted (the poll's staff, while it runs)."""
    poll = visible_or_404(polls.visible_polls(request.user), pk=poll_id)
    if not polls.can_manage(request.user, poll):
        raise Forbidden(_("只有本社区的工作人员可以查看投票进度。"))
    return polls.turnout_by_grid(poll)


@router.get("/{poll_id}/results", response=ResultOut)
def results(request, poll_id: Id):
    """The count, once the poll has closed (hidden before: 409)."""
    poll = _poll(request, poll_id)
    if not polls.results_visible(poll):
        raise UserError(_("投票结束后公布结果。"), status=409)
    result = polls.tally(poll)
    return {
        "ballots": result.ballots,
        "electorate": result.electorate,
        "web": result.by_channel.get("web", 0),
        "paper": result.by_channel.get("paper", 0),
        "quorum_met": result.quorum_met,
        "passed": result.passed,
        "winners": [w.id for w in result.winners],
        "outcome": poll.outcome,
        "options": [
            {"id": o.id, "label": o.label, "votes": o.votes, "total": o.total, "mean": o.mean}
            for o in result.options
        ],
    }
