"""Polls (票决), their ballots, surveys, selections (评选) and community compacts (社区公约).

A poll's electorate is a rule (one ballot per household of the register, per resident aged 18+,
or per delegate) over a place (the community, a compound or a building). Who voted and what was
chosen are kept apart: ``VoteRecord`` is the register of who voted (one row per household or
person and poll, whatever the channel: a unique constraint in the database), ``Ballot`` and its
``BallotMark`` rows hold the choices without the voter, under a random key, written in the same
transaction. Neither is ever updated or deleted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import ScopedModel, TimeStampedModel, UnindexedScopedModel


class RegisterLink(TimeStampedModel):
    """居民实名关联: the account of a resident and their person in the register, confirmed by the
    community's staff. A household ballot is cast by an adult member of the household through
    this link. (It belongs to the register; kept here until the register grows it.)"""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.PROTECT,
        related_name="register_link",
    )
    person = models.OneToOneField(
        "registry.Person",
        verbose_name=_("居民"),
        on_delete=models.PROTECT,
        related_name="register_link",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("居民实名关联")
        verbose_name_plural = _("居民实名关联")

    def __str__(self) -> str:
        return f"{self.user} → {self.person}"


class Poll(TimeStampedModel, ScopedModel):
    """票决: one question put to an electorate, open for a time, counted when closed."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("赞成/反对/弃权")
        SINGLE = "single", _("单选")
        APPROVAL = "approval", _("多选（限选）")
        SCORE = "score", _("评分")
        RANKED = "ranked", _("排序")

    class Electorate(models.TextChoices):
        HOUSEHOLD = "household", _("每户一票")
        ADULT = "adult", _("年满18周岁居民每人一票")
        DELEGATE = "delegate", _("居民代表每人一票")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("投票中")
        CLOSED = "closed", _("已结束")

    class Purpose(models.TextChoices):
        GENERAL = "general", _("一般事项")
        MICRO_PROJECT = "micro_project", _("小微项目")
        COMPACT = "compact", _("社区公约")
        SELECTION = "selection", _("评选")

    division = models.ForeignKey(
        "geo.Division", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "registry.Compound",
        verbose_name=_("小区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    building = models.ForeignKey(
        "registry.Building",
        verbose_name=_("楼栋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    kind = models.CharField(_("投票方式"), max_length=16, choices=Kind.choices)
    electorate = models.CharField(_("投票人"), max_length=16, choices=Electorate.choices)
    purpose = models.CharField(
        _("事项类别"), max_length=16, choices=Purpose.choices, default=Purpose.GENERAL
    )
    max_choices = models.PositiveSmallIntegerField(_("最多可选"), default=1)
    score_max = models.PositiveSmallIntegerField(_("最高分"), default=5)
    seats = models.PositiveSmallIntegerField(_("当选名额"), default=1)
    # 城市居民委员会组织法 art. 9: more than half of the electorate present; more than half of
    # those present decide. Shares are "more than" (> 0.5), or "at least" with ``at_least``.
    quorum_share = models.DecimalField(
        _("有效参与比例"), max_digits=4, decimal_places=3, default=0.5
    )
    pass_share = models.DecimalField(_("通过比例"), max_digits=4, decimal_places=3, default=0.5)
    at_least = models.BooleanField(_("达到即可（否则须超过）"), default=False)
    # The double threshold (owners' matters, 民法典 art. 278): the same shares of floor area.
    area_share = models.DecimalField(
        _("面积通过比例"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("截止时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    electorate_size = models.PositiveIntegerField(_("应投票数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the poll decided, written when it closes (the outcome statement).
    outcome = models.CharField(_("结果"), max_length=500, blank=True)
    passed = models.BooleanField(_("是否通过"), null=True, blank=True)

    scope_place = "division"

    class Meta:
        verbose_name = _("票决")
        verbose_name_plural = _("票决")
        ordering = ["-closes_at", "-id"]
        indexes = [models.Index(fields=["status", "closes_at"], name="poll_status_closes")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class PollOption(models.Model):
    """One option of a poll (for yes/no/abstain the three answers are options too)."""

    poll = models.ForeignKey(
        Poll, verbose_name=_("票决"), on_delete=models.PROTECT, related_name="options"
    )
    label = models.CharField(_("选项"), max_length=200)
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    # yes / no / abstain for yes-no polls; empty otherwise
    code = models.CharField(_("代码"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["poll", "position", "id"]

    def __str__(self) -> str:
        return self.label


class PollDelegate(models.Model):
    """A delegate (居民代表) who may vote in a delegates' poll."""

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="delegates")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("居民代表")
        verbose_name_plural = _("居民代表")
        constraints = [
            models.UniqueConstraint(fields=["poll", "person"], name="poll_delegate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.person_id}"


class Channel(models.TextChoices):
    WEB = "web", _("网上投票")
    PAPER = "paper", _("纸质选票")


class PaperBatch(TimeStampedModel):
    """A batch of paper ballots, typed in twice by two people; it counts once both agree."""

    class Status(models.TextChoices):
        FIRST = "first", _("待第二次录入")
        DIFFERS = "differs", _("两次录入不一致")
        AGREED = "agreed", _("两次录入一致，待计入")
        COUNTED = "counted", _("已计入")

    poll = models.ForeignKey(
        Poll, verbose_name=_("票决"), on_delete=models.PROTECT, related_name="batches"
    )
    number = models.PositiveIntegerField(_("批次号"))
    sheets = models.PositiveIntegerField(_("选票张数"))
    # Who signed the batch's tally sheet (唱票、监票人) as written on it, and who typed each round.
    signed_by = models.CharField(_("签字人"), max_length=100)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.FIRST)
    first_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("第一次录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    second_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("第二次录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("计入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    counted_at = models.DateTimeField(_("计入时间"), null=True, blank=True)
    digest = models.CharField(_("内容摘要"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("纸质选票批次")
        verbose_name_plural = _("纸质选票批次")
        ordering = ["poll", "number"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "number"], name="paper_batch_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.poll} #{self.number}"


class PaperEntry(models.Model):
    """One paper ballot as typed in one round; a correction supersedes it (never deleted)."""

    batch = models.ForeignKey(PaperBatch, on_delete=models.PROTECT, related_name="entries")
    round = models.PositiveSmallIntegerField(_("录入轮次"))
    line = models.PositiveIntegerField(_("行号"))
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    choice = models.JSONField(_("选择"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("纸质选票录入")
        verbose_name_plural = _("纸质选票录入")
        ordering = ["batch", "line", "round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "round", "line"],
                condition=Q(superseded=False),
                name="paper_entry_current_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.round}-{self.line}"


class VoteRecord(UnindexedScopedModel):
    """The register of who voted: one row per household (or person) and poll, whatever the
    channel. It holds no choice: the ballot is stored apart (``Ballot``)."""

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="voted")
    # "h<household id>" or "p<person id>": what holds the ballot under the poll's rule
    voter_key = models.CharField(_("投票人"), max_length=24)
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    batch = models.ForeignKey(
        PaperBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("投票时间"), auto_now_add=True)
    # Floor area of the voter's dwelling where the register has one (double thresholds).
    area = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("投票登记")
        verbose_name_plural = _("投票登记")
        constraints = [
            # The last word: one ballot per household (or person) and poll, web or paper, even
            # when two arrive at the same moment.
            models.UniqueConstraint(fields=["poll", "voter_key"], name="vote_once_per_poll"),
        ]
        indexes = [models.Index(fields=["poll", "scope_code"], name="vote_record_turnout")]


class Ballot(models.Model):
    """A ballot's content, without its voter: a random key, the channel, the receipt's hash
    (the voter keeps the receipt; only its hash is here, so the voter can see it counted)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="ballots")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    receipt_hash = models.CharField(max_length=64, blank=True)
    # The floor area the ballot weighs in a double threshold (none where the register has none)
    area = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        indexes = [models.Index(fields=["poll", "receipt_hash"], name="ballot_receipt")]

    def __str__(self) -> str:
        return str(self.pk)


class BallotMark(models.Model):
    """One mark of a ballot: the option and its value (1 for a choice, the score, the rank)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="marks")
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(PollOption, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["poll", "option", "value"], name="ballot_mark_tally")]

    def __str__(self) -> str:
        return f"{self.option_id}={self.value}"


class PollOutcome(TimeStampedModel, ScopedModel):
    """What a closed poll decided, for the app that carries it out (a winning micro-project goes
    on to the projects list: ``taken_at`` is set when the projects app takes it)."""

    poll = models.OneToOneField(Poll, on_delete=models.PROTECT, related_name="result")
    purpose = models.CharField(max_length=16, choices=Poll.Purpose.choices)
    option = models.ForeignKey(
        PollOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("结果"), max_length=300)
    passed = models.BooleanField(_("是否通过"))
    taken_at = models.DateTimeField(_("转入时间"), null=True, blank=True)
    taken_ref = models.CharField(_("转入记录"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("票决结果")
        verbose_name_plural = _("票决结果")


# --- surveys ---------------------------------------------------------------------------------


class Survey(TimeStampedModel, ScopedModel):
    """群众评价 / 需求调查: questions put to a place's residents, anonymous where set."""

    class Kind(models.TextChoices):
        SATISFACTION = "satisfaction", _("满意度测评")
        NEEDS = "needs", _("需求调查")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    division = models.ForeignKey(
        "geo.Division", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    anonymous = models.BooleanField(_("匿名"), default=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    closes_at = models.DateTimeField(_("截止时间"))
    opened_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    audience_size = models.PositiveIntegerField(_("应答人数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    scope_place = "division"

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-closes_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("满意度（1–5）")
        CHOICE = "choice", _("单选")
        TEXT = "text", _("文字")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("问题"), max_length=300)
    kind = models.CharField(_("题型"), max_length=8, choices=Kind.choices)
    choices = models.JSONField(_("选项"), default=list, blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(UnindexedScopedModel):
    """One answer sheet. ``respondent_key`` (a keyed hash of the survey and the account) lets a
    resident answer once even where the survey is anonymous; ``respondent`` only where not."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    respondent_key = models.CharField(max_length=64)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"], name="survey_response_once"
            )
        ]
        indexes = [models.Index(fields=["scope_code", "survey"], name="survey_response_scope")]


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=200, blank=True)
    text = models.CharField(max_length=1000, blank=True)

    def __str__(self) -> str:
        return f"{self.question_id}"


# --- selections (评选) ------------------------------------------------------------------------


class Selection(TimeStampedModel, ScopedModel):
    """评选: nominations, a public vote (a poll) and a panel's scores, combined by a published
    rule: combined = public weight × (votes ÷ the most votes × 100) + panel weight × the mean
    panel score (0–100)."""

    class Kind(models.TextChoices):
        COMPOUND = "compound", _("十佳小区")
        SECRETARY = "secretary", _("明星小区党组织书记")
        GOOD_PERSON = "good_person", _("好人")
        NEIGHBOUR = "neighbour", _("最美邻里")

    class Status(models.TextChoices):
        NOMINATING = "nominating", _("提名中")
        VOTING = "voting", _("投票中")
        SCORING = "scoring", _("评审中")
        PUBLISHED = "published", _("已公布")

    division = models.ForeignKey(
        "geo.Division", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    seats = models.PositiveSmallIntegerField(_("评选名额"), default=1)
    public_weight = models.PositiveSmallIntegerField(_("群众投票权重（%）"), default=40)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.NOMINATING
    )
    poll = models.OneToOneField(
        Poll, null=True, blank=True, on_delete=models.PROTECT, related_name="selection"
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    scope_place = "division"

    class Meta:
        verbose_name = _("评选")
        verbose_name_plural = _("评选")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def panel_weight(self) -> int:
        return 100 - self.public_weight


class Nomination(TimeStampedModel):
    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="nominations")
    name = models.CharField(_("被提名者"), max_length=100)
    reason = models.CharField(_("推荐理由"), max_length=500)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    option = models.OneToOneField(
        PollOption, null=True, blank=True, on_delete=models.PROTECT, related_name="nomination"
    )
    votes = models.PositiveIntegerField(_("得票"), default=0)
    panel_score = models.DecimalField(
        _("评审得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    combined = models.DecimalField(
        _("综合得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)

    class Meta:
        ordering = ["selection", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "name"], name="nomination_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PanelScore(TimeStampedModel):
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="scores")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("评分"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["nomination", "judge"], name="panel_score_once"),
            models.CheckConstraint(condition=Q(score__lte=100), name="panel_score_range"),
        ]


# --- compacts (社区公约) ----------------------------------------------------------------------


class Compact(TimeStampedModel, ScopedModel):
    """社区公约 or 道德负面清单: versioned; a version is adopted by a residents' vote."""

    class Kind(models.TextChoices):
        COMPACT = "compact", _("社区公约")
        NEGATIVE_LIST = "negative_list", _("道德负面清单")

    division = models.ForeignKey(
        "geo.Division", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)

    scope_place = "division"

    class Meta:
        verbose_name = _("社区公约")
        verbose_name_plural = _("社区公约")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CompactVersion(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草案")
        VOTING = "voting", _("表决中")
        ADOPTED = "adopted", _("已通过并公布")
        REJECTED = "rejected", _("未通过")
        SUPERSEDED = "superseded", _("已被新版本取代")

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    text = models.TextField(_("条文"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    poll = models.OneToOneField(
        Poll, null=True, blank=True, on_delete=models.PROTECT, related_name="compact_version"
    )
    adopted_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["compact", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["compact", "number"], name="compact_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.compact} v{self.number}"
