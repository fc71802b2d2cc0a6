"""Selections (评选: 十佳小区, 明星小区党组织书记, 好人, 最美邻里): nominations, a public vote
(an approval poll of the residents), a panel's scores, combined by the published rule
``combined = w × votes ÷ the most votes × 100 + (100% − w) × the mean panel score``, ranked and
published."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Avg, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.scope import user_covers
from jiceng.deliberation.models import Nomination, PanelScore, Poll, Selection
from jiceng.deliberation.polls import AFTER_CLOSE, poll_create, poll_open, resident_communities
from jiceng.geo.models import Division


def visible_selections(user) -> QuerySet[Selection]:
    return Selection.objects.visible_to(user)


def resident_selections(user) -> QuerySet[Selection]:
    codes = resident_communities(user)
    if not codes:
        return Selection.objects.none()
    return Selection.objects.within(*codes)


def require_manage(user, selection: Selection) -> None:
    if not user_covers(user, MANAGER_ROLES, selection.scope_code):
        raise Forbidden(_("只有本社区的工作人员可以管理此评选。"))


def selection_create(
    *, by, division: Division, title: str, kind: str, seats: int, public_weight: int, request=None
) -> Selection:
    if division.level != "community" or not user_covers(by, MANAGER_ROLES, division.code):
        raise Forbidden(_("只有本社区的工作人员可以发起评选。"))
    if kind not in Selection.Kind.values:
        raise UserError(_("请选择评选类别。"), field="kind")
    if not 0 <= public_weight <= 100:
        raise UserError(_("权重须在 0 到 100 之间。"), field="public_weight")
    if not 1 <= seats <= 50:
        raise UserError(_("名额须在 1 到 50 之间。"), field="seats")
    with transaction.atomic():
        selection = Selection.objects.create(
            division=division,
            title=title.strip(),
            kind=kind,
            seats=seats,
            public_weight=public_weight,
            created_by=by,
        )
        audit(actor=by, action="selection.create", obj=selection, request=request)
    return selection


def nominate(*, selection: Selection, by, name: str, reason: str, request=None) -> Nomination:
    require_manage(by, selection)
    if selection.status != Selection.Status.NOMINATING:
        raise UserError(_("提名已截止。"), status=409)
    if not name.strip() or not reason.strip():
        raise UserError(_("请填写被提名者和推荐理由。"), field="name")
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                selection=selection, name=name.strip(), reason=reason.strip(), nominated_by=by
            )
            audit(
                actor=by,
                action="selection.nominate",
                obj=selection,
                request=request,
                detail={"name": nomination.name},
            )
    except IntegrityError:
        raise UserError(_("已提名过此人。"), field="name") from None
    return nomination


def start_vote(*, selection: Selection, by, closes_at: datetime, request=None) -> Poll:
    """The public vote: residents aged 18+ approve up to ``seats`` nominees."""
    require_manage(by, selection)
    if selection.status != Selection.Status.NOMINATING:
        raise UserError(_("投票已经开始。"), status=409)
    nominations = list(selection.nominations.order_by("id"))
    if len(nominations) < 2:
        raise UserError(_("至少需要两名被提名者。"))
    with transaction.atomic():
        poll = poll_create(
            by=by,
            division=selection.division,
            title=selection.title,
            kind=Poll.Kind.APPROVAL,
            electorate=Poll.Electorate.ADULT,
            closes_at=closes_at,
            options=[n.name for n in nominations],
            purpose=Poll.Purpose.SELECTION,
            max_choices=min(selection.seats, len(nominations)),
            seats=selection.seats,
            quorum_share=Decimal(0),
            pass_share=Decimal(0),
            request=request,
        )
        for option, nomination in zip(poll.options.order_by("position"), nominations, strict=True):
            nomination.option = option
            nomination.save(update_fields=["option", "updated_at"])
        poll_open(poll=poll, by=by, request=request)
        selection.poll, selection.status = poll, Selection.Status.VOTING
        selection.save(update_fields=["poll", "status", "updated_at"])
        audit(
            actor=by,
            action="selection.vote",
            obj=selection,
            request=request,
            detail={"poll": poll.pk},
        )
    return poll


def _after_close(poll: Poll, result: Any, by) -> None:
    """The public vote closed: the votes go to the nominees, the panel scores next."""
    selection = Selection.objects.filter(poll=poll).first()
    if selection is None:
        return
    votes = {o.id: o.votes for o in result.options}
    for nomination in selection.nominations.all():
        nomination.votes = votes.get(nomination.option_id, 0)
        nomination.save(update_fields=["votes", "updated_at"])
    selection.status = Selection.Status.SCORING
    selection.save(update_fields=["status", "updated_at"])


AFTER_CLOSE[Poll.Purpose.SELECTION] = _after_close


def score(*, nomination: Nomination, judge, value: int, request=None) -> PanelScore:
    """A panel member's score (0–100) of a nominee, once each."""
    selection = Selection.objects.get(pk=nomination.selection_id)
    require_manage(judge, selection)
    if selection.status != Selection.Status.SCORING:
        raise UserError(_("现在不是评审阶段。"), status=409)
    if not 0 <= value <= 100:
        raise UserError(_("评分须在 0 到 100 之间。"), field="score")
    try:
        with transaction.atomic():
            row = PanelScore.objects.create(nomination=nomination, judge=judge, score=value)
            audit(
                actor=judge,
                action="selection.score",
                obj=selection,
                request=request,
                detail={"nomination": nomination.pk, "score": value},
            )
    except IntegrityError:
        raise UserError(_("您已为此人评过分。"), field="score", status=409) from None
    return row


TWO = Decimal("0.01")


def combine(votes: int, most: int, panel: Decimal | None, public_weight: int) -> Decimal:
    """The published rule, to the hundredth."""
    public = Decimal(votes) * 100 / most if most else Decimal(0)
    w = Decimal(public_weight) / 100
    return (w * public + (1 - w) * (panel or Decimal(0))).quantize(TWO, ROUND_HALF_UP)


def publish(*, selection: Selection, by, request=None) -> Selection:
    """Combine the votes and the panel's mean scores, rank, and publish."""
    require_manage(by, selection)
    selection = Selection.objects.get(pk=selection.pk)
    if selection.status != Selection.Status.SCORING:
        raise UserError(_("公众投票结束并完成评审后才能公布。"), status=409)
    nominations = list(selection.nominations.annotate(mean=Avg("scores__score")))
    if not any(n.mean is not None for n in nominations):
        raise UserError(_("评审尚未打分。"), status=409)
    most = max((n.votes for n in nominations), default=0)
    with transaction.atomic():
        for n in nominations:
            n.panel_score = Decimal(n.mean).quantize(TWO) if n.mean is not None else None
            n.combined = combine(n.votes, most, n.panel_score, selection.public_weight)
        for rank, n in enumerate(sorted(nominations, key=lambda n: (-n.combined, n.id)), start=1):
            n.rank = rank
            n.save(update_fields=["panel_score", "combined", "rank", "updated_at"])
        selection.status, selection.published_at = Selection.Status.PUBLISHED, timezone.now()
        selection.save(update_fields=["status", "published_at", "updated_at"])
        audit(actor=by, action="selection.publish", obj=selection, request=request)
    return selection
