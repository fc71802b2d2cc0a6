"""Micro-wishes (微心愿): a resident posts one with a photo, the community approves it for the
public wall (personal details hidden), a member or partner claims it (one claim wins), fulfils it
with a photo, and the resident confirms. Every move after posting goes through the Machine of
workflow.WISH_TRANSITIONS and writes one WishEvent."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jiceng.community import scoring, workflow
from jiceng.community.checks import _community, _text
from jiceng.community.models import Wish, WishEvent
from jiceng.community.permissions import can_act_on_wish, home_communities, member_of
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.notify import notify
from jiceng.core.photos import prepare_photos
from jiceng.core.workflow import Machine

MAX_VALUE = Decimal("2000")  # a micro-wish is small; larger needs go to the needs list


def _photo(upload: Any, required: bool = False):
    if not upload:
        if required:
            raise UserError(_("请上传照片。"), field="photo")
        return None
    return prepare_photos([upload])[0]


def _value(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        raise UserError(_("请填写大约价值（元）。"), field="value") from None
    if not amount.is_finite() or amount <= 0:
        raise UserError(_("大约价值应大于 0 元。"), field="value")
    if amount > MAX_VALUE:
        raise UserError(
            _("微心愿价值一般不超过 {most} 元；更大的需求请提交到需求清单。").format(
                most=f"{MAX_VALUE:.0f}"
            ),
            field="value",
        )
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def wish_post(
    *,
    by,
    title: str,
    value: Any,
    description: str = "",
    photo: Any = None,
    community=None,
    request: Any = None,
) -> Wish:
    """A resident posts a small wish; the community reviews it before it goes on the wall."""
    homes = home_communities(by)
    if community is None:
        if not homes:
            raise UserError(_("尚未登记所在社区，无法许愿。"))
        community = homes[0]
    place = _community(community)
    if place.code not in homes:
        raise Forbidden(_("只能在自己所在的社区许愿。"))
    wish = Wish(
        community=place,
        scope_code=place.code,
        poster=by,
        title=_text(title, _("心愿"), "title"),
        description=_text(
            description, pgettext("description", "说明"), "description", required=False, limit=500
        ),
        value=_value(value),
    )
    prepared = _photo(photo)
    wish.save()
    if prepared is not None:
        wish.photo.save(prepared.name, prepared, save=True)
    WISHES.write_event(wish, action="post", by=by, previous="")
    audit(actor=by, action="services.wish_post", obj=wish, request=request)
    return wish


WISHES = Machine(
    model=Wish,
    event_model=WishEvent,
    event_owner="wish",
    transitions=workflow.WISH_TRANSITIONS,
    may_act=can_act_on_wish,
    audit_prefix="services.wish_",
    entity=gettext_lazy("微心愿"),
    wrong_stage=gettext_lazy("该心愿当前为“{stage}”，不能{action}。"),
    forbidden=gettext_lazy("您不能{action}该心愿。"),
    related=("poster",),
    note_field="reason",
    note_limit=500,
)


@transaction.atomic
def wish_review(*, by, wish: Wish, approve: bool, reason: str = "") -> Wish:
    """The community puts the wish on the wall, or declines it with a reason for the resident."""

    def stamp(locked: Wish, *, now, note: str, **_context: Any) -> None:
        locked.reason = note
        locked.approved_by = by
        locked.approved_at = now if approve else None

    wish = WISHES.run(
        record=wish,
        action="approve" if approve else "reject",
        by=by,
        note=reason,
        before_save=stamp,
        audit_detail=lambda locked: {"approve": approve, "reason": locked.reason},
    )
    notify(
        users=[wish.poster],
        title=f"您的心愿“{wish.title[:40]}”" + ("已上墙" if approve else "未通过审核"),
        body=wish.reason,
        url=f"/m/services/wishes/{wish.pk}/",
    )
    return wish


def _not_ones_own(wish: Wish, *, by, **_context: Any) -> None:
    if wish.poster_id == by.pk:
        raise UserError(_("不能认领自己的心愿。"))


def wish_claim(*, by, wish: Wish, request: Any = None) -> Wish:
    """A member or a partner's staff lights the wish. Many at once: the wish's row lock orders
    them, so exactly one claim wins and the others are told it is taken."""
    partner_id = next(iter(by.unit_ids), None) if by.has_role("partner_staff") else None

    def stamp(locked: Wish, *, now, **_context: Any) -> None:
        locked.claimed_by = by
        locked.claimed_partner_id = partner_id
        locked.claimed_at = now

    with transaction.atomic():
        wish = WISHES.run(
            record=wish,
            action="claim",
            by=by,
            guards=(_not_ones_own,),
            before_save=stamp,
            request=request,
        )
        notify(
            users=[wish.poster],
            title=f"您的心愿“{wish.title[:40]}”已被认领",
            url=f"/m/services/wishes/{wish.pk}/",
        )
    return wish


@transaction.atomic
def wish_fulfil(*, by, wish: Wish, photo: Any, note: str = "", request: Any = None) -> Wish:
    """The claimant delivers and shows it with a photo; the resident then confirms."""
    prepared = []

    def with_a_photo(locked: Wish, **_context: Any) -> None:
        prepared.append(_photo(photo, required=True))

    def stamp(locked: Wish, *, now, note: str, **_context: Any) -> None:
        locked.fulfil_note = note
        locked.fulfilled_at = now
        locked.fulfil_photo.save(prepared[0].name, prepared[0], save=False)

    wish = WISHES.run(
        record=wish,
        action="fulfil",
        by=by,
        note=note,
        guards=(with_a_photo,),
        before_save=stamp,
        request=request,
    )
    notify(
        users=[wish.poster],
        title=f"您的心愿“{wish.title[:40]}”已送达，请确认",
        url=f"/m/services/wishes/{wish.pk}/",
    )
    return wish


def _confirmed(wish: Wish, *, now, **_context: Any) -> None:
    wish.confirmed_at = now


@transaction.atomic
def wish_confirm(*, by, wish: Wish, request: Any = None) -> Wish:
    """The resident confirms the wish came true; the member who lit it earns points."""
    wish = WISHES.run(record=wish, action="confirm", by=by, before_save=_confirmed, request=request)
    member = member_of(wish.claimed_by)
    if member is not None:
        scoring.earned(
            source=scoring.WISH_FULFILLED,
            source_key=f"svc-wish:{wish.pk}",
            member=member,
            occurred_at=wish.confirmed_at,
            by=by,
        )
    return wish


@transaction.atomic
def wish_withdraw(*, by, wish: Wish) -> Wish:
    """The resident takes back a wish nobody has claimed yet."""
    return WISHES.run(record=wish, action="withdraw", by=by)
