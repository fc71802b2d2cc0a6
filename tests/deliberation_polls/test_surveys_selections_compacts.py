"""Surveys (once per resident, anonymous, response rates and the indicators), selections (the
published rule), compacts (adopted by a vote, versioned), and the demo's polls."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core.errors import UserError
from jiceng.core.registry import indicator
from jiceng.deliberation import ballots, compacts, polls, selections, surveys
from jiceng.deliberation.models import (
    CompactVersion,
    Poll,
    RegisterLink,
    Selection,
    SurveyResponse,
    VoteRecord,
)
from jiceng.deliberation.poll_demo import build_polls_demo
from tests.deliberation_polls.conftest import option

LATER = timedelta(days=7)


def make_survey(cast, anonymous=True):
    survey = surveys.survey_create(
        by=cast["secretary"],
        division=cast["places"]["community"],
        title="社区服务满意度测评",
        kind="satisfaction",
        anonymous=anonymous,
        closes_at=timezone.now() + LATER,
        questions=[
            ("环境卫生是否满意", "rating", []),
            ("最希望增加的服务", "choice", ["助餐", "托育"]),
            ("其他建议", "text", []),
        ],
    )
    return surveys.survey_open(survey=survey, by=cast["secretary"])


def answers(survey, rating="5", choice="助餐"):
    q = list(survey.questions.all())
    return {q[0].pk: rating, q[1].pk: choice, q[2].pk: ""}


@pytest.mark.django_db
def test_a_resident_answers_once_and_anonymously(cast):
    survey = make_survey(cast)
    assert survey.audience_size == 5  # the adults of our community
    surveys.survey_answer(survey=survey, user=cast["wang"], answers=answers(survey))
    with pytest.raises(UserError, match="您已提交过此问卷"):
        surveys.survey_answer(survey=survey, user=cast["wang"], answers=answers(survey))
    with pytest.raises(UserError, match="满意度请选 1 到 5"):
        surveys.survey_answer(survey=survey, user=cast["zhou"], answers=answers(survey, rating="9"))
    with pytest.raises(UserError, match="所选选项不存在"):
        surveys.survey_answer(survey=survey, user=cast["zhou"], answers=answers(survey, choice="x"))
    with pytest.raises(UserError, match="不在本问卷的调查范围内"):
        surveys.survey_answer(survey=survey, user=cast["qian"], answers=answers(survey))
    surveys.survey_answer(survey=survey, user=cast["zhou"], answers=answers(survey, rating="2"))
    rows = SurveyResponse.objects.filter(survey=survey)
    assert rows.count() == 2 and not rows.filter(respondent__isnull=False).exists()
    rates = surveys.response_rates(survey)
    assert [(r["answered"], r["audience"], r["rate"]) for r in rates] == [(2, 5, 40.0)]
    rating = surveys.results(survey)[0]
    assert (rating["count"], rating["mean"], rating["satisfied"]) == (2, 3.5, 50)


@pytest.mark.django_db
def test_the_indicators_count_by_hand(cast):
    survey = make_survey(cast)
    for user, rating in (("wang", "5"), ("zhao", "4"), ("zhou", "1")):
        surveys.survey_answer(
            survey=survey, user=cast[user], answers=answers(survey, rating=rating)
        )
    code = cast["places"]["district"].code
    start, end = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=30)
    rate = indicator("deliberation.survey_response_rate").compute(code, start, end)
    assert rate == {cast["places"]["community"].code: (3, 5)}
    satisfaction = indicator("deliberation.satisfaction").compute(code, start, end)
    assert sum(n for n, _ in satisfaction.values()) == 2  # two of three rated 4 or 5
    assert sum(d for _, d in satisfaction.values()) == 3


@pytest.mark.django_db
def test_a_resident_answers_on_the_phone(client, cast):
    survey = make_survey(cast)
    client.force_login(cast["wang"])
    url = reverse("deliberation_polls_m:survey", args=[survey.pk])
    q = list(survey.questions.all())
    bad = client.post(url, {f"q{q[0].pk}": "9", f"q{q[1].pk}": "助餐"})
    assert bad.status_code == 400 and not SurveyResponse.objects.exists()
    assert client.post(url, {f"q{q[0].pk}": "4", f"q{q[1].pk}": "托育"}).status_code == 302
    assert "您已提交过此问卷" in client.get(url).content.decode()
    client.force_login(cast["qian"])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_selection_combines_votes_and_panel_scores_by_its_rule(cast):
    selection = selections.selection_create(
        by=cast["secretary"],
        division=cast["places"]["community"],
        title="最美邻里",
        kind="neighbour",
        seats=1,
        public_weight=40,
    )
    for name in ("甲", "乙"):
        selections.nominate(selection=selection, by=cast["secretary"], name=name, reason="热心")
    with pytest.raises(UserError, match="已提名过此人"):
        selections.nominate(selection=selection, by=cast["secretary"], name="甲", reason="又一次")
    poll = selections.start_vote(
        selection=selection, by=cast["secretary"], closes_at=timezone.now() + LATER
    )
    a, b = option(poll, 1), option(poll, 2)
    for user, choice in (("wang", a), ("li", a), ("zhao", b), ("zhou", a)):
        ballots.cast_web(poll=poll, user=cast[user], options=[choice])
    with pytest.raises(UserError, match="现在不是评审阶段"):
        selections.score(
            nomination=selection.nominations.get(name="甲"), judge=cast["worker"], value=80
        )
    polls.poll_close(poll=poll, by=cast["secretary"])
    first, second = selection.nominations.get(name="甲"), selection.nominations.get(name="乙")
    assert (first.votes, second.votes) == (3, 1)
    for judge, s1, s2 in (("worker", 60, 100), ("secretary", 70, 90)):
        selections.score(nomination=first, judge=cast[judge], value=s1)
        selections.score(nomination=second, judge=cast[judge], value=s2)
    with pytest.raises(UserError, match="您已为此人评过分"):
        selections.score(nomination=first, judge=cast["worker"], value=99)
    selections.publish(selection=selection, by=cast["secretary"])
    first.refresh_from_db()
    second.refresh_from_db()
    # 甲: 0.4 × 100 + 0.6 × 65 = 79.00; 乙: 0.4 × 33.33 + 0.6 × 95 = 70.33
    assert (first.combined, first.rank) == (Decimal("79.00"), 1)
    assert (second.combined, second.rank) == (Decimal("70.33"), 2)
    assert Selection.objects.get(pk=selection.pk).status == "published"


@pytest.mark.django_db
def test_a_compact_is_adopted_by_a_vote_and_versioned(cast):
    compact = compacts.compact_create(
        by=cast["secretary"],
        division=cast["places"]["community"],
        title="居民公约",
        kind="compact",
        text="一、邻里互助。",
    )
    v1 = compact.versions.get()
    poll = compacts.version_to_vote(
        version=v1, by=cast["secretary"], closes_at=timezone.now() + LATER, electorate="household"
    )
    for user in ("wang", "zhao", "zhou"):
        ballots.cast_web(poll=poll, user=cast[user], options=[option(poll, 1)])
    polls.poll_close(poll=poll, by=cast["secretary"])
    assert compacts.in_force(compact).number == 1
    v2 = compacts.version_draft(
        compact=compact, by=cast["secretary"], text="一、邻里互助。二、垃圾分类。"
    )
    with pytest.raises(UserError, match="已有待表决的草案"):
        compacts.version_draft(compact=compact, by=cast["secretary"], text="又一稿")
    poll2 = compacts.version_to_vote(
        version=v2, by=cast["secretary"], closes_at=timezone.now() + LATER, electorate="household"
    )
    ballots.cast_web(poll=poll2, user=cast["wang"], options=[option(poll2, 2)])
    polls.poll_close(poll=poll2, by=cast["secretary"])  # no quorum: not adopted
    statuses = dict(compact.versions.values_list("number", "status"))
    assert statuses == {1: CompactVersion.Status.ADOPTED, 2: CompactVersion.Status.REJECTED}
    with pytest.raises(UserError):
        compacts.compact_create(
            by=cast["outsider"],
            division=cast["places"]["community"],
            title="x",
            kind="compact",
            text="y",
        )


@pytest.mark.django_db
def test_the_demo_shows_closed_and_open_household_polls_with_paper_and_web(cast):
    RegisterLink.objects.filter(user__username="resident").delete()
    cast["unlinked"].username = "resident"
    cast["unlinked"].save()
    build_polls_demo(district=cast["places"]["district"].code)
    closed = Poll.objects.filter(purpose="micro_project").get()
    assert closed.status == "closed" and closed.result.option_id
    channels = set(VoteRecord.objects.filter(poll=closed).values_list("channel", flat=True))
    assert channels <= {"web", "paper"} and VoteRecord.objects.filter(poll=closed).exists()
    lift = Poll.objects.get(status="open")
    me = RegisterLink.objects.get(user=cast["unlinked"]).person
    assert not VoteRecord.objects.filter(poll=lift, household=me.household).exists()
    assert polls.tally(closed).ballots == VoteRecord.objects.filter(poll=closed).count()
