"""Micro-wishes, needs and sign-ups as state machines (core.workflow): every status × every
action, the one order of the checks (the person before the status), and one event per move."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jiceng.community import services, wishes, workflow
from jiceng.community.models import (
    Need,
    NeedEvent,
    RegistrationEvent,
    ServiceOrder,
    ServiceOrderEvent,
    Signup,
    Wish,
    WishEvent,
)
from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from tests.community.conftest import make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


def row_of(model, pk):
    row = model.objects.filter(pk=pk).values().get()
    row.pop("updated_at", None)
    return row


# --- wishes -------------------------------------------------------------------------------------

WISH_CALLS = {
    "approve": ("secretary", lambda w, by: wishes.wish_review(by=by, wish=w, approve=True)),
    "reject": (
        "secretary",
        lambda w, by: wishes.wish_review(by=by, wish=w, approve=False, reason="请走救助"),
    ),
    "claim": ("member", lambda w, by: wishes.wish_claim(by=by, wish=w)),
    "fulfil": ("member", lambda w, by: wishes.wish_fulfil(by=by, wish=w, photo=photo())),
    "confirm": ("resident", lambda w, by: wishes.wish_confirm(by=by, wish=w)),
    "withdraw": ("resident", lambda w, by: wishes.wish_withdraw(by=by, wish=w)),
}


def person(cast, who):
    return cast["member"].user if who == "member" else cast[who]


def a_wish(cast, status):
    wish = wishes.wish_post(by=cast["resident"], title="一个书包", value="80")
    # The claimant is named in every status, so that a refusal below is the status's.
    Wish.objects.filter(pk=wish.pk).update(status=status, claimed_by=cast["member"].user)
    return Wish.objects.get(pk=wish.pk)


def test_the_wish_table_names_only_the_wishs_statuses():
    for t in workflow.WISH_TRANSITIONS.values():
        assert t.sources <= set(Wish.Status.values) and t.target in Wish.Status.values
    assert len(Wish.Status.values) == 7


@pytest.mark.parametrize("status", Wish.Status.values)
@pytest.mark.parametrize("action", sorted(workflow.WISH_TRANSITIONS))
def test_every_wish_action_from_every_status(cast, status, action):
    wish = a_wish(cast, status)
    who, call = WISH_CALLS[action]
    t = workflow.WISH_TRANSITIONS[action]
    before = (row_of(Wish, wish.pk), WishEvent.objects.filter(wish=wish).count())
    if status in t.sources:
        done = call(wish, person(cast, who))
        assert done.status == t.target
        events = WishEvent.objects.filter(wish=wish)
        assert events.count() == before[1] + 1
        last = events.latest("id")
        assert (last.action, last.from_status, last.to_status) == (action, status, t.target)
        assert last.actor == person(cast, who)
    else:
        with pytest.raises(UserError) as refused:
            call(wish, person(cast, who))
        assert refused.value.status == 409
        assert refused.value.message
        assert (row_of(Wish, wish.pk), WishEvent.objects.filter(wish=wish).count()) == before


@pytest.mark.parametrize("action", sorted(workflow.WISH_TRANSITIONS))
def test_a_stranger_to_a_wish_is_refused_403_before_its_status_is_looked_at(cast, action):
    wish = a_wish(cast, "withdrawn")  # a status no action starts from
    before = row_of(Wish, wish.pk)
    _who, call = WISH_CALLS[action]
    stranger = cast["resident2"] if action != "approve" and action != "reject" else cast["outsider"]
    with pytest.raises(UserError) as refused:
        call(wish, stranger)
    assert refused.value.status == 403
    assert row_of(Wish, wish.pk) == before


def test_a_wish_keeps_its_whole_story(cast):
    wish = wishes.wish_post(by=cast["resident"], title="一个书包", value="80")
    wish = wishes.wish_review(by=cast["secretary"], wish=wish, approve=True)
    wish = wishes.wish_claim(by=cast["member"].user, wish=wish)
    wish = wishes.wish_fulfil(by=cast["member"].user, wish=wish, photo=photo(), note="已送到")
    wishes.wish_confirm(by=cast["resident"], wish=wish)
    assert list(wish.events.values_list("action", "from_status", "to_status", "note")) == [
        ("post", "", "pending", ""),
        ("approve", "pending", "open", ""),
        ("claim", "open", "claimed", ""),
        ("fulfil", "claimed", "fulfilled", "已送到"),
        ("confirm", "fulfilled", "confirmed", ""),
    ]
    assert AuditEntry.objects.filter(action="services.wish_review").count() == 1


def test_claiming_ones_own_wish_is_refused_after_the_status(cast):
    wish = a_wish(cast, "open")
    Wish.objects.filter(pk=wish.pk).update(poster=cast["member"].user)
    with pytest.raises(UserError, match="自己的心愿"):
        wishes.wish_claim(by=cast["member"].user, wish=wish)
    assert not WishEvent.objects.filter(wish=wish, action="claim").exists()


# --- needs --------------------------------------------------------------------------------------


def a_need(cast, status="pending"):
    need = services.need_post(by=cast["resident"], title="帮忙换灯泡")
    extra = {}
    if status == "merged":  # the database holds a merged need to its target
        target = services.need_post(by=cast["resident"], title="换灯泡")
        extra["merged_into"] = target
    if status == "declined":
        extra["reason"] = "不属本社区"
    Need.objects.filter(pk=need.pk).update(status=status, **extra)
    return Need.objects.get(pk=need.pk)


def need_call(cast, action, need, by):
    if action == "accept":
        return services.need_accept(by=by, need=need)
    if action == "decline":
        return services.need_decline(by=by, need=need, reason="不属本社区")
    target = a_need(cast, "accepted")
    return services.need_merge(by=by, need=need, into=target)


@pytest.mark.parametrize("status", Need.Status.values)
@pytest.mark.parametrize("action", sorted(workflow.NEED_TRANSITIONS))
def test_every_need_action_from_every_status(cast, status, action):
    need = a_need(cast, status)
    t = workflow.NEED_TRANSITIONS[action]
    before = (row_of(Need, need.pk), NeedEvent.objects.filter(need=need).count())
    if status in t.sources:
        done = need_call(cast, action, need, cast["secretary"])
        assert done.status == t.target
        last = NeedEvent.objects.filter(need=need).latest("id")
        assert NeedEvent.objects.filter(need=need).count() == before[1] + 1
        assert (last.action, last.from_status, last.to_status) == (action, status, t.target)
    else:
        with pytest.raises(UserError, match="已审核") as refused:
            need_call(cast, action, need, cast["secretary"])
        assert refused.value.status == 409
        assert (row_of(Need, need.pk), NeedEvent.objects.filter(need=need).count()) == before


@pytest.mark.parametrize("action", sorted(workflow.NEED_TRANSITIONS))
def test_the_neighbour_secretary_is_refused_403_before_the_status(cast, action):
    need = a_need(cast, "declined")
    with pytest.raises(UserError) as refused:
        need_call(cast, action, need, cast["outsider"])
    assert refused.value.status == 403


def test_posting_a_need_is_its_first_event_and_a_decline_keeps_the_reason(cast):
    need = services.need_post(by=cast["resident"], title="帮忙换灯泡")
    services.need_decline(by=cast["secretary"], need=need, reason="请联系物业")
    assert list(need.events.values_list("action", "to_status", "note", "actor")) == [
        ("post", "pending", "", cast["resident"].pk),
        ("decline", "declined", "请联系物业", cast["secretary"].pk),
    ]


# --- sign-ups -----------------------------------------------------------------------------------


def test_a_sign_up_a_cancel_and_the_move_up_are_one_event_each(cast):
    a = make_activity(cast, capacity=1)
    first = services.signup(by=cast["resident"], activity=a)
    waiting = services.signup(by=cast["member"].user, activity=a)
    assert list(first.events.values_list("action", "from_status", "to_status")) == [
        ("signup", "", "confirmed")
    ]
    assert list(waiting.events.values_list("action", "to_status")) == [("signup", "waiting")]
    services.signup_cancel(by=cast["resident"], activity=a)
    assert list(first.events.values_list("action", "from_status", "to_status")) == [
        ("signup", "", "confirmed"),
        ("cancel", "confirmed", "cancelled"),
    ]
    moved = waiting.events.latest("id")
    assert (moved.action, moved.from_status, moved.to_status, moved.actor) == (
        "promote",
        "waiting",
        "confirmed",
        cast["resident"],
    )
    entry = AuditEntry.objects.get(action="services.signup_cancel")
    assert entry.detail["was"] == "confirmed" and entry.detail["promoted"] == cast["member"].user.pk


def test_a_cancel_after_the_start_writes_no_event(cast):
    from datetime import timedelta

    from django.utils import timezone

    a = make_activity(cast, capacity=2)
    row = services.signup(by=cast["resident"], activity=a)
    type(a).objects.filter(pk=a.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(UserError, match="已开始"):
        services.signup_cancel(by=cast["resident"], activity=a)
    assert RegistrationEvent.objects.filter(signup=row).count() == 1
    assert Signup.objects.get(pk=row.pk).status == "confirmed"


def test_the_sign_up_table_names_only_the_sign_ups_statuses():
    for t in workflow.SIGNUP_TRANSITIONS.values():
        assert t.sources <= set(Signup.Status.values) and t.target in Signup.Status.values
    for t in workflow.NEED_TRANSITIONS.values():
        assert t.sources <= set(Need.Status.values) and t.target in Need.Status.values


# --- orders: the same order of checks -----------------------------------------------------------


def test_a_stranger_to_an_order_is_refused_403_even_in_a_wrong_status(cast):
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.community import orders

    need = services.need_post(by=cast["resident"], title="帮忙换灯泡")
    services.need_accept(by=cast["secretary"], need=need)
    order = orders.order_dispatch(
        by=cast["secretary"],
        need=need,
        member=cast["member"],
        due_at=timezone.now() + timedelta(days=1),
    )
    ServiceOrder.objects.filter(pk=order.pk).update(status="rated")
    for action, fields in [("accept", {}), ("cancel", {"reason": "x"})]:
        with pytest.raises(UserError) as refused:
            orders.order_act(by=cast["outsider"], order=order, action=action, **fields)
        assert refused.value.status == 403
    # and a stale version is named before the status
    with pytest.raises(UserError, match="刷新") as refused:
        orders.order_accept(by=cast["member"].user, order=order, version=9)
    assert refused.value.status == 409
    assert ServiceOrderEvent.objects.filter(order=order).count() == 1
