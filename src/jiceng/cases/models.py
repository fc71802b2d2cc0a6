"""Categories with their time limits, cases, and the append-only event log of every case."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.cases.workflow import Status, Triage
from jiceng.core.fields import EncryptedPhoneField
from jiceng.core.memo import ProcessMemo
from jiceng.core.models import (
    AppendOnlyQuerySet,
    ScopedModel,
    ScopedQuerySet,
    TimeStampedModel,
    UnindexedScopedModel,
)
from jiceng.core.personal import mask_phone

HOURS = {"max_digits": 7, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class CaseCategory(TimeStampedModel):
    """A category of GB/T 30428.2 (components and events) or of residents' demands."""

    class Kind(models.TextChoices):
        COMPONENT = "component", _("部件")
        EVENT = "event", _("事件")
        DEMAND = "demand", _("居民诉求")

    code = models.CharField(_("类别代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    default_triage = models.CharField(
        _("默认分流"), max_length=16, choices=Triage.choices, default=Triage.MAJOR
    )
    default_handler = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("默认处置单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Time limits in working hours (RULES.md: configure per category, never hard-code).
    filing_hours = models.DecimalField(_("立案时限（工作小时）"), default=Decimal("1"), **HOURS)
    dispatch_hours = models.DecimalField(_("派遣时限（工作小时）"), default=Decimal("1"), **HOURS)
    accept_hours = models.DecimalField(_("接收时限（工作小时）"), default=Decimal("1"), **HOURS)
    handling_hours = models.DecimalField(_("处置时限（工作小时）"), default=Decimal("21"), **HOURS)
    verify_hours = models.DecimalField(_("核查时限（工作小时）"), default=Decimal("1"), **HOURS)
    source = models.CharField(_("依据"), max_length=100, blank=True)
    # Whether the verifier must photograph the result on site (数字城管: the supervisor's
    # verification carries a photo); a district sets it per category, as the time limits.
    verify_photo_required = models.BooleanField(_("核查须拍照"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("案件类别")
        verbose_name_plural = _("案件类别")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        active_categories.forget()  # this process takes the change at once
        category_labels.forget()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        active_categories.forget()
        category_labels.forget()
        return result


def _read_active_categories() -> dict[str, CaseCategory]:
    return {c.code: c for c in CaseCategory.objects.filter(is_active=True)}


# Every report looks its category up by code: read once a minute per process (an edit in the
# admin reaches the other processes within that minute).
active_categories = ProcessMemo(_read_active_categories)


def _read_category_labels() -> dict[int, tuple[str, str]]:
    return {
        pk: (code, name)
        for pk, code, name in CaseCategory.objects.values_list("pk", "code", "name")
    }


# Every category, active or not, by id (code, name): what the lists show of a case's category
# without joining categories to every list query and its count.
category_labels = ProcessMemo(_read_category_labels)


def private_q(prefix: str = "") -> models.Q:
    """Cases of a private category (私事: a category whose default triage is private, such as
    家庭矛盾 and 政策咨询); they stay out of every public list and count. ``prefix`` reaches
    the case through a relation (``"case__"`` from a tally)."""
    return models.Q(**{f"{prefix}category__default_triage": Triage.PRIVATE})


class StreetDefaultUnit(TimeStampedModel, ScopedModel):
    """The unit a street sends a category's cases to unless the dispatcher picks another (a
    pothole to the roads unit, not the first unit of the list): one row per category and street,
    kept by the street's and the district's staff."""

    category = models.ForeignKey(
        CaseCategory,
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        related_name="street_units",
        db_index=False,  # street_unit_once below starts with it
    )
    street = models.ForeignKey(
        "geo.Division", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("默认处置单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_place = "street"

    class Meta:
        verbose_name = _("街道默认处置单位")
        verbose_name_plural = _("街道默认处置单位")
        constraints = [
            models.UniqueConstraint(fields=["category", "street"], name="street_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.street_id} {self.category_id} → {self.unit_id}"


class CaseQuerySet(ScopedQuerySet):
    def public(self) -> CaseQuerySet:
        """The cases anyone may know of (counted on public pages, listed by Open311)."""
        return self.exclude(private_q())


class Case(TimeStampedModel, UnindexedScopedModel):
    class Source(models.TextChoices):
        RESIDENT = "resident", _("居民上报")
        PATROL = "patrol", _("网格巡查")
        HOTLINE = "hotline", _("热线转办")
        OPEN311 = "open311", _("Open311 接口")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically_satisfied", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    # Unique through Meta.constraints: a field's unique=True would add a pattern index (LIKE)
    # that no query uses and every report would have to write.
    number = models.CharField(_("案件编号"), max_length=20)
    category = models.ForeignKey(
        CaseCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="cases"
    )
    description = models.TextField(_("问题描述"), max_length=2000)
    status = models.CharField(
        _("阶段"), max_length=16, choices=Status.choices, default=Status.REPORTED
    )
    triage = models.CharField(_("分流"), max_length=16, choices=Triage.choices, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    is_anonymous = models.BooleanField(_("匿名"), default=False)
    # A number to call back about the case (an anonymous reporter's only contact): encrypted,
    # shown masked, whole only to staff who give a reason (audited).
    contact_phone = EncryptedPhoneField(_("回访电话"))
    # A database default, so that the bulk loaders (COPY) need not name it.
    contact_phone_hash = models.CharField(
        _("回访电话哈希"), max_length=64, blank=True, editable=False, default="", db_default=""
    )
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    handler = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("处置单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # case_handler below starts with it
    )
    stage_started_at = models.DateTimeField(_("本阶段开始"))
    deadline_at = models.DateTimeField(_("本阶段时限"), null=True, blank=True)
    # When 80% of the stage's working time is used: the inbox turns the case yellow.
    warn_at = models.DateTimeField(_("本阶段预警时间"), null=True, blank=True)
    rework_count = models.PositiveIntegerField(_("返工次数"), default=0)
    # The deadline alert already sent for the current stage ('', 'yellow', 'red'); every
    # transition clears it.
    alerted = models.CharField(
        _("本阶段已提醒"), max_length=8, blank=True, default="", db_default=""
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    rating = models.CharField(_("评价"), max_length=24, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    needs_review = models.BooleanField(_("待社区复核"), default=False)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)
    # The report form's one-time token: a replayed form finds its case instead of a duplicate.
    client_token = models.CharField(_("提交令牌"), max_length=36, null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["scope_code", "status", "deadline_at"], name="case_inbox"),
            models.Index(fields=["handler", "status"], name="case_handler"),
            models.Index(fields=["scope_code", "created_at"], name="case_place_period"),
            # The open cases still to be warned: small, whatever the size of the table.
            models.Index(
                fields=["warn_at"],
                condition=models.Q(deadline_at__isnull=False) & ~models.Q(alerted="red"),
                name="case_to_alert",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="case_number_unique"),
            models.UniqueConstraint(
                fields=["client_token"],
                condition=models.Q(client_token__isnull=False),
                name="case_client_token_once",
            ),
            models.CheckConstraint(
                condition=models.Q(lon__isnull=True, lat__isnull=True)
                | models.Q(lon__gte=-180, lon__lte=180, lat__gte=-90, lat__lte=90),
                name="case_location_in_range",
            ),
        ]

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    def __str__(self) -> str:
        return f"{self.number} {self.category.name}"


class CaseEvent(models.Model):
    """One transition of a case: who, when, from, to, why. Append-only; metrics read it."""

    # Indexed by ``event_case_covering`` below (it serves the foreign key's lookups too).
    case = models.ForeignKey(
        Case,
        verbose_name=_("案件"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=16)
    from_status = models.CharField(_("原阶段"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新阶段"), max_length=16, choices=Status.choices)
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    handler = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("处置单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline_at = models.DateTimeField(_("新阶段时限"), null=True, blank=True)
    on_time = models.BooleanField(_("上一阶段按时"), null=True)
    # Hours spent in the stage this event ends (from the previous event), written with the event
    # so that the metrics need no window over the log.
    span_hours = models.FloatField(_("上一阶段用时（小时）"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件流转记录")
        verbose_name_plural = _("案件流转记录")
        ordering = ["at", "id"]
        indexes = [
            # Reading the metrics' columns of a case's events (tally.refresh, the metrics
            # from the log, rebuilding the tallies) comes from the index alone on PostgreSQL
            # (index-only; the log is append-only, so its pages stay all-visible); other
            # databases ignore INCLUDE and get a plain index on the case.
            models.Index(
                fields=["case"],
                include=["action", "from_status", "on_time", "span_hours"],
                name="event_case_covering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("append-only: case events cannot be changed")
        super().save(*args, **kwargs)


def photo_path(instance: CasePhoto, filename: str) -> str:
    return (
        f"cases/{instance.case.created_at:%Y/%m}/{instance.case.number}-{instance.kind}-{filename}"
    )


class CasePhoto(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("上报照片")
        RESULT = "result", _("处置照片")
        VERIFY = "verify", _("核查照片")

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="photos"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    image = models.ImageField(
        _("照片"), upload_to=photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件照片")
        verbose_name_plural = _("案件照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"


class CaseFollower(models.Model):
    """A resident who followed a case instead of reporting the same problem again, and is told
    of every change. (The reporter is told too, without a row: ``escalation.followers_of``.)"""

    case = models.ForeignKey(
        Case,
        verbose_name=_("案件"),
        on_delete=models.CASCADE,
        related_name="followers",
        db_index=False,  # case_follower_once below starts with it
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关注人"),
        on_delete=models.CASCADE,
        related_name="followed_cases",
    )
    created_at = models.DateTimeField(_("关注时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件关注")
        verbose_name_plural = _("案件关注")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_follower_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.case_id}"


class Whistle(models.Model):
    """The street blows the whistle (吹哨): several units are called to one case at once."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="whistles"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吹哨人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("事由"), max_length=2000)
    created_at = models.DateTimeField(_("吹哨时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d}"


class WhistleResponse(models.Model):
    """One called unit's duty to report (报到) within its own time limit."""

    whistle = models.ForeignKey(
        Whistle, verbose_name=_("吹哨"), on_delete=models.PROTECT, related_name="responses"
    )
    unit = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("报到单位"),
        on_delete=models.PROTECT,
        related_name="whistle_responses",
    )
    deadline_at = models.DateTimeField(_("报到时限"))
    responded_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报到人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("报到情况"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("吹哨报到")
        verbose_name_plural = _("吹哨报到")
        ordering = ["whistle_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["whistle", "unit"], name="whistle_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.whistle_id} {self.unit_id}"


OPEN311_HASH_KIND = "open311_key"


class Open311Key(TimeStampedModel):
    """An api_key for posting requests through Open311 (a hotline, an app of the district).
    Requests posted with it are reported as its account.

    Only the key's HMAC under the project's hash key is kept (``core.fields.lookup_hash``), so a
    copy of the database holds no usable key; the key itself is shown once, when it is made
    (``services.open311_key_create``). A key found under a fallback hash key is re-hashed under
    the current one when it is used."""

    name = models.CharField(_("名称"), max_length=64)
    key_hash = models.CharField(_("密钥哈希"), max_length=64, editable=False)
    # The key's last characters, to tell keys apart in lists (never enough to use one).
    hint = models.CharField(_("密钥末尾"), max_length=8, blank=True, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报账号"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")
        constraints = [models.UniqueConstraint(fields=["key_hash"], name="open311_key_hash_once")]

    def __str__(self) -> str:
        return self.name


# The stages a case can spend time in (each event ends one of them): one column each in the tally.
TALLY_STAGES = (
    Status.REPORTED,
    Status.FILED,
    Status.DISPATCHED,
    Status.COORDINATING,
    Status.SELF_HELP,
    Status.IN_PROGRESS,
    Status.HANDLED,
    Status.CLOSED,
    Status.EVALUATED,
)


class CaseTally(UnindexedScopedModel):
    """What the event log says about one case, in the form the metrics count: written by the
    services in the same transaction as each event (recomputed from the case's events), and
    rebuilt from the whole log by ``jiceng.cases.tally.rebuild``. A street's month is then
    ~8,500 rows of this table instead of ~52,000 events read through an index."""

    case = models.OneToOneField(
        Case,
        verbose_name=_("案件"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="tally",
    )
    reported_at = models.DateTimeField(_("上报时间"))
    status = models.CharField(_("阶段"), max_length=16, choices=Status.choices)
    rating = models.CharField(_("评价"), max_length=24, blank=True)
    handler = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("处置单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_on_time = models.BooleanField(_("按时响应"), default=False)
    late = models.BooleanField(_("有阶段超时"), default=False)
    verified = models.BooleanField(_("经过核查"), default=False)
    reworked = models.BooleanField(_("核查不通过过"), default=False)
    dispatched = models.BooleanField(_("派遣过"), default=False)
    returned = models.BooleanField(_("被退回过"), default=False)
    handling = models.BooleanField(_("进入处置"), default=False)
    handled = models.BooleanField(_("反馈过结果"), default=False)
    handled_late = models.BooleanField(_("反馈超时"), default=False)
    hours_reported = models.FloatField(null=True, blank=True)
    hours_filed = models.FloatField(null=True, blank=True)
    hours_dispatched = models.FloatField(null=True, blank=True)
    hours_coordinating = models.FloatField(null=True, blank=True)
    hours_self_help = models.FloatField(null=True, blank=True)
    hours_in_progress = models.FloatField(null=True, blank=True)
    hours_handled = models.FloatField(null=True, blank=True)
    hours_closed = models.FloatField(null=True, blank=True)
    hours_evaluated = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("案件统计摘要")
        verbose_name_plural = _("案件统计摘要")
        indexes = [models.Index(fields=["scope_code", "reported_at"], name="tally_place_period")]

    def __str__(self) -> str:
        return str(self.case_id)
