"""What the reports app keeps: each file it generated (a book, the zip of a place's books, a
monthly report) with its state and progress (``Generation``), and the requests a street or the
district sends communities for a book or a figure, with each community's answer
(``BookRequest``, ``RequestAnswer``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import TimeStampedModel, UnindexedScopedModel


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年")


class Generation(TimeStampedModel, UnindexedScopedModel):
    """One file (or pair of files) the platform wrote for a place and a period; ``scope_code`` is
    the place. Written to a temporary file and renamed when whole: a failed run leaves no file,
    only its state and message, and is retried by the queue."""

    class Kind(models.TextChoices):
        BOOK = "book", _("台账")
        BOOKS_ZIP = "books_zip", _("全部台账")
        MONTHLY = "monthly", _("月报")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    book_key = models.CharField(_("台账"), max_length=100, blank=True)
    period_kind = models.CharField(_("期间类型"), max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("年"))
    number = models.PositiveSmallIntegerField(_("期"), default=1)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    percent = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    provisional = models.BooleanField(_("临时"), default=False)
    # {"xlsx": "reports/…", "pdf": "…", "zip": "…"}: paths under MEDIA_ROOT.
    files = models.JSONField(_("文件"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("记录数"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("生成的文件")
        verbose_name_plural = _("生成的文件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["scope_code", "kind", "period_kind", "year", "number"],
                name="reports_gen_place_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scope_code} {self.year}-{self.number}"

    def progress(self) -> dict[str, object]:
        """What the page polls."""
        return {
            "id": self.pk,
            "status": self.status,
            "status_label": self.get_status_display(),
            "percent": 100 if self.status == self.Status.DONE else self.percent,
            "message": self.message,
            "formats": sorted(self.files) if self.status == self.Status.DONE else [],
        }


class BookRequest(TimeStampedModel, UnindexedScopedModel):
    """A street or the district asks the communities below it for a book, or a figure, for a
    period; ``scope_code`` is the asking place. One ``RequestAnswer`` per community asked."""

    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=100)
    book_key = models.CharField(_("台账"), max_length=100, blank=True)
    figure = models.CharField(_("报送数据项"), max_length=100, blank=True)
    period_kind = models.CharField(_("期间类型"), max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("年"))
    number = models.PositiveSmallIntegerField(_("期"), default=1)
    due = models.DateField(_("截止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("报送要求")
        verbose_name_plural = _("报送要求")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scope_code", "created_at"], name="reports_req_place")]

    def __str__(self) -> str:
        return self.title


class RequestAnswer(TimeStampedModel, UnindexedScopedModel):
    """One community's answer to a request (``scope_code``: the community): the book the
    platform made (``from_records``, a ``generation``), or a figure or text filled by hand."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("待报送")
        ANSWERED = "answered", _("已报送")

    request = models.ForeignKey(
        BookRequest, verbose_name=_("报送要求"), on_delete=models.CASCADE, related_name="answers"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.WAITING
    )
    from_records = models.BooleanField(_("来自平台记录"), default=False)
    generation = models.ForeignKey(
        Generation,
        verbose_name=_("台账文件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    value = models.CharField(_("填报内容"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("报送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报送情况")
        verbose_name_plural = _("报送情况")
        ordering = ["scope_code"]
        indexes = [
            models.Index(fields=["scope_code", "status"], name="reports_answer_place"),
            models.Index(fields=["answered_at"], name="reports_answer_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["request", "scope_code"], name="reports_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.scope_code}"
