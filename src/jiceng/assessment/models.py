"""Assessment records.

Schemes (``Scheme``, a tree of ``Node``: domains > categories > items, each with a weight) score
one kind of subject for a year; a published scheme is never edited (``services.scheme_copy``
makes next year's draft). A ``Round`` scores every subject of the district with one scheme for
its period: one ``Result`` per subject (total, rank, red/black list) and one ``ItemScore`` per
item with what it was computed from (the indicator's value, the snapshot's period, the place
whose records were counted). Manual scores (``ManualScore``, evidence + a second person's
approval) and adjustments (``Adjustment``, reason + approver) feed their items; ``Appeal`` and
``ScoreChange`` keep the subject's appeals and every change made after scoring.

The two-way evaluation (双考双评) is ``EvaluationRound`` + ``Rating`` (one per rater body, rated
subject and round: a constraint). Appraisals of people (述职评议, 民主评议党员) are
``Appraisal`` + ``AppraisalVote``; standardisation checklists ``Checklist`` + ``ChecklistEntry``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, TimeStampedModel
from jiceng.core.registry import indicator as find_indicator


class SubjectKind(models.TextChoices):
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    BRANCH = "branch", _("党支部")
    UNIT = "unit", _("共建单位")
    # the departments and units that handle cases (a case's handler): the hotline's three rates
    HANDLER = "handler", _("处置单位")
    PROPERTY = "property", _("物业服务企业")
    SECRETARY = "secretary", _("社区党组织书记")
    MEMBER = "member", _("党员")


class Source(models.TextChoices):
    """Where an item's score comes from (``sources.SOURCES`` computes each; a year-end
    appraisal from projects is one more entry there and here)."""

    INDICATOR = "indicator", _("指标（快照）")
    MANUAL = "manual", _("人工评分（附佐证）")
    SURVEY = "survey", _("问卷")
    POLL = "poll", _("投票")
    RATING = "rating", _("双考双评")
    ADJUSTMENT = "adjustment", _("加减分（经批准）")
    EVALUATION = "evaluation", _("年终考评（项目）")


class Conversion(models.TextChoices):
    LINEAR = "linear", _("区间线性")
    BANDS = "bands", _("分档")
    RANK = "rank", _("按排名")


class Scheme(TimeStampedModel, ScopedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    key = models.SlugField(_("标识"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    subject_kind = models.CharField(_("考核对象"), max_length=16, choices=SubjectKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    period_kind = models.CharField(_("周期"), max_length=8, default="year")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default="draft")
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("沿用自"), null=True, blank=True, on_delete=models.SET_NULL
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )

    scope_place = "division"

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_code", "key", "year"], name="assessment_scheme_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Node(models.Model):
    class Level(models.TextChoices):
        DOMAIN = "domain", _("领域")
        CATEGORY = "category", _("类别")
        ITEM = "item", _("考核项")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, blank=True)
    indicator = models.CharField(_("指标"), max_length=80, blank=True)
    conversion = models.CharField(_("换算"), max_length=8, choices=Conversion.choices, blank=True)
    low = models.FloatField(_("下限（得0分）"), null=True, blank=True)
    high = models.FloatField(_("上限（得满分）"), null=True, blank=True)
    # [[threshold, share of the weight], ...], the first threshold the value reaches counts
    bands = models.JSONField(_("分档"), default=list, blank=True)
    survey = models.ForeignKey(
        "deliberation.Survey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    poll = models.ForeignKey(
        "deliberation.Poll", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    definition = models.CharField(_("评分标准"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("考核项")
        verbose_name_plural = _("考核项")
        ordering = ["scheme_id", "order", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: the English one given, else an indicator item's
        indicator name (translated by its app)."""
        if (get_language() or "").startswith("en"):
            if self.name_en:
                return self.name_en
            found = find_indicator(self.indicator) if self.indicator else None
            if found is not None:
                return str(found.name)
        return self.name

    @property
    def is_bonus(self) -> bool:
        """An adjustment item is a 加减分项: outside the weights that add up to the total."""
        return self.source == Source.ADJUSTMENT


