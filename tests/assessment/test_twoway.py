"""The two-way evaluation: one rating per rater per round (a constraint), ratings outside the
round refused, the rated see counts and averages, never who rated; appraisals' votes once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.assessment import services
from jiceng.assessment.models import Appraisal, EvaluationRound, Rating
from jiceng.core.errors import UserError
from jiceng.party.models import PartyOrg
from tests.factories import user_with_role


@pytest.fixture
def evaluation(cast):
    now = timezone.now()
    return EvaluationRound.objects.create(
        name="2026 双考双评",
        year=2026,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        division=cast["places"]["district"],
    )


def _give(evaluation, by, **kw):
    args = dict(
        evaluation=evaluation,
        direction="c2u",
        rater_ref="c:360602001001",
        rated_ref="unit:1",
        rated_code="360602001",
        score=4,
        by=by,
    )
    args.update(kw)
    return services.rating_give(**args)


def test_one_rating_per_rater_and_outside_the_round_refused(cast, evaluation):
    _give(evaluation, cast["secretary"])
    with pytest.raises(UserError, match="重复"):
        _give(evaluation, cast["secretary"], score=5)
    with pytest.raises(UserError, match="不在评价时间内"):
        _give(
            evaluation,
            cast["secretary"],
            rated_ref="unit:2",
            now=evaluation.closes_at + timedelta(minutes=1),
        )
    with pytest.raises(UserError, match="1 到 5"):
        _give(evaluation, cast["secretary"], rated_ref="unit:3", score=6)
    assert Rating.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            round=evaluation,
            direction="c2u",
            rater_ref="c:360602001001",
            rated_ref="unit:1",
            rated_code="360602001",
            score=3,
            rater=cast["district"],
        )


def test_the_rated_see_no_rater(client, cast, evaluation):
    from django.urls import reverse

    _give(
        evaluation,
        cast["secretary"],
        direction="u2c",
        rater_ref="unit:9",
        rated_ref=f"c:{cast['places']['community'].code}",
    )
    client.force_login(cast["secretary"])
    html = client.get(reverse("assessment:evaluation", args=[evaluation.pk])).content.decode()
    assert "4.0" in html and cast["street"].full_name not in html
    assert "unit:9" not in html


def test_an_appraisal_vote_once_and_never_ones_own_report(cast):
    org = PartyOrg.objects.create(
        name="社区党委", kind="committee", division=cast["places"]["community"]
    )
    appraisal = Appraisal.objects.create(
        kind="report",
        year=2025,
        person=cast["secretary"],
        org=org,
        scope_code=org.scope_code,
        report="述职",
    )
    with pytest.raises(UserError, match="自己"):
        services.appraisal_vote(appraisal=appraisal, grade="good", by=cast["secretary"])
    worker = user_with_role("community_worker", division=cast["places"]["community"])
    services.appraisal_vote(appraisal=appraisal, grade="good", by=worker)
    with pytest.raises(UserError, match="已经评议"):
        services.appraisal_vote(appraisal=appraisal, grade="poor", by=worker)
    other = user_with_role("community_worker", division=cast["places"]["community"])
    with pytest.raises(UserError, match="等次"):
        services.appraisal_vote(appraisal=appraisal, grade="优", by=other)


def test_the_secretary_rates_a_unit_registered_with_the_community(
    client, cast, evaluation, django_assert_max_num_queries
):
    from django.urls import reverse

    from jiceng.party.models import Registration
    from tests.factories import partner

    places = cast["places"]
    unit = partner("江边科技公司", "enterprise", places["street"])
    org = PartyOrg.objects.create(
        name="江边科技党支部", kind="branch", division=places["street"], partner=unit
    )
    Registration.objects.create(
        kind="org",
        org=org,
        community=places["community"],
        scope_code=places["community"].code,
        status="approved",
    )
    client.force_login(cast["secretary"])
    url = reverse("assessment:evaluation", args=[evaluation.pk])
    with django_assert_max_num_queries(18):  # 18 on SQLite, 17 on PostgreSQL
        page = client.get(url).content.decode()
    assert "江边科技公司" in page and 'data-testid="rating-form"' in page
    post = {
        "direction": "c2u",
        "rater": f"c:{places['community'].code}",
        "rated": f"unit:{unit.pk}",
        "score": "5",
    }
    client.post(url, post)
    client.post(url, {**post, "score": "1"})
    assert list(Rating.objects.values_list("score", flat=True)) == [5]
    # the neighbour's secretary cannot rate in our community's name
    client.force_login(cast["outsider"])
    client.post(url, {**post, "score": "1"})
    assert Rating.objects.count() == 1


def test_a_member_rates_the_branch_on_the_phone(client, cast, evaluation):
    from django.urls import reverse

    from tests.factories import user_with_role
    from tests.party.conftest import make_member

    places = cast["places"]
    branch = PartyOrg.objects.create(name="第一支部", kind="branch", division=places["grid1"])
    user = user_with_role("member", division=places["community"])
    member = make_member(branch, "党员甲", user=user)
    client.force_login(user)
    page = client.get(reverse("assessment_m:home")).content.decode()
    assert "第一支部" in page
    post = {
        "round": evaluation.pk,
        "direction": "m2b",
        "rater": f"member:{member.pk}",
        "rated": f"org:{branch.pk}",
        "score": "4",
    }
    client.post(reverse("assessment_m:home"), post)
    client.post(reverse("assessment_m:home"), {**post, "score": "2"})
    assert list(Rating.objects.values_list("score", flat=True)) == [4]
    assert "已评价" in client.get(reverse("assessment_m:home")).content.decode()
