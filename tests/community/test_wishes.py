"""Micro-wishes: post with a photo, approve for the wall, one claim wins, fulfil, confirm."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from jiceng.community import selectors, wishes
from jiceng.community.models import Wish
from jiceng.core.errors import Forbidden, UserError
from jiceng.points.models import PointEntry
from tests.factories import user_with_role


def photo(name="wish.png", size=(2400, 1200)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def snapshot():
    return list(Wish.objects.values_list("id", "status", "claimed_by", "fulfil_photo", "reason"))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def open_wish(cast, **kw):
    wish = wishes.wish_post(by=cast["resident"], title="一个书包", value="80", photo=photo(), **kw)
    return wishes.wish_review(by=cast["secretary"], wish=wish, approve=True)


def test_a_resident_posts_a_wish_with_a_photo_that_is_resized(cast):
    wish = wishes.wish_post(by=cast["resident"], title="一个书包", value="80.5", photo=photo())
    assert (wish.status, wish.scope_code) == ("pending", cast["community"].code)
    assert str(wish.value) == "80.50"
    with Image.open(wish.photo.path) as image:
        assert image.format == "JPEG" and max(image.size) == 1600


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": ""}, "心愿"),
        ({"value": "abc"}, "价值"),
        ({"value": "-3"}, "大于 0"),
        ({"value": "50000"}, "需求清单"),
        ({"photo": SimpleUploadedFile("x.jpg", b"not an image")}, "图片"),
    ],
)
def test_bad_wishes_are_refused_and_nothing_is_kept(cast, fields, message):
    args = {"title": "书包", "value": "80", "photo": photo(), **fields}
    with pytest.raises(UserError, match=message):
        wishes.wish_post(by=cast["resident"], **args)
    assert not Wish.objects.exists()


def test_the_wall_shows_approved_wishes_with_the_poster_hidden(cast):
    wish = open_wish(cast)
    pending = wishes.wish_post(by=cast["resident2"], title="轮椅", value="300")
    wall = list(selectors.wish_wall(community=cast["community"].code))
    assert wall == [wish] and pending not in wall
    assert wall[0].poster_display == "王**"


def test_a_declined_wish_tells_the_resident_why(cast):
    wish = wishes.wish_post(by=cast["resident"], title="手机", value="1500")
    with pytest.raises(UserError, match="理由"):
        wishes.wish_review(by=cast["secretary"], wish=wish, approve=False)
    wishes.wish_review(by=cast["secretary"], wish=wish, approve=False, reason="请走困难救助")
    assert cast["resident"].notifications.filter(body="请走困难救助").exists()


def test_the_neighbour_secretary_cannot_approve_our_wish(cast):
    wish = wishes.wish_post(by=cast["resident"], title="书包", value="80")
    with pytest.raises(Forbidden):
        wishes.wish_review(by=cast["outsider"], wish=wish, approve=True)
    assert Wish.objects.get(pk=wish.pk).status == "pending"


def test_claim_fulfil_confirm_and_points_for_the_member(cast):
    wish = open_wish(cast)
    member = cast["member"]
    wish = wishes.wish_claim(by=member.user, wish=wish)
    assert (wish.status, wish.claimed_by) == ("claimed", member.user)
    wish = wishes.wish_fulfil(by=member.user, wish=wish, photo=photo("done.png"), note="已送到")
    assert wish.status == "fulfilled" and wish.fulfil_photo
    wish = wishes.wish_confirm(by=cast["resident"], wish=wish)
    assert wish.status == "confirmed"
    assert PointEntry.objects.filter(member=member, points=3).count() == 1


def test_a_partner_unit_claims_for_its_unit(cast):
    wish = wishes.wish_claim(by=cast["partner_staff"], wish=open_wish(cast))
    assert wish.claimed_partner == cast["partner"]


def test_a_claim_on_a_wish_already_claimed_is_refused(cast):
    wish = open_wish(cast)
    wishes.wish_claim(by=cast["member"].user, wish=wish)
    before = snapshot()
    with pytest.raises(UserError, match="已被他人认领"):
        wishes.wish_claim(by=cast["member2"].user, wish=wish)
    assert snapshot() == before


def test_residents_do_not_claim_and_nobody_claims_an_unapproved_wish(cast):
    wish = wishes.wish_post(by=cast["resident"], title="书包", value="80")
    before = snapshot()
    with pytest.raises(Forbidden):
        wishes.wish_claim(by=cast["resident2"], wish=wish)
    with pytest.raises(UserError, match="不在心愿墙"):
        wishes.wish_claim(by=cast["member"].user, wish=wish)
    assert snapshot() == before


def test_only_the_claimant_fulfils_with_a_photo_and_only_the_poster_confirms(cast):
    wish = wishes.wish_claim(by=cast["member"].user, wish=open_wish(cast))
    before = snapshot()
    with pytest.raises(Forbidden):
        wishes.wish_fulfil(by=cast["member2"].user, wish=wish, photo=photo())
    with pytest.raises(UserError, match="照片"):
        wishes.wish_fulfil(by=cast["member"].user, wish=wish, photo=None)
    with pytest.raises(UserError, match="尚未送达"):
        wishes.wish_confirm(by=cast["resident"], wish=wish)
    assert snapshot() == before
    wishes.wish_fulfil(by=cast["member"].user, wish=wish, photo=photo())
    with pytest.raises(Forbidden):
        wishes.wish_confirm(by=cast["member"].user, wish=wish)
    assert Wish.objects.get(pk=wish.pk).status == "fulfilled"


def test_monthly_counts_per_community(cast):
    a = open_wish(cast)
    open_wish(cast)
    wishes.wish_claim(by=cast["member"].user, wish=a)
    counts = selectors.wish_month_counts(user=cast["secretary"], month=timezone.localdate())
    assert [(c.community, c.posted, c.claimed, c.confirmed) for c in counts] == [
        (cast["community"].code, 2, 1, 0)
    ]
    assert selectors.wish_month_counts(user=cast["outsider"], month=timezone.localdate()) == []


def test_the_figures_count_this_months_wishes(cast):
    from jiceng.core.registry import figures_for

    open_wish(cast)
    figures = {f.key: f for f in figures_for({"community_secretary"})}
    assert figures["services.wishes_posted_month"].compute([cast["community"].code]) == 1
    assert figures["services.wishes_posted_month"].compute([cast["neighbour"].code]) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_claims_at_once_one_wins(cast):
    wish = open_wish(cast)
    people = [user_with_role("member", division=cast["community"]) for _ in range(20)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def claim(person):
        try:
            barrier.wait()
            wishes.wish_claim(by=person, wish=wish)
            result = "ok"
        except UserError as exc:
            result = exc.message
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=claim, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert all("已被他人认领" in o for o in outcomes if o != "ok")
    assert Wish.objects.get(pk=wish.pk).claimed_by_id in {p.pk for p in people}
