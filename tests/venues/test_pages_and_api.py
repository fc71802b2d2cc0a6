"""The venue pages, the week view, the iCalendar feed, the API and the figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from jiceng.core.models import AuditEntry
from jiceng.venues import manifest, selectors, services
from jiceng.venues.models import Booking, Venue
from tests.venues.conftest import EVERY_DAY, at, book, next_weekday

# --- console ------------------------------------------------------------------------------------


def test_the_console_lists_venues_and_requests_in_few_queries(
    cast, client, django_assert_max_num_queries
):
    day = next_weekday(2)
    for i in range(12):
        v = services.venue_create(
            by=cast["secretary"],
            division=cast["places"]["grid2"],
            name=f"活动室{i}",
            address="公园路",
            capacity=10,
            windows=EVERY_DAY,
        )
        book(v, cast["alice"], day, "10:00", "11:00", attendees=5)
    client.force_login(cast["secretary"])
    with django_assert_max_num_queries(14):
        response = client.get("/console/venues/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "活动室11" in html and "图书馆分馆阅览室" in html  # a partner's room of our community
    assert html.count('data-booking="') == 12


def test_the_cast_on_the_console_pages(cast, client):
    venue, room = cast["venue"], cast["room"]
    booking = book(venue, cast["alice"], next_weekday(1), "10:00", "11:00")
    room_booking = book(room, cast["alice"], next_weekday(1), "18:00", "19:00")
    # owner and colleague
    for user in (cast["secretary"], cast["worker"]):
        client.force_login(user)
        assert client.get(f"/console/venues/{venue.pk}/").status_code == 200
    # the community sees the partner's room but does not decide on it
    assert client.get(f"/console/venues/{room.pk}/").status_code == 200
    assert client.post(f"/console/venues/bookings/{room_booking.pk}/approve/").status_code == 403
    # the neighbour's secretary: not in scope
    client.force_login(cast["outsider"])
    assert client.get(f"/console/venues/{venue.pk}/").status_code == 404
    assert client.post(f"/console/venues/bookings/{booking.pk}/approve/").status_code == 404
    assert "公园社区党群服务中心" not in client.get("/console/venues/").content.decode()
    # a resident has no console page; anonymous goes to the login
    client.force_login(cast["alice"])
    assert client.get("/console/venues/").status_code == 403
    client.logout()
    assert client.get("/console/venues/").status_code == 302
    assert Booking.objects.filter(status="approved").count() == 0
    # the colleague approves; the partner's staff approve their room
    client.force_login(cast["worker"])
    r = client.post(f"/console/venues/bookings/{booking.pk}/approve/", follow=True)
    assert "已批准" in r.content.decode()
    client.force_login(cast["unit_staff"])
    assert client.get(f"/console/venues/{venue.pk}/").status_code == 404
    client.post(f"/console/venues/bookings/{room_booking.pk}/approve/")
    assert set(Booking.objects.approved().values_list("pk", flat=True)) == {
        booking.pk,
        room_booking.pk,
    }


def test_decline_without_a_reason_is_refused_on_the_page_and_nothing_changes(cast, client):
    booking = book(cast["venue"], cast["alice"], next_weekday(1), "10:00", "11:00")
    client.force_login(cast["secretary"])
    audits = AuditEntry.objects.count()
    r = client.post(f"/console/venues/bookings/{booking.pk}/decline/", {"reason": ""}, follow=True)
    assert "请填写不批准的原因" in r.content.decode()
    booking.refresh_from_db()
    assert booking.status == "pending" and AuditEntry.objects.count() == audits


def test_staff_list_a_venue_with_staggered_hours_and_bad_hours_are_refused(cast, client):
    client.force_login(cast["secretary"])
    form = {
        "division": cast["places"]["grid1"].pk,
        "name": "第1网格党群服务站",
        "kind": "station",
        "address": "公园路 20 号",
        "capacity": "15",
        "w0": "18:00-21:00",
        "w5": "09:00-12:00，14:00-17:00",
        "approval_required": "on",
        "max_days_ahead": "14",
    }
    bad = client.post("/console/venues/new/", {**form, "w1": "21:00-18:00"})
    assert bad.status_code == 400 and "周二" in bad.content.decode()
    assert "第1网格党群服务站" in bad.content.decode()  # the input is kept
    assert not Venue.objects.filter(name="第1网格党群服务站").exists()
    r = client.post("/console/venues/new/", form)
    venue = Venue.objects.get(name="第1网格党群服务站")
    assert r.status_code == 302 and venue.scope_code == cast["places"]["grid1"].code
    assert [str(w) for w in venue.windows.all()] == [
        "周一 18:00-21:00",
        "周六 09:00-12:00",
        "周六 14:00-17:00",
    ]
    assert AuditEntry.objects.filter(action="venue.create", object_id=str(venue.pk)).exists()
    # the neighbour cannot list a venue in our community
    client.force_login(cast["outsider"])
    r = client.post("/console/venues/new/", {**form, "name": "别人的站"})
    assert r.status_code == 400 and not Venue.objects.filter(name="别人的站").exists()


# --- the phone pages ----------------------------------------------------------------------------


def test_a_resident_books_on_the_phone_page_and_sees_it_pending(cast, client):
    client.force_login(cast["alice"])
    assert "图书馆分馆阅览室" in client.get("/m/venues/").content.decode()
    day = next_weekday(0)
    page = client.get(f"/m/venues/{cast['room'].pk}/?week={day}")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="free-slot"') == 8  # one window a day
    r = client.post(
        f"/m/venues/{cast['room'].pk}/",
        {
            "day": day.isoformat(),
            "start": "18:30",
            "end": "20:00",
            "title": "读书会",
            "attendees": "12",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/m/venues/mine/"
    mine = client.get("/m/venues/mine/").content.decode()
    assert "读书会" in mine and "待审批" in mine


def test_the_phone_page_refuses_a_booking_outside_the_hours_and_keeps_the_input(cast, client):
    client.force_login(cast["alice"])
    day = next_weekday(0)
    r = client.post(
        f"/m/venues/{cast['room'].pk}/",
        {
            "day": day.isoformat(),
            "start": "10:00",
            "end": "11:00",
            "title": "读书会",
            "attendees": "5",
        },
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert "预约时间须在开放时段内：周一 18:00-21:00" in html and 'value="读书会"' in html
    assert not Booking.objects.exists()


def test_the_phone_page_refuses_an_overlapping_booking_with_409(cast, client):
    day = next_weekday(1)
    first = book(cast["venue"], cast["bob"], day, "10:00", "12:00")
    services.booking_approve(by=cast["secretary"], booking=first)
    client.force_login(cast["alice"])
    page = client.get(f"/m/venues/{cast['venue'].pk}/?week={day}").content.decode()
    assert "10:00-12:00 已预约" in page  # others' titles are not shown
    r = client.post(
        f"/m/venues/{cast['venue'].pk}/",
        {
            "day": day.isoformat(),
            "start": "11:00",
            "end": "13:00",
            "title": "排练",
            "attendees": "5",
        },
    )
    assert r.status_code == 409 and "该时段已被预约" in r.content.decode()
    assert Booking.objects.count() == 1


def test_a_community_only_venue_is_hidden_from_the_neighbour(cast, client):
    venue = cast["venue"]
    venue.residents_only = True
    venue.save()
    client.force_login(cast["neighbour"])
    assert "公园社区党群服务中心" not in client.get("/m/venues/").content.decode()
    assert client.get(f"/m/venues/{venue.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/m/venues/{venue.pk}/").status_code == 302


def test_the_resident_cancels_and_the_time_is_free_again(cast, client):
    day = next_weekday(1)
    booking = book(cast["venue"], cast["alice"], day, "10:00", "12:00")
    services.booking_approve(by=cast["secretary"], booking=booking)
    client.force_login(cast["bob"])
    assert client.post(f"/m/venues/mine/{booking.pk}/cancel/").status_code == 404
    client.force_login(cast["alice"])
    client.post(f"/m/venues/mine/{booking.pk}/cancel/")
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    days = selectors.week(venue=cast["venue"], monday=selectors.monday_of(day))
    assert [s.state for s in days[day.weekday()].segments] == ["free"]


def test_my_bookings_page_in_few_queries(cast, client, django_assert_max_num_queries):
    for i in range(15):
        book(
            cast["venue"],
            cast["alice"],
            next_weekday(i % 7),
            f"{8 + i // 7 + 1:02d}:00",
            f"{8 + i // 7 + 2:02d}:00",
        )
    client.force_login(cast["alice"])
    with django_assert_max_num_queries(10):
        r = client.get("/m/venues/mine/")
    assert r.content.decode().count('data-testid="booking-') == 15


# --- the week view and the feed -----------------------------------------------------------------


def test_the_week_cuts_windows_into_free_and_taken(cast):
    room = cast["room"]
    monday = next_weekday(0)
    taken = book(room, cast["alice"], monday, "18:30", "19:30")
    services.booking_approve(by=cast["unit_staff"], booking=taken)
    mine_pending = book(room, cast["bob"], monday + timedelta(days=5), "09:00", "10:00")
    assert mine_pending.status == "pending"
    services.closure_add(
        by=cast["unit_staff"],
        venue=room,
        starts_on=monday + timedelta(days=6),
        ends_on=monday + timedelta(days=6),
        reason="消防检查",
    )
    days = selectors.week(venue=room, monday=monday, user=cast["bob"])
    assert [(s.label, s.state) for s in days[0].segments] == [
        ("18:00-18:30", "free"),
        ("18:30-19:30", "taken"),
        ("19:30-21:00", "free"),
    ]
    assert [(s.label, s.state) for s in days[5].segments] == [
        ("09:00-12:00", "pending"),
        ("14:00-21:00", "free"),
    ]
    assert days[6].closed == "消防检查" and days[6].segments == []
    # others' pending requests: hidden from residents, shown to the manager
    alice_view = selectors.week(venue=room, monday=monday, user=cast["alice"])
    assert [s.state for s in alice_view[5].segments] == ["free", "free"]
    manager_view = selectors.week(
        venue=room, monday=monday, user=cast["unit_staff"], all_pending=True
    )
    assert [s.state for s in manager_view[5].segments] == ["pending", "free"]


def test_the_feed_is_rfc5545_and_parses_back_to_the_approved_bookings(cast, client):
    day = next_weekday(2)
    a = book(cast["venue"], cast["alice"], day, "10:00", "12:00", title="合唱排练")
    b = book(
        cast["venue"],
        cast["unit_staff"],
        day,
        "14:00",
        "15:30",
        title="读书分享",
        organization=cast["unit"],
    )
    pending = book(cast["venue"], cast["bob"], day, "16:00", "17:00", title="待定")
    for x in (a, b):
        services.booking_approve(by=cast["secretary"], booking=x)
    r = client.get(f"/m/venues/{cast['venue'].pk}/calendar.ics")  # no login: calendar apps
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["合唱排练", "读书分享（市图书馆分馆）"]
    assert events[0].decoded("DTSTART") == at(day, "10:00")
    assert events[1].decoded("DTEND") == at(day, "15:30")
    assert str(events[0]["UID"]) == f"venue-booking-{a.pk}@jiceng"
    assert "公园路 1 号" in str(events[0]["LOCATION"])
    assert pending.pk and "待定" not in r.content.decode()
    assert cast["alice"].full_name not in r.content.decode()  # no personal data


# --- the API ------------------------------------------------------------------------------------


def test_the_api_books_refuses_overlaps_and_decides(cast, client):
    day = next_weekday(3)
    client.force_login(cast["alice"])
    payload = {
        "starts_at": at(day, "19:00").isoformat(),
        "ends_at": at(day, "20:00").isoformat(),
        "title": "太极拳",
        "attendees": 8,
    }
    r = client.post(
        f"/api/venues/venues/{cast['room'].pk}/bookings", payload, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()[0]["status"] == "pending"
    booking_id = r.json()[0]["id"]
    outside = {
        **payload,
        "starts_at": at(day, "08:00").isoformat(),
        "ends_at": at(day, "09:00").isoformat(),
    }
    r = client.post(
        f"/api/venues/venues/{cast['room'].pk}/bookings", outside, content_type="application/json"
    )
    assert r.status_code == 400 and "开放时段" in r.json()["detail"]
    week = client.get(f"/api/venues/venues/{cast['room'].pk}/week?start={day}").json()
    assert len(week) == 7
    # the community may not decide on the unit's room; the neighbour does not see it
    client.force_login(cast["secretary"])
    assert client.post(f"/api/venues/bookings/{booking_id}/approve").status_code == 403
    client.force_login(cast["outsider"])
    assert client.post(f"/api/venues/bookings/{booking_id}/approve").status_code == 404
    client.force_login(cast["unit_staff"])
    assert [b["id"] for b in client.get("/api/venues/bookings/pending").json()["items"]] == [
        booking_id
    ]
    r = client.post(f"/api/venues/bookings/{booking_id}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    client.force_login(cast["bob"])
    r = client.post(
        f"/api/venues/venues/{cast['room'].pk}/bookings", payload, content_type="application/json"
    )
    assert r.status_code == 409 and "该时段已被预约" in r.json()["detail"]
    client.logout()
    assert client.get("/api/venues/venues").status_code == 401


# --- figures ------------------------------------------------------------------------------------


def test_the_figures_count_venues_bookings_and_utilisation(cast):
    scopes = [cast["places"]["community"].code]
    assert manifest.venue_count(scopes) == 2
    assert manifest.venue_count([cast["places"]["neighbour"].code]) == 0
    now = timezone.now()
    start, _ = manifest._month(now)
    # an approved 12-hour booking written directly at the month's first day (a fixed window)
    Booking.objects.create(
        venue=cast["venue"],
        scope_code=cast["venue"].scope_code,
        booker=cast["alice"],
        title="全天活动",
        attendees=5,
        starts_at=start + timedelta(hours=9),
        ends_at=start + timedelta(hours=21),
        status="approved",
    )
    assert manifest.bookings_this_month(scopes, now) == 1
    days = (manifest._month(now)[1] - start).days
    # the hall: 12 h a day; the room: 3 h on working days, 10 h Saturday, 8 h Sunday
    value = manifest.utilisation(scopes, now)
    assert 0 < value <= round(100 * 12 / (12 * days)) + 1


@pytest.mark.parametrize("role", ["community_secretary", "street_staff"])
def test_console_home_shows_the_venue_figures(cast, client, role):
    from tests.factories import user_with_role

    where = (
        cast["places"]["community"] if role == "community_secretary" else cast["places"]["street"]
    )
    client.force_login(user_with_role(role, division=where))
    html = client.get("/console/").content.decode()
    assert "共享阵地" in html and "本月场地利用率" in html


def test_the_feed_is_served_again_only_when_it_changed(cast, client):
    day = next_weekday(2)
    url = f"/m/venues/{cast['venue'].pk}/calendar.ics"
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    booking = book(cast["venue"], cast["alice"], day, "10:00", "12:00", title="合唱排练")
    services.booking_approve(by=cast["secretary"], booking=booking)
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again["ETag"] != etag
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(again.content).walk("VEVENT")] == [
        "合唱排练"
    ]
    services.booking_cancel(by=cast["alice"], booking=booking)
    assert not Calendar.from_ical(client.get(url).content).walk("VEVENT")


def test_the_phone_list_shows_the_own_community_first_in_few_queries(
    cast, client, django_assert_max_num_queries
):
    from tests.factories import user_with_role

    their_secretary = user_with_role("community_secretary", division=cast["places"]["neighbour"])
    for i in range(8):
        services.venue_create(
            by=their_secretary,
            division=cast["places"]["neighbour"],
            name=f"湖西活动室{i}",
            address="湖西路",
            capacity=10,
            windows=EVERY_DAY,
        )
    client.force_login(cast["neighbour"])
    html = client.get("/m/venues/").content.decode()
    assert html.index("湖西活动室0") < html.index("公园社区党群服务中心")
    client.force_login(cast["alice"])
    with django_assert_max_num_queries(9):
        html = client.get("/m/venues/").content.decode()
    assert html.index("公园社区党群服务中心") < html.index("湖西活动室0")


def test_the_api_declines_and_cancels_with_reasons(cast, client):
    day = next_weekday(3)
    mine = book(cast["venue"], cast["alice"], day, "10:00", "11:00")
    other = book(cast["venue"], cast["bob"], day, "12:00", "13:00")
    client.force_login(cast["worker"])
    r = client.post(
        f"/api/venues/bookings/{mine.pk}/decline", {"reason": ""}, content_type="application/json"
    )
    assert r.status_code == 400 and "原因" in r.json()["detail"]
    r = client.post(
        f"/api/venues/bookings/{mine.pk}/decline",
        {"reason": "当天场地维修"},
        content_type="application/json",
    )
    assert r.json()["status"] == "declined" and r.json()["reason"] == "当天场地维修"
    client.force_login(cast["alice"])
    mine_list = client.get("/api/venues/bookings/mine").json()["items"]
    assert [(b["id"], b["status"]) for b in mine_list] == [(mine.pk, "declined")]
    # someone else's booking: not theirs to cancel, and not visible as staff either
    r = client.post(f"/api/venues/bookings/{other.pk}/cancel", {}, content_type="application/json")
    assert r.status_code == 404
    client.force_login(cast["bob"])
    r = client.post(f"/api/venues/bookings/{other.pk}/cancel", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_the_venue_page_lists_its_bookings_in_few_queries(
    cast, client, django_assert_max_num_queries
):
    for i in range(7):
        b = book(cast["venue"], cast["alice"], next_weekday(i), "10:00", "11:00")
        services.booking_approve(by=cast["secretary"], booking=b)
        book(cast["venue"], cast["bob"], next_weekday(i), "12:00", "13:00")
    client.force_login(cast["secretary"])
    with django_assert_max_num_queries(14):
        r = client.get(f"/console/venues/{cast['venue'].pk}/?week={next_weekday(0)}")
    html = r.content.decode()
    assert html.count("已批准") >= 7 and "书法兴趣小组" in html


def test_staff_of_a_unit_placed_at_the_street_see_the_streets_venues_to_book(cast, client):
    from tests.factories import partner, user_with_role

    street_unit = partner("江边物业服务有限公司", "property_company", cast["places"]["street"])
    staff = user_with_role("partner_staff", unit=street_unit)
    client.force_login(staff)
    html = client.get("/m/venues/").content.decode()
    assert "公园社区党群服务中心" in html and "图书馆分馆阅览室" in html
    venue = cast["venue"]
    venue.residents_only = True
    venue.save()
    assert "公园社区党群服务中心" not in client.get("/m/venues/").content.decode()


def test_the_phone_page_books_a_weekly_series(cast, client):
    client.force_login(cast["alice"])
    day = next_weekday(0)
    r = client.post(
        f"/m/venues/{cast['room'].pk}/",
        {
            "day": day.isoformat(),
            "start": "18:30",
            "end": "20:00",
            "title": "读书会",
            "attendees": "12",
            "weeks": "3",
        },
        follow=True,
    )
    assert "共 3 次" in r.content.decode()
    assert Booking.objects.filter(booker=cast["alice"], title="读书会").count() == 3


def test_opening_hours_read_as_a_short_week(cast):
    room = Venue.objects.prefetch_related("windows").get(pk=cast["room"].pk)
    assert (
        room.opening_summary
        == "周一至周五 18:00-21:00；周六 09:00-12:00,14:00-21:00；周日 09:00-17:00"
    )
    venue = Venue.objects.get(pk=cast["venue"].pk)
    assert venue.opening_summary == "周一至周日 09:00-21:00"
