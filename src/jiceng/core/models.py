"""Mix-ins every app builds on, the append-only audit log and the calendar overrides."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.memo import ProcessMemo


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


CODE_MAX = 15  # the longest division code: a grid's


def minimal_prefixes(codes: list[str]) -> list[str]:
    """Drop every code that another code in the list already covers as a prefix."""
    kept: list[str] = []
    for code in sorted(set(codes), key=len):
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return kept


class ScopedQuerySet(models.QuerySet):
    """The one place that limits rows to what a user's role assignments let them see.

    A model names its scope column in ``scope_field`` (default ``scope_code``); a user's scopes
    are the division codes of their active role assignments (``user.scope_codes``).
    """

    def scope_q(self, *codes: str) -> Q | None:
        """The condition for rows inside these scopes (None: no scope at all), for callers that
        combine it with other grounds of visibility (a case's handler, its reporter)."""
        field = getattr(self.model, "scope_field", "scope_code")
        prefixes = minimal_prefixes([c for c in codes if c is not None])
        if not prefixes:
            return None
        condition = Q()
        for code in prefixes:
            if code.isdigit() and len(code) <= CODE_MAX:
                # Division codes are digits, at most 15 of them: "starts with 3606" is the range
                # 3606 ... 3606999999999999, which a plain B-tree index serves on every database
                # and collation (LIKE 'x%' needs a pattern index on PostgreSQL).
                upper = code + "9" * (CODE_MAX - len(code))
                condition |= Q(**{f"{field}__gte": code, f"{field}__lte": upper})
            else:
                condition |= Q(**{f"{field}__startswith": code})
        return condition

    def within(self, *codes: str) -> ScopedQuerySet:
        condition = self.scope_q(*codes)
        return self.none() if condition is None else self.filter(condition)

    def visible_to(self, user: Any) -> ScopedQuerySet:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.within(*user.scope_codes)


class AppendOnlyQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("append-only: rows cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("append-only: rows cannot be deleted")


class AuditEntry(models.Model):
    """One row per write that matters: who did what to which object, where, from which address."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        # Accounts are never deleted; if one were, its entries keep the id and the name.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    # Indexed in Meta: a field's db_index would add pattern (LIKE) indexes no query uses.
    action = models.CharField(_("操作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    scope_code = models.CharField(_("区划代码"), max_length=15, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["action"], name="audit_action"),
            models.Index(fields=["object_type"], name="audit_object_type"),
            models.Index(fields=["scope_code"], name="audit_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("append-only: audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("append-only: audit entries cannot be deleted")


class CalendarDay(TimeStampedModel):
    """A day that differs from the published calendar package, or a year it does not know yet.

    The State Council publishes each year's holidays late in the year before; a district enters
    them here until the package catches up. An entry here always wins.
    """

    class Kind(models.TextChoices):
        WORKDAY = "workday", _("工作日（含调休上班）")
        HOLIDAY = "holiday", _("休息日（节假日）")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=64, blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        calendar_overrides.forget()  # this process reads the calendar again at once

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        calendar_overrides.forget()
        return result


def _read_calendar_overrides() -> dict[date, bool]:
    rows = CalendarDay.objects.values_list("date", "kind")
    return {d: k == CalendarDay.Kind.WORKDAY for d, k in rows}


# Every deadline reads the overrides (core.workdays): read once a minute per process.
calendar_overrides = ProcessMemo(_read_calendar_overrides)


class Counter(models.Model):
    """Named sequences (case numbers per day): one row per key, incremented under a row lock."""

    key = models.CharField(_("键"), max_length=64, unique=True)
    value = models.PositiveBigIntegerField(_("值"), default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Notification(models.Model):
    """An in-app message to one person; channels (SMS, WeChat, console) carry copies of it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.CharField(_("内容"), max_length=500, blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    sent = models.JSONField(_("已发送渠道"), default=list, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.title}"
