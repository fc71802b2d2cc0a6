"""Activities: publishing, sign-up with a waiting list, QR check-in and check-out, ratings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.utils import timezone

from jiceng.community import services
from jiceng.community.models import Activity, Signup
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.models import AuditEntry, Notification
from jiceng.points.models import PointEntry
from tests.community.conftest import make_activity
from tests.factories import user_with_role


def state(activity):
    a = Activity.objects.get(pk=activity.pk)
    rows = list(
        Signup.objects.filter(activity=a).values_list(
            "user_id", "status", "checked_in_at", "checked_out_at", "rating"
        )
    )
    return a.taken, a.waiting, a.status, rows


def test_staff_publish_an_activity_with_a_default_signup_window(cast):
    starts = timezone.now() + timedelta(days=2)
    a = services.activity_create(
        by=cast["secretary"],
        community=cast["community"],
        title="义剪",
        place="服务中心",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity="30",
    )
    assert a.scope_code == cast["community"].code
    assert a.capacity == 30 and a.signup_closes_at == starts
    assert a.signup_opens_at <= timezone.now()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"capacity": 0}, "名额"),
        ({"capacity": "abc"}, "名额"),
        ({"title": " "}, "活动名称"),
        ({"ends": -1}, "结束时间"),
    ],
)
def test_bad_activity_input_is_refused_and_nothing_is_made(cast, change, message):
    starts = timezone.now() + timedelta(days=2)
    args = dict(
        by=cast["secretary"],
        community=cast["community"],
        title="义剪",
        place="中心",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=10,
    )
    if change.pop("ends", None):
        args["ends_at"] = starts - timedelta(hours=1)
    args.update(change)
    with pytest.raises(UserError, match=message):
        services.activity_create(**args)
    assert not Activity.objects.exists()


def test_the_neighbour_secretary_cannot_publish_in_our_community(cast):
    starts = timezone.now() + timedelta(days=2)
    with pytest.raises(Forbidden):
        services.activity_create(
            by=cast["outsider"],
            community=cast["community"],
            title="义剪",
            place="中心",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=10,
        )
    assert not Activity.objects.exists()


def test_signups_take_places_then_join_the_waiting_list_in_order(cast):
    a = make_activity(cast, capacity=2)
    r1 = services.signup(by=cast["resident"], activity=a)
    r2 = services.signup(by=cast["resident2"], activity=a)
    w1 = services.signup(by=cast["member"].user, activity=a)
    w2 = services.signup(by=cast["member2"].user, activity=a)
    assert [r.status for r in (r1, r2, w1, w2)] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert services.waiting_position(w1) == 1 and services.waiting_position(w2) == 2
    a.refresh_from_db()
    assert (a.taken, a.waiting, a.places_left) == (2, 2, 0)


def test_a_signup_is_written_with_its_history_and_audit_entry_as_a_page_write(cast):
    """On PostgreSQL the whole sign-up is one statement; what it writes is what the ORM writes:
    the row, its first event and the audit entry naming the activity."""
    a = make_activity(cast, capacity=1)
    rows = [services.signup(by=who, activity=a) for who in (cast["resident"], cast["resident2"])]
    for row, status in zip(rows, ("confirmed", "waiting"), strict=True):
        saved = Signup.objects.get(pk=row.pk)
        assert (saved.user_id, saved.status, saved.created_at) == (
            row.user_id,
            status,
            row.created_at,
        )
        assert (saved.confirmed_at is not None) == (status == "confirmed") == bool(row.confirmed_at)
        assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in saved.events.all()] == [
            ("signup", "", status, row.user_id)
        ]
        entry = AuditEntry.objects.get(action="services.signup", detail__signup=row.pk)
        assert (entry.actor_id, entry.object_id, entry.object_repr, entry.scope_code) == (
            row.user_id,
            str(a.pk),
            str(a),
            a.scope_code,
        )
        assert entry.object_type == "community.activity" and entry.actor_name
    assert rows[1].position_at_signup == 1 and rows[0].position_at_signup is None


def test_a_cancelled_place_goes_to_the_first_on_the_waiting_list_who_is_told(cast):
    a = make_activity(cast, capacity=1)
    services.signup(by=cast["resident"], activity=a)
    first = services.signup(by=cast["member"].user, activity=a)
    second = services.signup(by=cast["member2"].user, activity=a)
    services.signup_cancel(by=cast["resident"], activity=a)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "confirmed" and second.status == "waiting"
    assert services.waiting_position(second) == 1
    a.refresh_from_db()
    assert (a.taken, a.waiting) == (1, 1)
    assert Notification.objects.filter(
        user=cast["member"].user, title__contains="候补成功"
    ).exists()


def test_leaving_the_waiting_list_moves_nobody_up(cast):
    a = make_activity(cast, capacity=1)
    services.signup(by=cast["resident"], activity=a)
    services.signup(by=cast["member"].user, activity=a)
    services.signup_cancel(by=cast["member"].user, activity=a)
    a.refresh_from_db()
    assert (a.taken, a.waiting) == (1, 0)


def test_a_person_may_sign_up_again_after_cancelling(cast):
    a = make_activity(cast, capacity=5)
    services.signup(by=cast["resident"], activity=a)
    services.signup_cancel(by=cast["resident"], activity=a)
    again = services.signup(by=cast["resident"], activity=a)
    assert again.status == "confirmed"
    assert Activity.objects.get(pk=a.pk).taken == 1


def test_signing_up_twice_is_refused_and_nothing_changes(cast):
    a = make_activity(cast)
    services.signup(by=cast["resident"], activity=a)
    before = state(a)
    with pytest.raises(UserError, match="已报名") as exc:
        services.signup(by=cast["resident"], activity=a)
    assert exc.value.status == 409
    assert state(a) == before


@pytest.mark.parametrize(
    "window, message",
    [
        ({"signup_opens_at": 1, "signup_closes_at": 2}, "尚未开始"),
        ({"signup_opens_at": -3, "signup_closes_at": -2}, "已截止"),
    ],
)
def test_signing_up_outside_the_window_is_refused(cast, window, message):
    now = timezone.now()
    a = make_activity(
        cast,
        starts_in=timedelta(days=5),
        **{k: now + timedelta(days=v) for k, v in window.items()},
    )
    before = state(a)
    with pytest.raises(UserError, match=message):
        services.signup(by=cast["resident"], activity=a)
    assert state(a) == before


def test_no_signup_for_a_cancelled_activity_and_signed_up_people_are_told(cast):
    a = make_activity(cast)
    services.signup(by=cast["resident"], activity=a)
    services.activity_cancel(by=cast["secretary"], activity=a, reason="台风预警")
    assert Notification.objects.filter(user=cast["resident"], title__contains="已取消").exists()
    before = state(a)
    with pytest.raises(UserError, match="已取消"):
        services.signup(by=cast["resident2"], activity=a)
    assert state(a) == before


def test_cancelling_after_the_start_is_refused(cast):
    a = make_activity(cast, starts_in=timedelta(minutes=-10))
    services.signup(by=cast["resident"], activity=a)
    before = state(a)
    with pytest.raises(UserError, match="已开始"):
        services.signup_cancel(by=cast["resident"], activity=a)
    assert state(a) == before


# --- check-in and check-out -------------------------------------------------------------------


def running(cast, **kw):
    return make_activity(cast, starts_in=timedelta(minutes=-5), **kw)


def test_check_in_and_out_give_service_hours_and_points_for_a_member(cast):
    a = running(cast)
    member = cast["member"]
    services.signup(by=member.user, activity=a)
    row, kind, points = services.activity_checkin(by=member.user, code=services.checkin_code(a))
    assert kind == "in" and row.checked_in_at is not None
    assert points == 2
    assert PointEntry.objects.filter(member=member, points=2).count() == 1
    Signup.objects.filter(pk=row.pk).update(checked_in_at=timezone.now() - timedelta(minutes=90))
    row, kind, _ = services.activity_checkin(by=member.user, code=services.checkin_code(a, "out"))
    assert kind == "out" and row.hours == Decimal("1.50")


def test_a_resident_checks_in_without_points(cast):
    a = running(cast)
    services.signup(by=cast["resident"], activity=a)
    row, kind, points = services.activity_checkin(
        by=cast["resident"], code=services.checkin_code(a)
    )
    assert (kind, points) == ("in", 0) and row.checked_in_at


def test_checking_in_twice_is_refused_and_scores_once(cast):
    a = running(cast)
    services.signup(by=cast["member"].user, activity=a)
    services.activity_checkin(by=cast["member"].user, code=services.checkin_code(a))
    before = state(a)
    with pytest.raises(UserError, match="已签到"):
        services.activity_checkin(by=cast["member"].user, code=services.checkin_code(a))
    assert state(a) == before
    assert PointEntry.objects.filter(member=cast["member"]).count() == 1


def test_an_expired_code_is_refused(cast, monkeypatch):
    a = running(cast)
    services.signup(by=cast["resident"], activity=a)
    code = services.checkin_code(a)
    later = timezone.now().timestamp() + services.CHECKIN_MAX_AGE + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    before = state(a)
    with pytest.raises(UserError, match="过期") as exc:
        services.activity_checkin(by=cast["resident"], code=code)
    assert exc.value.status == 410
    assert state(a) == before


@pytest.mark.parametrize("forge", ["nonsense", "{pk}:in", "{pk}:in:AAAAAA:forged"])
def test_a_forged_code_is_refused(cast, forge):
    a = running(cast)
    services.signup(by=cast["resident"], activity=a)
    before = state(a)
    with pytest.raises(UserError, match="无效"):
        services.activity_checkin(by=cast["resident"], code=forge.format(pk=a.pk))
    assert state(a) == before


def test_a_code_of_another_salt_is_refused(cast):
    a = running(cast)
    services.signup(by=cast["resident"], activity=a)
    code = signing.TimestampSigner(salt="jiceng.party.checkin").sign(f"{a.pk}:in")
    with pytest.raises(UserError, match="无效"):
        services.activity_checkin(by=cast["resident"], code=code)


def test_only_people_with_a_place_check_in(cast):
    a = running(cast, capacity=1)
    services.signup(by=cast["resident"], activity=a)
    services.signup(by=cast["resident2"], activity=a)  # waiting
    before = state(a)
    with pytest.raises(Forbidden, match="候补"):
        services.activity_checkin(by=cast["resident2"], code=services.checkin_code(a))
    with pytest.raises(Forbidden, match="没有报名"):
        services.activity_checkin(by=cast["member"].user, code=services.checkin_code(a))
    assert state(a) == before


def test_check_in_is_closed_long_before_the_start(cast):
    a = make_activity(cast, starts_in=timedelta(hours=3))
    services.signup(by=cast["resident"], activity=a)
    with pytest.raises(UserError, match="不在签到时间"):
        services.activity_checkin(by=cast["resident"], code=services.checkin_code(a))


def test_checking_out_before_checking_in_is_refused(cast):
    a = running(cast)
    services.signup(by=cast["resident"], activity=a)
    with pytest.raises(UserError, match="先扫签到码"):
        services.activity_checkin(by=cast["resident"], code=services.checkin_code(a, "out"))


# --- ratings ----------------------------------------------------------------------------------


def checked_in(cast, who):
    a = running(cast)
    services.signup(by=who, activity=a)
    services.activity_checkin(by=who, code=services.checkin_code(a))
    services.activity_checkin(by=who, code=services.checkin_code(a, "out"))
    return a


def test_a_participant_rates_the_activity_once(cast):
    a = checked_in(cast, cast["resident"])
    row = services.activity_rate(by=cast["resident"], activity=a, rating=5, comment="很好")
    assert (row.rating, row.comment) == (5, "很好")
    with pytest.raises(UserError, match="已评价"):
        services.activity_rate(by=cast["resident"], activity=a, rating=1)
    assert Signup.objects.get(pk=row.pk).rating == 5


def test_someone_who_did_not_take_part_cannot_rate(cast):
    a = checked_in(cast, cast["resident"])
    services.signup(by=cast["resident2"], activity=a)  # signed up, never checked in
    before = state(a)
    for who in (cast["resident2"], cast["neighbour_resident"]):
        with pytest.raises(Forbidden, match="签到参加"):
            services.activity_rate(by=who, activity=a, rating=5)
    assert state(a) == before


@pytest.mark.parametrize("rating", [0, 6, "x", None])
def test_a_rating_outside_one_to_five_is_refused(cast, rating):
    a = checked_in(cast, cast["resident"])
    with pytest.raises(UserError, match="1 至 5"):
        services.activity_rate(by=cast["resident"], activity=a, rating=rating)
    assert Signup.objects.get(activity=a).rating is None


def test_staff_of_another_community_cannot_cancel_our_activity(cast):
    a = make_activity(cast)
    with pytest.raises(Forbidden):
        services.activity_cancel(by=cast["outsider"], activity=a, reason="x")
    assert Activity.objects.get(pk=a.pk).status == "published"


def test_grid_chief_reads_but_does_not_manage(cast):
    chief = user_with_role("grid_chief", division=cast["places"]["grid1"])
    with pytest.raises(Forbidden):
        make_activity({**cast, "secretary": chief})