class Round(TimeStampedModel, ScopedModel):
    """One scoring of a scheme's subjects for a period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("未计算")
        SCORED = "scored", _("公示中（可申诉）")
        PUBLISHED = "published", _("已公布")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(_("名称"), max_length=100)
    period_start = models.DateField(_("周期起始"))
    period_end = models.DateField(_("周期截止"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default="draft")
    appeal_days = models.PositiveSmallIntegerField(_("申诉期（天）"), default=7)
    appeal_deadline = models.DateTimeField(_("申诉截止"), null=True, blank=True)
    red_count = models.PositiveSmallIntegerField(_("红榜名额"), default=3)
    black_count = models.PositiveSmallIntegerField(_("黑榜名额"), default=3)
    scored_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )

    scope_place = "division"

    class Meta:
        verbose_name = _("考核批次")
        verbose_name_plural = _("考核批次")
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.name


class Result(TimeStampedModel, ScopedModel):
    """One subject's total in a round. ``scope_code`` is the subject's place (its own code for a
    street or community, the branch's or unit's place, the person's)."""

    class Listing(models.TextChoices):
        NONE = "", _("—")
        RED = "red", _("红榜")
        BLACK = "black", _("黑榜")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    subject_ref = models.CharField(_("对象"), max_length=40)
    subject_name = models.CharField(_("对象名称"), max_length=120)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=Decimal(0))
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    listing = models.CharField(_("榜单"), max_length=8, choices=Listing.choices, blank=True)
    changed = models.BooleanField(_("公布后更改过"), default=False)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["round_id", "rank", "subject_ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "subject_ref"], name="assessment_result_one_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.total}"


class ItemScore(models.Model):
    """One item's points for one subject, with what they were computed from."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="items")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    value = models.FloatField(_("取值"), null=True, blank=True)
    numerator = models.FloatField(_("分子"), null=True, blank=True)
    denominator = models.FloatField(_("分母"), null=True, blank=True)
    # where the value was read: the snapshot's period and place (records behind it)
    period_kind = models.CharField(max_length=8, blank=True)
    period_start = models.DateField(null=True, blank=True)
    place_code = models.CharField(max_length=15, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("考核项得分")
        verbose_name_plural = _("考核项得分")
        constraints = [
            models.UniqueConstraint(fields=["result", "node"], name="assessment_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.node_id}: {self.points}"


class ManualScore(TimeStampedModel, ScopedModel):
    """A manual item score with evidence; counts once a second person approved it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="manual_scores")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    subject_ref = models.CharField(_("对象"), max_length=40)
    points = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("评分理由"), max_length=500)
    evidence = models.FileField(_("佐证材料"), upload_to="assessment/evidence/%Y/%m/")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "node", "subject_ref"], name="assessment_manual_once"
            )
        ]


