"""A wish's page shows its story (the events) to the poster, the claimant and the community's
staff; other readers of the wall see its status only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.community import wishes

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)


def test_the_poster_and_the_claimant_see_the_wishs_story_others_do_not(client, cast):
    wish = wishes.wish_post(by=cast["resident"], title="一个书包", value="80")
    wishes.wish_review(by=cast["secretary"], wish=wish, approve=True)
    wishes.wish_claim(by=cast["member"].user, wish=wish)
    url = reverse("m_services:wish", args=[wish.pk])
    for who in (cast["resident"], cast["member"].user):
        login(client, who)
        body = client.get(url).content.decode()
        assert 'data-testid="wish-events"' in body
        assert body.index("许愿") < body.index("审核通过") < body.index("认领</strong>")
    login(client, cast["member2"].user)
    body = client.get(url).content.decode()
    assert "一个书包" in body and 'data-testid="wish-events"' not in body


def test_the_story_reads_in_english_for_whoever_chose_it(client, cast):
    wish = wishes.wish_post(by=cast["resident"], title="一个书包", value="80")
    wishes.wish_review(by=cast["secretary"], wish=wish, approve=True)
    login(client, cast["resident"])
    client.cookies["django_language"] = "en"
    body = client.get(reverse("m_services:wish", args=[wish.pk])).content.decode()
    assert "<strong>Posted</strong>" in body and "<strong>Approve</strong>" in body
