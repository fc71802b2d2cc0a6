"""Micro-wishes (微心愿): a resident posts one with a photo, the community approves it for the
public wall (personal details hidden), a member or partner claims it (one claim wins), fulfils it
with a photo, and the resident confirms."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiceng.community import scoring
from jiceng.community.models import Wish
from jiceng.community.permissions import can_claim_wish, can_manage, home_communities, member_of
from jiceng.community.services import _community, _text
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.notify import notify
from jiceng.core.photos import prepare_photos

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
    audit(actor=by, action="services.wish_post", obj=wish, request=request)
    return wish


def _locked(wish: Wish) -> Wish:
    return Wish.objects.select_for_update(of=("self",)).select_related("poster").get(pk=wish.pk)


@transaction.atomic
def wish_review(*, by, wish: Wish, approve: bool, reason: str = "") -> Wish:
    """The community puts the wish on the wall, or declines it with a reason for the resident."""
    wish = _locked(wish)
    if not can_manage(by, wish):
        raise Forbidden(_("您无权审核该社区的微心愿。"))
    if wish.status != Wish.Status.PENDING:
        raise UserError(_("该心愿已审核。"), status=409)
    reason = _text(reason, _("不通过的理由"), "reason", required=not approve, limit=500)
    wish.status = Wish.Status.OPEN if approve else Wish.Status.REJECTED
    wish.reason = reason
    wish.approved_by = by
    wish.approved_at = timezone.now() if approve else None
    wish.save()
    audit(
        actor=by,
        action="services.wish_review",
        obj=wish,
        detail={"approve": approve, "reason": reason},
    )
    notify(
        users=[wish.poster],
        title=f"您的心愿“{wish.title[:40]}”" + ("已上墙" if approve else "未通过审核"),
        body=reason,
        url=f"/m/services/wishes/{wish.pk}/",
    )
    return wish


def wish_claim(*, by, wish: Wish, request: Any = None) -> Wish:
    """A member or a partner's staff lights the wish. Many at once: one conditional update
    decides, so exactly one claim wins."""
    if not can_claim_wish(by):
        raise Forbidden(_("党员或共建单位职工可以认领微心愿。"))
    if wish.poster_id == by.pk:
        raise UserError(_("不能认领自己的心愿。"))
    partner_id = next(iter(by.unit_ids), None) if by.has_role("partner_staff") else None
    now = timezone.now()
    with transaction.atomic():
        won = Wish.objects.filter(pk=wish.pk, status=Wish.Status.OPEN).update(
            status=Wish.Status.CLAIMED,
            claimed_by=by,
            claimed_partner_id=partner_id,
            claimed_at=now,
            updated_at=now,
        )
        if not won:
            current = Wish.objects.filter(pk=wish.pk).values_list("status", flat=True).first()
            if current in (Wish.Status.CLAIMED, Wish.Status.FULFILLED, Wish.Status.CONFIRMED):
                raise UserError(_("该心愿已被他人认领。"), status=409)
            raise UserError(_("该心愿不在心愿墙上，不能认领。"), status=409)
        wish = Wish.objects.select_related("poster").get(pk=wish.pk)
        audit(actor=by, action="services.wish_claim", obj=wish, request=request)
        notify(
            users=[wish.poster],
            title=f"您的心愿“{wish.title[:40]}”已被认领",
            url=f"/m/services/wishes/{wish.pk}/",
        )
    return wish


@transaction.atomic
def wish_fulfil(*, by, wish: Wish, photo: Any, note: str = "", request: Any = None) -> Wish:
    """The claimant delivers and shows it with a photo; the resident then confirms."""
    wish = _locked(wish)
    if wish.claimed_by_id != by.pk:
        raise Forbidden(_("只有认领人可以反馈送达。"))
    if wish.status != Wish.Status.CLAIMED:
        raise UserError(_("该心愿当前不能反馈送达。"), status=409)
    prepared = _photo(photo, required=True)
    wish.fulfil_note = _text(note, _("送达说明"), "note", required=False, limit=500)
    wish.status = Wish.Status.FULFILLED
    wish.fulfilled_at = timezone.now()
    wish.fulfil_photo.save(prepared.name, prepared, save=False)
    wish.save()
    audit(actor=by, action="services.wish_fulfil", obj=wish, request=request)
    notify(
        users=[wish.poster],
        title=f"您的心愿“{wish.title[:40]}”已送达，请确认",
        url=f"/m/services/wishes/{wish.pk}/",
    )
    return wish


@transaction.atomic
def wish_confirm(*, by, wish: Wish, request: Any = None) -> Wish:
    """The resident confirms the wish came true; the member who lit it earns points."""
    wish = _locked(wish)
    if wish.poster_id != by.pk:
        raise Forbidden(_("只有许愿人可以确认。"))
    if wish.status != Wish.Status.FULFILLED:
        raise UserError(_("心愿尚未送达，不能确认。"), status=409)
    wish.status = Wish.Status.CONFIRMED
    wish.confirmed_at = timezone.now()
    wish.save(update_fields=["status", "confirmed_at", "updated_at"])
    member = member_of(wish.claimed_by)
    if member is not None:
        scoring.earned(
            source=scoring.WISH_FULFILLED,
            source_key=f"svc-wish:{wish.pk}",
            member=member,
            occurred_at=wish.confirmed_at,
            by=by,
        )
    audit(actor=by, action="services.wish_confirm", obj=wish, request=request)
    return wish


@transaction.atomic
def wish_withdraw(*, by, wish: Wish) -> Wish:
    """The resident takes back a wish nobody has claimed yet."""
    wish = _locked(wish)
    if wish.poster_id != by.pk:
        raise Forbidden(_("只有许愿人可以撤回。"))
    if wish.status not in (Wish.Status.PENDING, Wish.Status.OPEN):
        raise UserError(_("心愿已被认领，不能撤回。"), status=409)
    wish.status = Wish.Status.WITHDRAWN
    wish.save(update_fields=["status", "updated_at"])
    audit(actor=by, action="services.wish_withdraw", obj=wish)
    return wish
