"""Micro-wishes (微心愿) and their events."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.community.models.base import USER, Scoped
from jiceng.core.workflow import TransitionEvent


def wish_photo_path(instance: Wish, filename: str) -> str:
    return f"wishes/{instance.created_at:%Y/%m}/{instance.pk}-{filename}"


class Wish(Scoped):
    """A micro-wish (微心愿): posted by a resident, approved for the wall, claimed, fulfilled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        REJECTED = "rejected", _("未通过")
        OPEN = "open", _("待认领")
        CLAIMED = "claimed", _("已认领")
        FULFILLED = "fulfilled", _("已送达")
        CONFIRMED = "confirmed", _("已实现")
        WITHDRAWN = "withdrawn", _("已撤回")

    poster = models.ForeignKey(
        USER, verbose_name=_("许愿人"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("心愿"), max_length=100)
    description = models.CharField(pgettext_lazy("description", "说明"), max_length=500, blank=True)
    value = models.DecimalField(_("大约价值（元）"), max_digits=8, decimal_places=2)
    photo = models.ImageField(_("照片"), upload_to=wish_photo_path, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.CharField(_("审核意见"), max_length=500, blank=True)
    approved_by = models.ForeignKey(
        USER,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("上墙时间"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        USER,
        verbose_name=_("认领人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("认领单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    fulfil_photo = models.ImageField(_("送达照片"), upload_to=wish_photo_path, blank=True)
    fulfil_note = models.CharField(_("送达说明"), max_length=500, blank=True)
    fulfilled_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scope_code", "status"], name="wish_scope_status")]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="wish_value_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "rejected", "open", "withdrawn"])
                | Q(claimed_by__isnull=False),
                name="wish_claimed_has_claimant",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def poster_display(self) -> str:
        """What the public wall shows of the poster: the surname only (personal data hidden)."""
        name = (self.poster.full_name or "").strip()
        return f"{name[0]}**" if name else "居民"


class WishEvent(TransitionEvent):
    """One transition of a micro-wish (posted, approved, claimed, ...); append-only."""

    wish = models.ForeignKey(
        Wish, verbose_name=_("微心愿"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("心愿记录")
        verbose_name_plural = _("心愿记录")

    def __str__(self) -> str:
        return f"{self.wish_id} {self.action}"
