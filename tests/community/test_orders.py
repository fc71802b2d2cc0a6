"""Service orders as a state machine: every status × every action, actors, versions, flags."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.community import orders, services, workflow
from jiceng.community.models import ServiceOrder, ServiceOrderEvent
from jiceng.community.workflow import OrderStatus
from jiceng.core.errors import Forbidden, UserError
from jiceng.points.models import PointEntry


def an_order(cast, **fields):
    need = services.need_post(by=cast["resident"], title="帮忙换灯泡", description="3栋")
    services.need_accept(by=cast["secretary"], need=need)
    fields.setdefault("member", cast["member"])
    return orders.order_dispatch(
        by=cast["secretary"], need=need, due_at=timezone.now() + timedelta(days=1), **fields
    )


def snapshot(order):
    row = ServiceOrder.objects.filter(pk=order.pk).values().get()
    row.pop("updated_at")
    return row, ServiceOrderEvent.objects.filter(order_id=order.pk).count()


def actor_and_fields(cast, action):
    return {
        "accept": (cast["member"].user, {}),
        "decline": (cast["member"].user, {"reason": "出差在外"}),
        "report_done": (cast["member"].user, {"result": "已更换"}),
        "rate": (cast["resident"], {"rating": 5, "comment": "及时"}),
        "redispatch": (cast["secretary"], {"member": cast["member2"]}),
        "cancel": (cast["secretary"], {"reason": "居民已自行解决"}),
    }[action]


def test_dispatch_from_a_need_reaches_the_member(cast):
    order = an_order(cast)
    assert order.status == "dispatched" and order.resident == cast["resident"]
    assert order.title == "帮忙换灯泡"
    assert cast["member"].user.notifications.filter(title__contains="新的服务工单").exists()
    assert list(order.events.values_list("action", "to_status")) == [("dispatch", "dispatched")]


@pytest.mark.parametrize("status", OrderStatus.values)
@pytest.mark.parametrize("action", list(workflow.TRANSITIONS))
def test_every_action_from_every_status(cast, status, action):
    order = an_order(cast)
    ServiceOrder.objects.filter(pk=order.pk).update(
        status=status, accepted_by=cast["member"].user if status != "dispatched" else None
    )
    by, fields = actor_and_fields(cast, action)
    t = workflow.TRANSITIONS[action]
    before = snapshot(order)
    if status in t.sources:
        done = orders.order_act(by=by, order=order, action=action, **fields)
        assert done.status == t.target
        event = ServiceOrderEvent.objects.filter(order=order).last()
        assert (event.action, event.from_status, event.to_status) == (action, status, t.target)
        assert done.version == before[0]["version"] + 1
    else:
        with pytest.raises(UserError) as exc:
            orders.order_act(by=by, order=order, action=action, **fields)
        assert exc.value.status == 409
        assert snapshot(order) == before


@pytest.mark.parametrize("action", list(workflow.TRANSITIONS))
def test_nobody_else_may_take_an_action(cast, action):
    order = an_order(cast)
    source = sorted(workflow.TRANSITIONS[action].sources)[0]
    ServiceOrder.objects.filter(pk=order.pk).update(status=source)
    _, fields = actor_and_fields(cast, action)
    before = snapshot(order)
    for who in (cast["member2"].user, cast["resident2"], cast["outsider"], cast["nobody"]):
        with pytest.raises(Forbidden):
            orders.order_act(by=who, order=order, action=action, **fields)
    assert snapshot(order) == before


def test_a_stale_version_is_refused(cast):
    order = an_order(cast)
    before = snapshot(order)
    with pytest.raises(UserError, match="刷新"):
        orders.order_accept(by=cast["member"].user, order=order, version=order.version + 5)
    assert snapshot(order) == before


@pytest.mark.parametrize(
    "action, field", [("decline", "reason"), ("report_done", "result"), ("cancel", "reason")]
)
def test_actions_that_need_a_reason_refuse_an_empty_one(cast, action, field):
    order = an_order(cast)
    source = sorted(workflow.TRANSITIONS[action].sources)[0]
    ServiceOrder.objects.filter(pk=order.pk).update(status=source)
    by, _ = actor_and_fields(cast, action)
    before = snapshot(order)
    with pytest.raises(UserError, match="说明"):
        orders.order_act(by=by, order=order, action=action, **{field: "  "})
    assert snapshot(order) == before


def test_the_whole_loop_and_points_for_the_member_when_rated(cast):
    order = an_order(cast)
    order = orders.order_accept(by=cast["member"].user, order=order)
    order = orders.order_report_done(by=cast["member"].user, order=order, result="已换好")
    assert cast["resident"].notifications.filter(title__contains="请评价").exists()
    order = orders.order_rate(by=cast["resident"], order=order, rating=4)
    assert (order.status, order.rating) == ("rated", 4)
    assert PointEntry.objects.filter(member=cast["member"], points=3).count() == 1
    assert list(order.events.values_list("action", flat=True)) == [
        "dispatch",
        "accept",
        "report_done",
        "rate",
    ]


def test_a_team_leader_accepts_an_order_for_the_team(cast):
    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    services.team_join(by=cast["secretary"], team=team, user=cast["member2"].user, leader=True)
    services.team_join(by=cast["secretary"], team=team, user=cast["resident2"])
    order = an_order(cast, member=None, team=team)
    with pytest.raises(Forbidden):
        orders.order_accept(by=cast["resident2"], order=order)
    assert orders.order_accept(by=cast["member2"].user, order=order).status == "accepted"


def test_a_declined_order_is_redispatched_to_someone_else(cast):
    order = an_order(cast)
    orders.order_decline(by=cast["member"].user, order=order, reason="住院")
    order = orders.order_redispatch(by=cast["secretary"], order=order, member=cast["member2"])
    assert (order.status, order.member) == ("dispatched", cast["member2"])
    assert orders.order_accept(by=cast["member2"].user, order=order).status == "accepted"


def test_dispatch_refuses_bad_input_and_makes_nothing(cast):
    need = services.need_post(by=cast["resident"], title="x")
    with pytest.raises(UserError, match="已列入清单"):
        orders.order_dispatch(
            by=cast["secretary"],
            need=need,
            member=cast["member"],
            due_at=timezone.now() + timedelta(days=1),
        )
    services.need_accept(by=cast["secretary"], need=need)
    with pytest.raises(UserError, match="二选一"):
        orders.order_dispatch(
            by=cast["secretary"], need=need, due_at=timezone.now() + timedelta(days=1)
        )
    with pytest.raises(UserError, match="之后"):
        orders.order_dispatch(
            by=cast["secretary"],
            need=need,
            member=cast["member"],
            due_at=timezone.now() - timedelta(days=1),
        )
    with pytest.raises(Forbidden):
        orders.order_dispatch(
            by=cast["outsider"],
            need=need,
            member=cast["member"],
            due_at=timezone.now() + timedelta(days=1),
        )
    assert not ServiceOrder.objects.exists()


def test_unaccepted_orders_past_their_time_are_flagged(cast):
    from jiceng.community import selectors

    late = an_order(cast)
    fine = an_order(cast)
    taken = an_order(cast)
    orders.order_accept(by=cast["member"].user, order=taken)
    ServiceOrder.objects.filter(pk__in=[late.pk, taken.pk]).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    rows = {o.pk: o.late for o in selectors.order_list(user=cast["secretary"])}
    assert rows == {late.pk: True, fine.pk: False, taken.pk: False}
    assert [o.pk for o in selectors.order_list(user=cast["secretary"], late=True)] == [late.pk]


def test_the_community_is_told_once_about_an_order_nobody_accepted_in_time(cast):
    late = an_order(cast)
    an_order(cast)  # not yet due
    ServiceOrder.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    assert orders.flag_late_orders() == 1
    assert orders.flag_late_orders() == 0
    titles = cast["secretary"].notifications.values_list("title", flat=True)
    assert [t for t in titles if "超时未接" in t] == ["工单超时未接：帮忙换灯泡"]
    # Redispatched, the new time counts afresh.
    orders.order_decline(by=cast["member"].user, order=late, reason="没空")
    orders.order_redispatch(
        by=cast["secretary"],
        order=late,
        member=cast["member2"],
        due_at=timezone.now() + timedelta(hours=1),
    )
    assert ServiceOrder.objects.get(pk=late.pk).late_notified_at is None
