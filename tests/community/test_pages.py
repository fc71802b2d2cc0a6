"""Pages (phone and console), the iCalendar feed and the JSON API of community services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from jiceng.community import orders, services, wishes
from jiceng.community.models import Activity, Need, Signup, Wish
from jiceng.core.models import AuditEntry
from tests.community.conftest import make_activity
from tests.community.test_wishes import photo


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def login(client, user):
    client.force_login(user)
    return client


def this_month(cast, **kw):
    """An activity later this month (or early next month on its last day)."""
    now = timezone.localtime()
    hours_left = max(((now.replace(day=28) - now).total_seconds() // 3600) - 3, 2)
    return make_activity(cast, starts_in=timedelta(hours=min(hours_left, 48)), **kw)


# --- phone pages ------------------------------------------------------------------------------


def test_the_resident_home_links_to_services(client, cast):
    page = login(client, cast["resident"]).get(reverse("resident_home"))
    assert reverse("m_services:hub") in page.content.decode()
    page = client.get(reverse("m_services:hub"))
    assert page.status_code == 200 and "本月活动" in page.content.decode()


def test_the_member_home_links_to_orders_and_wishes(client, cast):
    page = login(client, cast["member"].user).get(reverse("member_home"))
    assert reverse("m_services:orders") in page.content.decode()


def test_the_month_calendar_shows_the_communitys_activities(
    client, cast, django_assert_max_num_queries
):
    a = this_month(cast, title="社区义诊")
    services.signup(by=cast["resident"], activity=a)
    for i in range(15):
        this_month(cast, title=f"活动{i}")
    login(client, cast["resident"])
    month = timezone.localtime(a.starts_at).strftime("%Y-%m")
    with django_assert_max_num_queries(10):
        page = client.get(reverse("m_services:calendar") + f"?month={month}")
    body = page.content.decode()
    assert page.status_code == 200
    assert "社区义诊" in body and "活动14" in body and "已报名" in body


def test_the_calendar_of_another_month_is_empty(client, cast):
    this_month(cast)
    page = login(client, cast["resident"]).get(reverse("m_services:calendar") + "?month=2020-01")
    assert 'data-testid="no-activities"' in page.content.decode()


def test_sign_up_and_cancel_on_the_phone(client, cast):
    a = make_activity(cast, capacity=1)
    login(client, cast["resident"])
    page = client.post(reverse("m_services:signup", args=[a.pk]), follow=True)
    assert "报名成功" in page.content.decode()
    page = client.post(reverse("m_services:signup", args=[a.pk]), follow=True)
    assert "无需重复报名" in page.content.decode()
    assert Signup.objects.filter(activity=a).count() == 1
    client.post(reverse("m_services:cancel", args=[a.pk]))
    assert Signup.objects.get(activity=a).status == "cancelled"


def test_a_full_activity_puts_the_next_person_on_the_waiting_list(client, cast):
    a = make_activity(cast, capacity=1)
    services.signup(by=cast["resident2"], activity=a)
    page = login(client, cast["resident"]).post(
        reverse("m_services:signup", args=[a.pk]), follow=True
    )
    assert "候补名单第 1 位" in page.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, cast):
    a = make_activity(cast)
    for url in (reverse("m_services:hub"), reverse("m_services:activity", args=[a.pk])):
        assert client.get(url).status_code == 302
    assert client.post(reverse("m_services:signup", args=[a.pk])).status_code == 302
    assert not Signup.objects.exists()


def test_check_in_page_with_the_code(client, cast):
    a = make_activity(cast, starts_in=timedelta(minutes=-5))
    services.signup(by=cast["member"].user, activity=a)
    login(client, cast["member"].user)
    url = reverse("m_services:checkin") + "?c=" + services.checkin_code(a)
    assert 'data-testid="checkin-button"' in client.get(url).content.decode()
    page = client.post(reverse("m_services:checkin"), {"c": services.checkin_code(a)})
    assert "签到成功" in page.content.decode() and "+2" in page.content.decode()
    page = client.post(reverse("m_services:checkin"), {"c": "forged"})
    assert page.status_code == 400 and "无效" in page.content.decode()


def test_a_rating_by_someone_who_did_not_take_part_is_refused(client, cast):
    a = make_activity(cast, starts_in=timedelta(minutes=-5))
    response = login(client, cast["resident2"]).post(
        reverse("m_services:rate", args=[a.pk]), {"rating": "5"}
    )
    assert response.status_code == 403
    assert not Signup.objects.filter(rating__isnull=False).exists()


def test_a_need_from_the_phone_and_refused_input_kept(client, cast):
    login(client, cast["resident"])
    page = client.post(reverse("m_services:needs"), {"title": "", "description": "留着我"})
    assert "请填写需求" in page.content.decode() and "留着我" in page.content.decode()
    assert not Need.objects.exists()
    client.post(reverse("m_services:needs"), {"title": "楼道灯", "description": ""})
    need = Need.objects.get()
    services.need_decline(by=cast["secretary"], need=need, reason="已报物业维修")
    assert "已报物业维修" in client.get(reverse("m_services:needs")).content.decode()


def test_a_wish_with_a_photo_from_the_phone_and_the_wall_hides_the_name(client, cast):
    login(client, cast["resident"])
    response = client.post(
        reverse("m_services:wish_new"), {"title": "一个书包", "value": "80", "photo": photo()}
    )
    wish = Wish.objects.get()
    assert response.status_code == 302 and wish.photo
    wishes.wish_review(by=cast["secretary"], wish=wish, approve=True)
    login(client, cast["member"].user)
    body = client.get(reverse("m_services:wishes")).content.decode()
    assert "一个书包" in body and "王**" in body and "王小红" not in body


def test_a_member_claims_on_the_phone_and_a_second_claim_is_refused(client, cast):
    wish = wishes.wish_post(by=cast["resident"], title="书包", value="80")
    wishes.wish_review(by=cast["secretary"], wish=wish, approve=True)
    login(client, cast["member"].user)
    client.post(reverse("m_services:wish", args=[wish.pk]), {"action": "claim"})
    login(client, cast["member2"].user)
    page = client.post(reverse("m_services:wish", args=[wish.pk]), {"action": "claim"}, follow=True)
    assert "已被他人认领" in page.content.decode()
    assert Wish.objects.get().claimed_by == cast["member"].user


def test_a_member_accepts_and_finishes_an_order_on_the_phone(client, cast):
    need = services.need_post(by=cast["resident"], title="换灯泡")
    services.need_accept(by=cast["secretary"], need=need)
    order = orders.order_dispatch(
        by=cast["secretary"],
        need=need,
        member=cast["member"],
        due_at=timezone.now() + timedelta(days=1),
    )
    login(client, cast["member"].user)
    assert 'data-testid="accept-' in client.get(reverse("m_services:orders")).content.decode()
    client.post(
        reverse("m_services:order_act", args=[order.pk]),
        {"action": "accept", "version": order.version},
    )
    client.post(
        reverse("m_services:order_act", args=[order.pk]),
        {"action": "report_done", "note": "换好了", "version": order.version + 1},
    )
    order.refresh_from_db()
    assert order.status == "done"
    login(client, cast["resident"])
    client.post(
        reverse("m_services:order_act", args=[order.pk]),
        {"action": "rate", "rating": "5", "version": order.version},
    )
    order.refresh_from_db()
    assert (order.status, order.rating) == ("rated", 5)


def test_someone_elses_order_is_not_found(client, cast):
    need = services.need_post(by=cast["resident"], title="换灯泡")
    services.need_accept(by=cast["secretary"], need=need)
    order = orders.order_dispatch(
        by=cast["secretary"],
        need=need,
        member=cast["member"],
        due_at=timezone.now() + timedelta(days=1),
    )
    login(client, cast["member2"].user)
    response = client.post(reverse("m_services:order_act", args=[order.pk]), {"action": "accept"})
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == "dispatched"


# --- iCalendar --------------------------------------------------------------------------------


def test_the_ical_feed_parses_back_with_every_activity(client, cast):
    a = make_activity(cast, title="义诊, 量血压; 测血糖", place="中心\n二楼")
    b = make_activity(cast, title="消防演练")
    services.activity_cancel(by=cast["secretary"], activity=b, reason="雨天")
    make_activity(
        {**cast, "secretary": cast["outsider"], "community": cast["neighbour"]}, title="别的社区"
    )
    response = client.get(reverse("m_services:feed", args=[cast["community"].code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"义诊, 量血压; 测血糖", "消防演练"}
    e = events["义诊, 量血压; 测血糖"]
    assert e.decoded("DTSTART") == a.starts_at.replace(microsecond=0)
    assert e.decoded("DTEND") == a.ends_at.replace(microsecond=0)
    assert e["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert str(e["LOCATION"]) == "中心\n二楼"
    assert str(e["UID"]).startswith(f"activity-{a.pk}@")
    assert str(events["消防演练"]["STATUS"]) == "CANCELLED"
    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75


def test_the_feed_of_an_unknown_community_is_not_found(client, places):
    assert client.get(reverse("m_services:feed", args=["999999999999"])).status_code == 404


# --- console ----------------------------------------------------------------------------------

CONSOLE = ["home", "needs", "offers", "projects", "teams", "activities", "orders", "wishes"]


@pytest.mark.parametrize("name", CONSOLE)
def test_console_pages_for_staff_and_not_for_residents(
    client, cast, name, django_assert_max_num_queries
):
    a = make_activity(cast)
    services.need_post(by=cast["resident"], title="x")
    wishes.wish_post(by=cast["resident"], title="书包", value="80")
    team = services.team_create(by=cast["secretary"], community=cast["community"], name="队")
    services.offer_create(
        by=cast["secretary"],
        community=cast["community"],
        title="理发",
        kind="care",
        capacity=3,
        when="周六",
        where="中心",
        team=team,
    )
    services.signup(by=cast["resident"], activity=a)
    login(client, cast["secretary"])
    with django_assert_max_num_queries(25):
        assert client.get(reverse(f"services:{name}")).status_code == 200
    login(client, cast["resident"])
    assert client.get(reverse(f"services:{name}")).status_code == 403
    client.logout()
    assert client.get(reverse(f"services:{name}")).status_code == 302


def test_lists_do_not_grow_queries_with_rows(client, cast, django_assert_max_num_queries):
    for i in range(30):
        services.need_post(by=cast["resident"], title=f"需求{i}")
        make_activity(cast, title=f"活动{i}")
    login(client, cast["secretary"])
    with django_assert_max_num_queries(15):
        client.get(reverse("services:needs"))
    with django_assert_max_num_queries(15):
        client.get(
            reverse("services:activities")
            + "?month="
            + timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m")
        )


def test_the_neighbour_sees_none_of_our_records(client, cast):
    a = make_activity(cast)
    services.need_post(by=cast["resident"], title="我们的需求")
    login(client, cast["outsider"])
    assert "我们的需求" not in client.get(reverse("services:needs")).content.decode()
    assert client.get(reverse("services:activity", args=[a.pk])).status_code == 404
    assert client.get(reverse("services:activity_qr", args=[a.pk])).status_code == 404


def test_staff_review_a_need_and_publish_an_activity_in_the_console(client, cast):
    need = services.need_post(by=cast["resident"], title="助餐")
    login(client, cast["secretary"])
    client.post(
        reverse("services:need_review", args=[need.pk]), {"decision": "decline", "reason": ""}
    )
    assert Need.objects.get().status == "pending"
    client.post(reverse("services:need_review", args=[need.pk]), {"decision": "accept"})
    assert Need.objects.get().status == "accepted"
    starts = timezone.localtime() + timedelta(days=2)
    response = client.post(
        reverse("services:activities"),
        {
            "community": cast["community"].code,
            "title": "义剪",
            "place": "中心",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "20",
        },
    )
    assert response.status_code == 302
    qr = client.get(response["Location"] + "qr/")
    assert qr.status_code == 200 and "<svg" in qr.content.decode()


def test_the_grid_chief_sees_but_cannot_show_the_qr(client, cast):
    from tests.factories import user_with_role

    chief = user_with_role("grid_chief", division=cast["community"])
    a = make_activity(cast)
    login(client, chief)
    assert client.get(reverse("services:activity", args=[a.pk])).status_code == 200
    assert client.get(reverse("services:activity_qr", args=[a.pk])).status_code == 403


# --- API --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how, status, words",
    [
        ("unknown", 404, "不存在"),
        ("cancelled", 400, "已取消"),
        ("not yet open", 400, "尚未开始"),
        ("closed", 400, "已截止"),
    ],
)
def test_api_signup_refusals_say_why_and_write_nothing(client, cast, how, status, words):
    """On PostgreSQL the sign-up statement writes only while the activity is open; the activity
    is read afterwards to say why not. Either way nothing is written."""
    now = timezone.now()
    a = make_activity(cast, starts_in=timedelta(days=5))
    if how == "cancelled":
        services.activity_cancel(by=cast["secretary"], activity=a, reason="台风预警")
    elif how == "not yet open":
        Activity.objects.filter(pk=a.pk).update(signup_opens_at=now + timedelta(days=1))
    elif how == "closed":
        Activity.objects.filter(pk=a.pk).update(signup_closes_at=now - timedelta(hours=1))
    pk = a.pk + 1000 if how == "unknown" else a.pk
    before = (Signup.objects.count(), AuditEntry.objects.count(), Activity.objects.get(pk=a.pk))
    login(client, cast["resident"])
    r = client.post(f"/api/services/activities/{pk}/signup")
    assert r.status_code == status and words in r.json()["detail"]
    after = Activity.objects.get(pk=a.pk)
    assert (Signup.objects.count(), AuditEntry.objects.count()) == before[:2]
    assert (after.taken, after.waiting) == (before[2].taken, before[2].waiting)


def test_a_signup_on_postgresql_is_one_statement(client, cast):
    """The sign-up that 200 phones send at once costs one statement more than the session's own
    reads (those of /livez): the activity is not read first, and the statement, prepared once a
    connection, is not parsed again."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's sign-up")
    a = make_activity(cast)
    services.signup(by=cast["resident2"], activity=a)  # the statement prepared on the connection
    login(client, cast["resident"])
    client.get("/livez")
    with CaptureQueriesContext(connection) as livez:
        client.get("/livez")
    with CaptureQueriesContext(connection) as signup:
        r = client.post(f"/api/services/activities/{a.pk}/signup")
    assert r.status_code == 201 and r.json()["status"] == "confirmed"
    # (inside the test's transaction the statement runs in a savepoint of its own)
    queries = [q["sql"] for q in signup.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(queries) == len(livez.captured_queries) + 1, queries
    assert queries[-1].startswith("EXECUTE jiceng_signup_")


def test_api_signup_checkin_rate(client, cast):
    a = make_activity(cast, starts_in=timedelta(minutes=-5), capacity=1)
    login(client, cast["member"].user)
    r = client.post(f"/api/services/activities/{a.pk}/signup")
    assert r.status_code == 201 and r.json()["status"] == "confirmed"
    r = client.post(f"/api/services/activities/{a.pk}/signup")
    assert r.status_code == 409 and "重复" in r.json()["detail"]
    client.force_login(cast["resident"])
    r = client.post(f"/api/services/activities/{a.pk}/signup")
    assert r.json() == {"activity_id": a.pk, "status": "waiting", "waiting_position": 1}
    login(client, cast["member"].user)
    r = client.post(
        "/api/services/checkin", {"code": services.checkin_code(a)}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["points"] == 2
    r = client.post(
        "/api/services/checkin",
        {"code": services.checkin_code(a, "out")},
        content_type="application/json",
    )
    assert r.json()["kind"] == "out"
    r = client.post(
        f"/api/services/activities/{a.pk}/rate", {"rating": 4}, content_type="application/json"
    )
    assert r.status_code == 200
    r = client.get(
        "/api/services/activities?month=" + timezone.localtime(a.starts_at).strftime("%Y-%m")
    )
    assert [x["id"] for x in r.json()] == [a.pk] and r.json()[0]["my_status"] == "confirmed"


def test_api_needs_wishes_and_orders(client, cast):
    login(client, cast["resident"])
    r = client.post("/api/services/needs", {"title": "装扶手"}, content_type="application/json")
    assert r.status_code == 201
    r = client.post("/api/services/needs", {"title": ""}, content_type="application/json")
    assert r.status_code == 400 and Need.objects.count() == 1
    need = Need.objects.get()
    services.need_accept(by=cast["secretary"], need=need)
    order = orders.order_dispatch(
        by=cast["secretary"],
        need=need,
        member=cast["member"],
        due_at=timezone.now() + timedelta(days=1),
    )
    login(client, cast["member"].user)
    r = client.get("/api/services/orders")
    assert r.json()["items"][0]["actions"] == ["accept", "decline"]
    r = client.post(
        f"/api/services/orders/{order.pk}/act",
        {"action": "accept", "version": 1},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert client.get("/api/services/wishes").status_code == 200


def test_api_needs_login(client, cast):
    assert (
        client.post(
            "/api/services/needs", {"title": "x"}, content_type="application/json"
        ).status_code
        == 401
    )


def test_the_phone_pages_speak_english_when_chosen(client, cast):
    from django.conf import settings

    make_activity(cast)
    login(client, cast["resident"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("m_services:calendar")).content.decode()
    assert "Community activities" in body and "社区活动" not in body
    assert "Post a wish" in client.get(reverse("m_services:wishes")).content.decode()


def test_staff_publish_the_months_projects_at_once(client, cast):
    from tests.community.test_lists import month_project

    project, _, _ = month_project(cast)
    login(client, cast["secretary"])
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post(
        reverse("services:month_publish"), {"community": cast["community"].code, "month": month}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "published"
    login(client, cast["outsider"])
    response = client.post(
        reverse("services:month_publish"), {"community": cast["community"].code, "month": month}
    )
    assert response.status_code == 403


def test_a_second_scan_of_the_check_in_code_says_already_checked_in_with_the_time(client, cast):
    a = make_activity(cast, starts_in=timedelta(minutes=-5))
    services.signup(by=cast["member"].user, activity=a)
    code = services.checkin_code(a)
    login(client, cast["member"].user).post(reverse("m_services:checkin"), {"c": code})
    row = Signup.objects.get(activity=a, user=cast["member"].user)
    for page, status in (
        (client.get(reverse("m_services:checkin") + "?c=" + code), 200),
        (client.post(reverse("m_services:checkin"), {"c": code}), 409),  # a repeated confirm
    ):
        text = page.content.decode()
        assert page.status_code == status and 'data-testid="checkin-already"' in text
        assert "已签到 " + timezone.localtime(row.checked_in_at).strftime("%H:%M") in text
        assert 'data-testid="checkin-button"' not in text
    # The check-out code is still offered to who has checked in but not out.
    out = client.get(reverse("m_services:checkin") + "?c=" + services.checkin_code(a, "out"))
    assert 'data-testid="checkin-button"' in out.content.decode()