class Adjustment(TimeStampedModel, ScopedModel):
    """A bonus or deduction (special contribution, emergency service), counted once approved."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("突出贡献")
        EMERGENCY = "emergency", _("应急服务")
        DEDUCTION = "deduction", _("扣分")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="adjustments")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    subject_ref = models.CharField(_("对象"), max_length=40)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("事由"), max_length=500)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("加减分")
        verbose_name_plural = _("加减分")


class Appeal(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("待复核")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉不成立")

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="appeals")
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.TextField(_("申诉理由"), max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="open")
    answer = models.TextField(_("复核意见"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-created_at"]


class ScoreChange(models.Model):
    """A change of an item's points after scoring: the old and new points and the reason."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="changes")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    old_points = models.DecimalField(_("原得分"), max_digits=7, decimal_places=2)
    new_points = models.DecimalField(_("新得分"), max_digits=7, decimal_places=2)
    old_total = models.DecimalField(_("原总分"), max_digits=7, decimal_places=2)
    new_total = models.DecimalField(_("新总分"), max_digits=7, decimal_places=2)
    reason = models.CharField(_("更改理由"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("更改时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("得分更改记录")
        verbose_name_plural = _("得分更改记录")
        ordering = ["at", "id"]

    # --- two-way evaluation (双考双评) -------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.old_points} -> {self.new_points}"


class Direction(models.TextChoices):
    COMMUNITY_RATES_UNIT = "c2u", _("社区评单位")
    UNIT_RATES_COMMUNITY = "u2c", _("单位评社区")
    MEMBER_RATES_BRANCH = "m2b", _("党员评支部")


class EvaluationRound(TimeStampedModel, ScopedModel):
    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )

    scope_place = "division"

    class Meta:
        verbose_name = _("双考双评")
        verbose_name_plural = _("双考双评")
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """One rating by a rater body (a community, a unit, a member) of one rated subject. The
    rater's account is kept for the audit; pages show the rated only the counts and averages."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="ratings")
    direction = models.CharField(_("方向"), max_length=4, choices=Direction.choices)
    rater_ref = models.CharField(_("评价方"), max_length=40)
    rated_ref = models.CharField(_("被评价方"), max_length=40)
    rated_code = models.CharField(_("被评价方区划"), max_length=15)
    score = models.PositiveSmallIntegerField(_("评分（1-5）"))
    comment = models.CharField(_("意见建议"), max_length=500, blank=True)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "direction", "rater_ref", "rated_ref"],
                name="assessment_rating_once_per_rater",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="assessment_rating_1_to_5"
            ),
        ]

    # --- appraisals of people ------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.direction} {self.rated_ref}"


def _in_a_month():
    return timezone.now() + timedelta(days=30)


class Appraisal(TimeStampedModel, ScopedModel):
    """One person's 述职评议 (a secretary's report, rated by the committee and the members of the
    place) or 民主评议 (a member's self-assessment and the branch's mutual rating) of a year.
    Votes count between ``opens_at`` and ``closes_at``; the grade is set when it is closed
    (the street or district for a report, the branch's community for a member), and only then
    do the person and the voters see the result."""

    class Kind(models.TextChoices):
        REPORT = "report", _("书记述职评议")
        DEMOCRATIC = "democratic", _("民主评议党员")

    class Status(models.TextChoices):
        OPEN = "open", _("评议中")
        CLOSED = "closed", _("已结束")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    # the person's account (a member without one is appraised all the same, through ``member``)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被评议人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.ForeignKey(
        "party.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    org = models.ForeignKey("party.PartyOrg", on_delete=models.PROTECT, related_name="+")
    report = models.TextField(_("述职报告 / 自我评价"), max_length=10000, blank=True)
    opens_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    closes_at = models.DateTimeField(_("截止时间"), default=_in_a_month)
    grade = models.CharField(_("评定等次"), max_length=12, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default="open")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评议")
        verbose_name_plural = _("评议")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "person"], name="assessment_appraisal_once_a_year"
            ),
            models.UniqueConstraint(
                fields=["kind", "year", "member"], name="assessment_appraisal_member_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def grades(self) -> list[tuple[str, str]]:
        return REPORT_GRADES if self.kind == self.Kind.REPORT else MEMBER_GRADES

    @property
    def grade_label(self) -> str:
        return str(dict(self.grades).get(self.grade, ""))

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now <= self.closes_at


REPORT_GRADES = [
    ("good", _("好")),
    ("fair_good", _("较好")),
    ("fair", _("一般")),
    ("poor", _("差")),
]
MEMBER_GRADES = [
    ("excellent", _("优秀")),
    ("qualified", _("合格")),
    ("basic", _("基本合格")),
    ("unqualified", _("不合格")),
]


class AppraisalVote(models.Model):
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="votes")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("等次"), max_length=12)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "rater"], name="assessment_vote_once")
        ]

    # --- standardisation checklists ------------------------------------------------------------

    def __str__(self) -> str:
        return self.grade


class Checklist(TimeStampedModel, ScopedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("填报中")
        SUBMITTED = "submitted", _("待验收")
        ACCEPTED = "accepted", _("验收通过")
        RETURNED = "returned", _("退回整改")

    standard = models.CharField(_("标准"), max_length=16)
    year = models.PositiveSmallIntegerField(_("年度"))
    org = models.ForeignKey("party.PartyOrg", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="draft")
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspected_at = models.DateTimeField(null=True, blank=True)
    inspection_note = models.CharField(_("验收意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("规范化建设清单")
        verbose_name_plural = _("规范化建设清单")
        ordering = ["-year", "scope_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "year", "org"], name="assessment_checklist_once"
            )
        ]


class ChecklistEntry(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="entries")
    key = models.CharField(max_length=24)
    note = models.CharField(_("完成情况"), max_length=500, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="assessment/checklists/%Y/", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checklist", "key"], name="assessment_entry_once")
        ]

    def __str__(self) -> str:
        return self.key
