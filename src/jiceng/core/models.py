"""Mix-ins every app builds on, the append-only audit log and the calendar overrides."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.memo import ProcessMemo
from jiceng.core.scope import LEVELS, covers


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


CODE_MAX = LEVELS["grid"]  # the longest division code: a grid's


def minimal_prefixes(codes: list[str]) -> list[str]:
    """Drop every code that another code in the list already covers as a prefix."""
    kept: list[str] = []
    for code in sorted(set(codes), key=len):
        if not covers(kept, code):
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
                condition |= Q(**{f"{field}__range": (code, upper)})  # one lookup: BETWEEN
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


class ScopedModel(models.Model):
    """A record that belongs to a place: ``scope_code`` is the division code of that place (a
    grid's, a community's ...), which every list filters by through ``ScopedQuerySet``.

    A model that names its place by a foreign key to ``geo.Division`` says which in
    ``scope_place``; ``save()`` then copies the place's code, so that the two never disagree. A
    model placed through another record (a household by its dwelling) leaves ``scope_place``
    empty: its service sets ``scope_code`` from that record. ``bulk_create`` skips ``save()``:
    bulk loaders set the code themselves.

    The column carries ``db_index`` (and so, on PostgreSQL, a pattern index the range filters do
    not use) because the first apps declared it so; a model whose Meta declares the index its
    lists use, headed by ``scope_code``, takes ``UnindexedScopedModel`` instead.
    """

    scope_code = models.CharField(_("区划代码"), max_length=15, db_index=True)

    # The foreign key to geo.Division whose code this record carries ("" when set by services).
    scope_place: ClassVar[str] = ""

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if self.take_scope_from_place(update_fields) and update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "scope_code"}
        super().save(*args, **kwargs)

    def take_scope_from_place(self, update_fields: Any = None) -> bool:
        """Set ``scope_code`` from ``scope_place`` when one is named and set; a save of other
        fields only (``update_fields``) leaves it and does not read the place."""
        if not self.scope_place:
            return False
        place = self._meta.get_field(self.scope_place)
        if update_fields is not None and not {"scope_code", place.name, place.attname} & set(
            update_fields
        ):
            return False
        if getattr(self, place.attname) is None:
            return False
        self.scope_code = getattr(self, place.name).code
        return True


class UnindexedScopedModel(ScopedModel):
    """A ``ScopedModel`` whose ``scope_code`` has no index of its own: its Meta declares the
    composite index its lists filter by, headed by ``scope_code`` (CONVENTIONS: do not index a
    column that heads a composite index already), or it is never listed by place alone."""

    scope_code = models.CharField(_("区划代码"), max_length=15)

    class Meta:
        abstract = True


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


class ImportJobBase(TimeStampedModel):
    """One uploaded workbook and what became of it; the task fills in progress and the report.
    Every Excel import's job (the register's, people and units') has these columns."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    path = models.CharField(_("存储路径"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    failed = models.PositiveIntegerField(_("错误行"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    def progress(self) -> dict[str, object]:
        """What the job's page polls (``?format=json``)."""
        return {
            "status": self.status,
            "status_label": self.get_status_display(),  # type: ignore[attr-defined]
            "percent": self.percent,
            "processed": self.processed,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "message": self.message,
        }
