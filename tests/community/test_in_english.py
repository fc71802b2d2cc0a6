"""Refused input is explained in the language the person chose (the language cookie), on the
phone pages, the console and the API alike, and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.community import orders, services, wishes
from jiceng.community.models import Activity, Need, ServiceOrder, ServiceOrderEvent, Signup, Wish
from jiceng.core.models import AuditEntry, Notification
from jiceng.points.models import PointEntry
from tests.community.conftest import make_activity
from tests.community.test_orders import an_order
from tests.community.test_wishes import open_wish
from tests.conftest import table_headers


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def snapshot():
    return (
        list(Activity.objects.order_by("pk").values_list("pk", "status", "taken", "waiting")),
        list(Signup.objects.order_by("pk").values_list("pk", "status", "rating")),
        list(Need.objects.order_by("pk").values_list("pk", "status")),
        list(ServiceOrder.objects.order_by("pk").values_list("pk", "status", "version")),
        ServiceOrderEvent.objects.count(),
        list(Wish.objects.order_by("pk").values_list("pk", "status", "claimed_by")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
        PointEntry.objects.count(),
    )


def signed_up_already(cast):
    a = make_activity(cast)
    services.signup(by=cast["resident"], activity=a)
    return (
        cast["resident"],
        "api",
        f"/api/services/activities/{a.pk}/signup",
        {},
        "You have already signed up for this activity.",
    )


def sign_up_closed(cast):
    a = make_activity(cast, signup_closes_at=timezone.now() - timedelta(hours=1))
    return (
        cast["resident"],
        "page",
        reverse("m_services:signup", args=[a.pk]),
        {},
        "Sign-up has closed.",
    )


def sign_up_not_open_yet(cast):
    opens = timezone.now() + timedelta(days=1)
    a = make_activity(cast, signup_opens_at=opens)
    local = timezone.localtime(opens)
    return (
        cast["resident"],
        "api",
        f"/api/services/activities/{a.pk}/signup",
        {},
        f"Sign-up has not opened yet (it opens on {local:%m/%d} at {local:%H:%M}).",
    )


def order_accepted_already(cast):
    order = an_order(cast)
    orders.order_accept(by=cast["member"].user, order=order)
    return (
        cast["member"].user,
        "api",
        f"/api/services/orders/{order.pk}/act",
        {"action": "accept"},
        "The order is now “Accepted”: “Accept” is not possible.",
    )


def order_rated_with_nine_stars(cast):
    order = an_order(cast)
    orders.order_accept(by=cast["member"].user, order=order)
    orders.order_report_done(by=cast["member"].user, order=order, result="已更换")
    return (
        cast["resident"],
        "page",
        reverse("m_services:order_act", args=[order.pk]),
        {"action": "rate", "rating": "9"},
        "Choose 1 to 5 stars.",
    )


def wish_claimed_already(cast):
    wish = open_wish(cast)
    wishes.wish_claim(by=cast["member"].user, wish=wish)
    return (
        cast["member2"].user,
        "page",
        reverse("m_services:wish", args=[wish.pk]),
        {"action": "claim"},
        "Someone else has already claimed this wish.",
    )


def wish_too_dear(cast):
    return (
        cast["resident"],
        "page",
        reverse("m_services:wish_new"),
        {"title": "一台电视", "value": "5000"},
        "A micro-wish is usually worth at most 2000 yuan; post larger needs to the needs list.",
    )


def need_without_a_title(cast):
    return (
        cast["resident"],
        "api",
        "/api/services/needs",
        {"title": " "},
        "Please fill in: Need.",
    )


def activity_ending_before_it_starts(cast):
    starts = timezone.localtime() + timedelta(days=2)
    return (
        cast["secretary"],
        "page",
        reverse("services:activities"),
        {
            "community": cast["community"].code,
            "title": "义诊",
            "place": "服务中心",
            "starts_at": f"{starts:%Y-%m-%dT%H:%M}",
            "ends_at": f"{starts - timedelta(hours=1):%Y-%m-%dT%H:%M}",
            "capacity": "20",
        },
        "The end must be after the start.",
    )


def activity_with_a_start_that_is_no_time(cast):
    return (
        cast["secretary"],
        "page",
        reverse("services:activities"),
        {
            "community": cast["community"].code,
            "title": "义诊",
            "place": "服务中心",
            "starts_at": "next Tuesday",
            "ends_at": "",
            "capacity": "20",
        },
        "Start time: not in the right format.",
    )


def a_checkin_code_that_is_no_code(cast):
    make_activity(cast)
    return (
        cast["resident"],
        "page",
        reverse("m_services:checkin"),
        {"c": "not-a-code"},
        "Not a valid check-in code; scan the QR code at the activity.",
    )


@pytest.mark.parametrize(
    "scene",
    [
        signed_up_already,
        sign_up_closed,
        sign_up_not_open_yet,
        order_accepted_already,
        order_rated_with_nine_stars,
        wish_claimed_already,
        wish_too_dear,
        need_without_a_title,
        activity_ending_before_it_starts,
        activity_with_a_start_that_is_no_time,
        a_checkin_code_that_is_no_code,
    ],
)
def test_bad_input_is_explained_in_english_to_who_chose_it_and_nothing_is_written(
    client, cast, scene
):
    user, via, url, data, says = scene(cast)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    before = snapshot()
    if via == "api":
        response = client.post(url, data, content_type="application/json")
        assert 400 <= response.status_code < 500, response.content
        assert response.json()["detail"] == says
    else:
        response = client.post(url, data, follow=True)
        page = response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
        assert says in page
    assert snapshot() == before


def test_the_waiting_list_notice_is_in_english_too(client, cast):
    a = make_activity(cast, capacity=1)
    services.signup(by=cast["resident2"], activity=a)
    client.force_login(cast["resident"])
    client.cookies["django_language"] = "en"
    page = client.post(reverse("m_services:signup", args=[a.pk]), follow=True).content.decode()
    assert "The activity is full: you are number 1 on the waiting list." in page


def test_without_a_choice_the_same_refusal_is_in_chinese(client, cast):
    a = make_activity(cast)
    services.signup(by=cast["resident"], activity=a)
    client.force_login(cast["resident"])
    response = client.post(f"/api/services/activities/{a.pk}/signup")
    assert response.status_code == 409
    assert response.json()["detail"] == "您已报名该活动，无需重复报名。"


def test_the_console_in_english_says_what_each_word_means_here(client, cast):
    """Words other apps' pages use for something else keep their meaning here: a participant's
    Check-in time (a meeting list counts who Checked in), an offer's Capacity (a booking's
    People), the wishes Posted this month (rows Added by an import), a need's Details and the
    button that Enters it, the Username that adds a team member."""
    activity = make_activity(cast)
    services.signup(by=cast["resident"], activity=activity)
    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"

    page = client.get(reverse("services:activity", args=[activity.pk])).content.decode()
    assert table_headers(page, "participants")[2:4] == ["Check-in", "Check-out"]
    page = client.get(reverse("services:offers")).content.decode()
    assert {"Category", "Capacity"} <= set(table_headers(page, "offers"))
    page = client.get(reverse("services:home")).content.decode()
    assert table_headers(page, "wish-counts")[1:] == ["Posted", "Claimed", "Fulfilled"]
    page = client.get(reverse("services:needs")).content.decode()
    assert '<label>Details<textarea name="description"' in page
    assert '<button class="primary">Enter</button>' in page
    page = client.get(reverse("services:team", args=[team.pk])).content.decode()
    assert '<label>Username<input name="username">' in page
