"""The pages: the district's ranking, a community's score with its breakdown, an item with the
records behind it; the permission cast (district, our secretary, the neighbour's, no role,
anonymous); query budgets; the appeal form; English."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from jiceng.assessment.models import Appeal, Result, Round, Source


def _ours(cast, rnd) -> Result:
    return Result.objects.get(round=rnd, subject_ref=f"c:{cast['places']['community'].code}")


def test_the_district_walks_from_the_ranking_to_the_records(
    client, cast, scored_round, django_assert_max_num_queries
):
    client.force_login(cast["district"])
    ours = _ours(cast, scored_round)
    with django_assert_max_num_queries(14):
        ranking = client.get(reverse("assessment:round", args=[scored_round.pk]))
    assert ranking.status_code == 200
    assert reverse("assessment:result", args=[ours.pk]) in ranking.content.decode()
    with django_assert_max_num_queries(16):
        page = client.get(reverse("assessment:result", args=[ours.pk]))
    html = page.content.decode()
    assert str(ours.total) in html
    node = scored_round.scheme.nodes.get(indicator="cases.response_rate")
    item_url = reverse("assessment:item", args=[ours.pk, node.pk])
    assert item_url in html
    with django_assert_max_num_queries(12):
        item = client.get(item_url)
    assert item.status_code == 200
    assert reverse("cases:metrics") in item.content.decode()  # the records counted


def test_our_secretary_sees_our_score_not_the_neighbours(client, cast, scored_round):
    client.force_login(cast["secretary"])
    ours = _ours(cast, scored_round)
    theirs = Result.objects.get(
        round=scored_round, subject_ref=f"c:{cast['places']['neighbour'].code}"
    )
    assert client.get(reverse("assessment:result", args=[ours.pk])).status_code == 200
    assert client.get(reverse("assessment:result", args=[theirs.pk])).status_code == 404
    home = client.get(reverse("assessment:home")).content.decode()
    assert reverse("assessment:result", args=[ours.pk]) in home


def test_the_neighbours_secretary_and_no_role_and_anonymous(client, cast, scored_round):
    ours = _ours(cast, scored_round)
    url = reverse("assessment:result", args=[ours.pk])
    client.force_login(cast["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(cast["nobody"])
    assert client.get(url).status_code in (403, 404)
    client.logout()
    assert client.get(url).status_code == 302


def test_the_secretary_appeals_from_the_page_and_the_street_cannot(client, cast, scored_round):
    ours = _ours(cast, scored_round)
    manual = scored_round.scheme.nodes.get(source=Source.MANUAL)
    client.force_login(cast["secretary"])
    page = client.get(reverse("assessment:result", args=[ours.pk])).content.decode()
    assert 'data-testid="appeal-form"' in page
    client.post(reverse("assessment:appeal", args=[ours.pk]), {"node": manual.pk, "reason": "已补"})
    assert Appeal.objects.filter(result=ours, by=cast["secretary"]).exists()
    client.force_login(cast["street"])
    assert (
        'data-testid="appeal-form"'
        not in client.get(reverse("assessment:result", args=[ours.pk])).content.decode()
    )
    client.post(reverse("assessment:appeal", args=[ours.pk]), {"reason": "x"})
    assert Appeal.objects.filter(result=ours).count() == 1


def test_publishing_from_the_page_waits_for_the_appeal_period(client, cast, scored_round):
    client.force_login(cast["district"])
    url = reverse("assessment:round_action", args=[scored_round.pk, "publish"])
    client.post(url)
    scored_round.refresh_from_db()
    assert scored_round.status == Round.Status.SCORED
    Round.objects.filter(pk=scored_round.pk).update(
        appeal_deadline=timezone.now() - timedelta(minutes=1)
    )
    client.post(url)
    scored_round.refresh_from_db()
    assert scored_round.status == Round.Status.PUBLISHED


def test_the_pages_in_english(client, cast, scored_round):
    client.force_login(cast["district"])
    client.cookies["django_language"] = "en"
    ours = _ours(cast, scored_round)
    html = client.get(reverse("assessment:result", args=[ours.pk])).content.decode()
    assert "Change a score" in html and "Points" in html and "更改得分" not in html
    assert "On-time response rate" in html or "Response rate" in html  # the indicator's name
    ranking = client.get(reverse("assessment:round", args=[scored_round.pk])).content.decode()
    assert "Red list" in ranking and "红榜" not in ranking
    # a refusal in English, nothing written
    client.post(reverse("assessment:change", args=[ours.pk]), {"node": "", "points": "1"})
    assert not ours.changes.exists()


def test_the_api_gives_the_breakdown_scoped(
    client, cast, scored_round, django_assert_max_num_queries
):
    ours = _ours(cast, scored_round)
    client.force_login(cast["secretary"])
    with django_assert_max_num_queries(12):
        body = client.get(f"/api/assessment/results/{ours.pk}").json()
    assert body["total"] == str(ours.total) or float(body["total"]) == float(ours.total)
    items = [i["item"] for d in body["lines"] for c in d["children"] for i in c["children"]]
    assert any(i["indicator"] == "cases.response_rate" for i in items)
    client.force_login(cast["outsider"])
    assert client.get(f"/api/assessment/results/{ours.pk}").status_code == 404
    client.force_login(cast["district"])
    ranking = client.get(f"/api/assessment/rounds/{scored_round.pk}/ranking").json()
    assert [r["rank"] for r in ranking] == [1, 2]
