"""Deliberation's record books (台账): the deliberation meetings (协商议事记录: kind, date,
participants, topics, resolutions), the votes (票决记录: each poll closed in the period with its
turnout and result) and the satisfaction surveys (满意度测评: each survey closed in the period
with its responses and ratings)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.roles import MANAGER_ROLES
from jiceng.core.books import CHUNK, chunked, label, local, masked, names, span
from jiceng.core.registry import BookColumn, RecordBook, register_record_book
from jiceng.deliberation.models import (
    AgendaItem,
    Ballot,
    Meeting,
    Participant,
    Poll,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)

ROLES = frozenset(MANAGER_ROLES)
LEVELS = frozenset({"district", "street", "community"})
SIGNATURES = (_("记录人"), _("审核人"))

MEETING_COLUMNS = (
    BookColumn("date", _("日期"), 17),
    BookColumn("community", _("社区"), 16),
    BookColumn("kind", _("会议类型"), 14),
    BookColumn("title", _("主题"), 20),
    BookColumn("place", _("地点"), 14),
    BookColumn("invited", _("应到人数"), 8),
    BookColumn("present", _("实到人数"), 8),
    BookColumn("participants", _("参会人员"), 30),
    BookColumn("topics", _("议题"), 30),
    BookColumn("resolutions", _("会议决议"), 40),
)


def meeting_rows(user, code: str, start, end):
    """The meetings held in [start, end) inside ``code``: who came, what was discussed and
    resolved. Two queries per piece of meetings for their participants and agendas."""
    since, until = span(start, end)
    meetings = (
        Meeting.objects.within(code)
        .filter(status=Meeting.Status.HELD, starts_at__gte=since, starts_at__lt=until)
        .order_by("starts_at", "id")
        .values_list(
            "pk", "starts_at", "community__name", "kind__name", "title", "place", "resolutions"
        )
    )
    for piece in chunked(meetings.iterator(chunk_size=CHUNK), 500):
        ids = [m[0] for m in piece]
        invited, present = defaultdict(int), defaultdict(list)
        for meeting_id, name, was_invited, came in Participant.objects.filter(
            meeting_id__in=ids
        ).values_list("meeting_id", "name", "invited", "present"):
            invited[meeting_id] += 1 if was_invited else 0
            if came:
                present[meeting_id].append(name)
        topics = defaultdict(list)
        for meeting_id, title in (
            AgendaItem.objects.filter(meeting_id__in=ids)
            .order_by("meeting_id", "position")
            .values_list("meeting_id", "title")
        ):
            topics[meeting_id].append(title)
        for pk, starts, community, kind, title, place, resolutions in piece:
            yield (
                local(starts),
                community,
                kind,
                title,
                place,
                invited[pk],
                len(present[pk]),
                names(present[pk]),
                "；".join(topics[pk]),
                masked(resolutions),
            )


POLL_COLUMNS = (
    BookColumn("closed_at", _("结束时间"), 17),
    BookColumn("place", _("范围"), 16),
    BookColumn("title", _("表决事项"), 24),
    BookColumn("kind", _("投票方式"), 12),
    BookColumn("electorate", _("投票人"), 14),
    BookColumn("electorate_size", _("应投票数"), 8),
    BookColumn("ballots", _("实投票数"), 8),
    BookColumn("turnout", _("参与率（%）"), 8),
    BookColumn("passed", _("是否通过"), 8),
    BookColumn("outcome", _("表决结果"), 30),
)


def poll_rows(user, code: str, start, end):
    """The polls closed in [start, end) inside ``code``: turnout (ballots cast of the
    electorate) and the result."""
    since, until = span(start, end)
    ballots = (
        Ballot.objects.filter(poll=OuterRef("pk"))
        .order_by()
        .values("poll")
        .annotate(n=Count("pk"))
        .values("n")
    )
    polls = (
        Poll.objects.within(code)
        .filter(status=Poll.Status.CLOSED, closed_at__gte=since, closed_at__lt=until)
        .annotate(n_ballots=Coalesce(Subquery(ballots, output_field=IntegerField()), 0))
        .order_by("closed_at", "id")
        .values_list(
            "closed_at",
            "division__name",
            "title",
            "kind",
            "electorate",
            "electorate_size",
            "n_ballots",
            "passed",
            "outcome",
        )
    )
    for closed, place, title, kind, electorate, size, cast, passed, outcome in polls.iterator(
        chunk_size=CHUNK
    ):
        turnout = (Decimal(cast) * 100 / size).quantize(Decimal("0.1")) if size else None
        yield (
            local(closed),
            place,
            title,
            label(Poll.Kind.choices, kind),
            label(Poll.Electorate.choices, electorate),
            size,
            cast,
            turnout,
            "" if passed is None else str(_("通过") if passed else _("未通过")),
            outcome,
        )


SURVEY_COLUMNS = (
    BookColumn("closes_at", _("截止时间"), 17),
    BookColumn("place", _("范围"), 16),
    BookColumn("title", _("测评名称"), 24),
    BookColumn("audience", _("应答人数"), 8),
    BookColumn("responses", _("实答人数"), 8),
    BookColumn("rate", _("参与率（%）"), 8),
    BookColumn("ratings", _("评分条数"), 8),
    BookColumn("mean", _("平均分（满分5分）"), 10),
    BookColumn("satisfied", _("满意率（%）"), 10),
)


def survey_rows(user, code: str, start, end):
    """The satisfaction surveys that closed in [start, end) inside ``code``: how many answered
    and how they rated (4 or 5 of 5 counts as satisfied)."""
    since, until = span(start, end)
    responses = (
        SurveyResponse.objects.filter(survey=OuterRef("pk"))
        .order_by()
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    surveys = (
        Survey.objects.within(code)
        .filter(
            kind=Survey.Kind.SATISFACTION,
            status__in=[Survey.Status.OPEN, Survey.Status.CLOSED],
            closes_at__gte=since,
            closes_at__lt=until,
        )
        .annotate(n_responses=Coalesce(Subquery(responses, output_field=IntegerField()), 0))
        .order_by("closes_at", "id")
        .values_list("pk", "closes_at", "division__name", "title", "audience_size", "n_responses")
    )
    for piece in chunked(surveys.iterator(chunk_size=CHUNK), 500):
        ratings = {
            row["response__survey_id"]: row
            for row in SurveyAnswer.objects.filter(
                response__survey_id__in=[s[0] for s in piece], rating__isnull=False
            )
            .values("response__survey_id")
            .annotate(n=Count("pk"), mean=Avg("rating"), good=Count("pk", filter=Q(rating__gte=4)))
        }
        for pk, closes, place, title, audience, answered in piece:
            rated = ratings.get(pk, {})
            n = rated.get("n", 0)
            yield (
                local(closes),
                place,
                title,
                audience,
                answered,
                (Decimal(answered) * 100 / audience).quantize(Decimal("0.1")) if audience else None,
                n,
                Decimal(str(rated["mean"])).quantize(Decimal("0.01")) if n else None,
                (Decimal(rated["good"]) * 100 / n).quantize(Decimal("0.1")) if n else None,
            )


for _key, _title, _columns, _rows, _definition, _order in (
    (
        "deliberation.meetings",
        _("协商议事会议记录"),
        MEETING_COLUMNS,
        meeting_rows,
        _("本期召开的每次议事协商会议：参会人员、议题和会议决议。"),
        50,
    ),
    (
        "deliberation.polls",
        _("民主票决记录"),
        POLL_COLUMNS,
        poll_rows,
        _("本期结束的每项表决：应投、实投票数，参与率和表决结果。"),
        51,
    ),
    (
        "deliberation.surveys",
        _("群众满意度测评台账"),
        SURVEY_COLUMNS,
        survey_rows,
        _("本期截止的每次满意度测评：参与人数、平均分和满意率。"),
        61,
    ),
):
    register_record_book(
        RecordBook(
            _key,
            _title,
            LEVELS,
            _columns,
            _rows,
            ROLES,
            signatures=SIGNATURES,
            definition=_definition,
            order=_order,
        )
    )
