"""The staff's and the resident's pages and the API: who may do what, what a refused ballot
says, results hidden until the close, the query budgets of the lists, and English."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.deliberation import ballots, polls
from jiceng.deliberation.models import PaperBatch, Poll, VoteRecord
from tests.deliberation_polls.conftest import make_poll, option

API = "/api/deliberation/polls"


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_console_pages_open_to_the_community_staff_only(client, cast):
    poll = make_poll(cast)
    urls = [
        reverse("deliberation_polls:home"),
        reverse("deliberation_polls:new"),
        reverse("deliberation_polls:detail", args=[poll.pk]),
        reverse("deliberation_polls:register", args=[poll.pk]),
        reverse("deliberation_polls:surveys"),
        reverse("deliberation_polls:selections"),
        reverse("deliberation_polls:compacts"),
    ]
    client.force_login(cast["worker"])
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.force_login(cast["outsider"])
    assert client.get(urls[0]).status_code == 200
    assert poll.title not in client.get(urls[0]).content.decode()
    assert client.get(urls[2]).status_code == 404
    assert client.get(urls[3]).status_code == 404
    client.force_login(cast["wang"])
    assert client.get(urls[0]).status_code == 403
    client.logout()
    assert client.get(urls[0]).status_code == 302


@pytest.mark.django_db
def test_staff_make_open_and_close_a_poll_on_the_pages(client, cast):
    client.force_login(cast["secretary"])
    data = {
        "division": cast["places"]["community"].pk,
        "title": "小微项目票决",
        "kind": "single",
        "electorate": "household",
        "purpose": "micro_project",
        "options": "修缮车棚\n加装路灯",
        "closes_at": "2099-01-01T10:00",
        "max_choices": 1,
        "score_max": 5,
        "seats": 1,
        "quorum_share": "0.5",
        "pass_share": "0",
    }
    bad = client.post(reverse("deliberation_polls:new"), {**data, "options": "只有一个"})
    assert bad.status_code == 400 and "至少需要两个选项" in bad.content.decode()
    assert not Poll.objects.exists()
    outside = client.post(
        reverse("deliberation_polls:new"), {**data, "division": cast["places"]["neighbour"].pk}
    )
    assert outside.status_code == 404
    response = client.post(reverse("deliberation_polls:new"), data)
    poll = Poll.objects.get()
    assert response.status_code == 302 and poll.status == "draft"
    client.post(reverse("deliberation_polls:action", args=[poll.pk, "open"]))
    poll.refresh_from_db()
    assert poll.status == "open" and poll.electorate_size == 4
    ballots.cast_web(poll=poll, user=cast["wang"], options=[option(poll, 2)])
    ballots.cast_web(poll=poll, user=cast["zhao"], options=[option(poll, 2)])
    ballots.cast_web(poll=poll, user=cast["zhou"], options=[option(poll, 1)])
    page = client.get(reverse("deliberation_polls:detail", args=[poll.pk])).content.decode()
    assert "各网格投票进度" in page and "投票结束后公布结果" in page
    client.post(reverse("deliberation_polls:action", args=[poll.pk, "close"]))
    poll.refresh_from_db()
    assert poll.status == "closed" and poll.outcome == "当选：加装路灯"
    assert poll.result.title == "加装路灯" and poll.result.purpose == "micro_project"
    again = client.post(reverse("deliberation_polls:action", args=[poll.pk, "close"]))
    assert again.status_code == 409


@pytest.mark.django_db
def test_a_resident_votes_on_the_phone_and_the_household_is_told(client, cast):
    poll = make_poll(cast)
    url = reverse("deliberation_polls_m:poll", args=[poll.pk])
    client.force_login(cast["wang"])
    home = client.get(reverse("deliberation_polls_m:home")).content.decode()
    assert poll.title in home
    refused = client.post(url, {"options": "999999"})
    assert refused.status_code == 400 and not VoteRecord.objects.exists()
    done = client.post(url, {"options": option(poll, 1)})
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "本户已投票" in page and 'data-testid="receipt"' in page
    code = client.session["poll_receipts"][str(poll.pk)]
    check = client.get(reverse("deliberation_polls_m:receipt", args=[poll.pk]), {"code": code})
    assert "这张选票已计入" in check.content.decode()
    client.force_login(cast["li"])  # the same household
    page = client.get(url).content.decode()
    assert "本户已投票" in page and 'data-testid="ballot-form"' not in page
    second = client.post(url, {"options": option(poll, 2)})
    assert second.status_code == 400 and "本户已投票" in second.content.decode()
    assert VoteRecord.objects.count() == 1
    client.force_login(cast["qian"])  # the neighbour community's resident
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_api_casts_once_and_hides_results_until_the_close(client, cast):
    poll = make_poll(cast)
    client.force_login(cast["wang"])
    listed = client.get(API).json()
    assert [p["id"] for p in listed["items"]] == [poll.pk]
    post = lambda body: client.post(  # noqa: E731
        f"{API}/{poll.pk}/ballots", json.dumps(body), content_type="application/json"
    )
    assert post({"options": [99999]}).status_code == 400
    made = post({"options": [option(poll, 1)]})
    assert made.status_code == 201
    receipt = made.json()["receipt"]
    again = post({"options": [option(poll, 1)]})
    assert again.status_code == 409 and "本户已投票" in again.json()["detail"]
    client.force_login(cast["li"])
    assert post({"options": [option(poll, 2)]}).status_code == 409
    hidden = client.get(f"{API}/{poll.pk}/results")
    assert hidden.status_code == 409 and "投票结束后公布结果" in hidden.json()["detail"]
    assert client.get(f"{API}/{poll.pk}/turnout").status_code == 404  # residents: not theirs
    assert client.get(f"{API}/{poll.pk}/receipt", {"code": receipt}).json() == {"counted": True}
    client.force_login(cast["secretary"])
    turnout = client.get(f"{API}/{poll.pk}/turnout").json()
    assert sum(r["voted"] for r in turnout) == 1
    polls.poll_close(poll=poll, by=cast["secretary"])
    client.force_login(cast["wang"])
    result = client.get(f"{API}/{poll.pk}/results").json()
    assert (result["ballots"], result["web"], result["electorate"]) == (1, 1, 4)
    client.force_login(cast["qian"])
    assert client.get(f"{API}/{poll.pk}/results").status_code == 404
    assert post({"options": [option(poll, 1)]}).status_code == 404
    client.force_login(cast["outsider"])
    assert client.get(f"{API}/{poll.pk}/turnout").status_code == 404
    client.logout()
    assert client.get(API).status_code == 401


@pytest.mark.django_db
def test_a_paper_batch_typed_twice_on_the_pages(client, cast):
    poll = make_poll(cast)
    h2, h3 = cast["h2"].pk, cast["h3"].pk
    client.force_login(cast["secretary"])
    new = reverse("deliberation_polls:batch_new", args=[poll.pk])
    bad = client.post(new, {"sheets": 2, "signed_by": "张三", "lines": f"{h2} 1"})
    assert bad.status_code == 400 and "录入了 1 张" in bad.content.decode()
    client.post(new, {"sheets": 2, "signed_by": "张三", "lines": f"{h2} 1\n{h3} 2"})
    batch = PaperBatch.objects.get()

    def act(action, **data):
        return client.post(
            reverse("deliberation_polls:batch_action", args=[batch.pk, action]), data
        )

    same = act("second", lines=f"{h2} 1\n{h3} 2")
    assert same.status_code == 400 and "另一位工作人员" in same.content.decode()
    client.force_login(cast["worker"])
    act("second", lines=f"{h2} 1\n{h3} 1")
    page = client.get(reverse("deliberation_polls:batch", args=[batch.pk])).content.decode()
    assert 'data-testid="differences"' in page and 'data-line="2"' in page
    assert act("count").status_code == 400
    act("correct", round=2, line=2, text=f"{h3} 2")
    assert act("count").status_code == 302
    assert VoteRecord.objects.filter(channel="paper").count() == 2


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as done:
        assert client.get(url).status_code == 200
    return len(done)


@pytest.mark.django_db
def test_lists_stay_within_their_query_budget(client, cast, django_assert_max_num_queries):
    """Each list costs the same few queries with 3 polls as with 9 (no query per row)."""
    pages = [
        ("secretary", reverse("deliberation_polls:home"), 12),
        ("wang", reverse("deliberation_polls_m:home"), 12),
        ("wang", API, 8),
    ]
    first = []
    for n in range(3):
        make_poll(cast, title=f"票决{n}")
    for user, url, budget in pages:
        client.force_login(cast[user])
        with django_assert_max_num_queries(budget):
            first.append(queries(client, url))
    for n in range(6):
        make_poll(cast, title=f"票决{n + 3}")
    for (user, url, _budget), before in zip(pages, first, strict=True):
        client.force_login(cast[user])
        assert queries(client, url) == before, url
    poll = Poll.objects.first()
    for user in ("wang", "zhao", "zhou"):
        ballots.cast_web(poll=poll, user=cast[user], options=[option(poll, 1)])
    client.force_login(cast["secretary"])
    with django_assert_max_num_queries(14):
        assert client.get(reverse("deliberation_polls:register", args=[poll.pk])).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(reverse("deliberation_polls:detail", args=[poll.pk])).status_code == 200


@pytest.mark.django_db
def test_the_pages_speak_english(client, cast):
    poll = make_poll(cast)
    client.force_login(cast["wang"])
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("deliberation_polls_m:poll", args=[poll.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert "Vote for your household" in text and "代表本户投票" not in text
    client.post(reverse("deliberation_polls_m:poll", args=[poll.pk]), {"options": option(poll, 1)})
    client.force_login(cast["li"])
    client.cookies["django_language"] = "en"
    again = client.post(
        reverse("deliberation_polls_m:poll", args=[poll.pk]), {"options": option(poll, 1)}
    ).content.decode()
    assert "Your household has already voted" in again
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"
    console = client.get(reverse("deliberation_polls:detail", args=[poll.pk])).content.decode()
    assert "Turnout by grid" in console and "各网格投票进度" not in console
