"""A refused closure on a venue's page is explained beside its form, in the user's language, with
the dates and the reason still in it, and nothing changes (CONVENTIONS.md "Form input")."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from jiceng.core.models import AuditEntry
from jiceng.venues import services
from jiceng.venues.models import Booking, Closure, Venue
from tests.venues.conftest import book, next_weekday

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Closure.objects.count(),
        list(Booking.objects.values_list("pk", "status")),
        AuditEntry.objects.count(),
    )


def errors(page: str) -> str:
    found = re.findall(r'data-testid="form-errors">(.*?)</div>', page)
    assert found, "no errors shown beside the form"
    return " ".join(found)


def test_a_closure_ending_before_it_starts_keeps_the_dates_and_the_reason(cast, client):
    day = next_weekday(1)
    book(cast["venue"], cast["alice"], day, "10:00", "11:00")
    client.force_login(cast["secretary"])
    before = snapshot()
    earlier = (day - timedelta(days=1)).isoformat()
    page = client.post(
        f"/console/venues/{cast['venue'].pk}/closures/",
        {"starts_on": day.isoformat(), "ends_on": earlier, "reason": "设备检修"},
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "结束日期不能早于起始日期" in errors(body)
    assert f'value="{day.isoformat()}"' in body and f'value="{earlier}"' in body
    assert 'value="设备检修"' in body
    assert snapshot() == before


@pytest.mark.parametrize(
    ("starts_on", "says"),
    [
        ("next Friday", "Start date: not in the right format."),
        ("9999-12-31", "Dates must lie between 1900-01-01 and 2100-12-31."),
    ],
)
def test_a_closure_from_a_date_that_cannot_be_read_is_explained_in_english(
    cast, client, starts_on, says
):
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"
    before = snapshot()
    page = client.post(
        f"/console/venues/{cast['venue'].pk}/closures/",
        {"starts_on": starts_on, "reason": "设备检修"},
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert says in errors(body).replace("&#x27;", "'")
    assert f'value="{starts_on}"' in body and 'value="设备检修"' in body
    assert snapshot() == before


def test_a_good_closure_still_redirects_to_the_venue(cast, client):
    client.force_login(cast["secretary"])
    day = next_weekday(3).isoformat()
    done = client.post(
        f"/console/venues/{cast['venue'].pk}/closures/", {"starts_on": day, "reason": "设备检修"}
    )
    assert done.status_code == 302
    assert Closure.objects.get().ends_on.isoformat() == day


def venue_form(cast, **changes):
    form = {
        "division": cast["places"]["grid1"].pk,
        "name": "第1网格党群服务站",
        "kind": "station",
        "address": "公园路 20 号",
        "capacity": "15",
        "w0": "18:00-21:00",
        "w5": "09:00-12:00",
        "max_days_ahead": "14",
        "residents_only": "on",
    }
    return {**form, **changes}


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"capacity": "十五"}, "容纳人数应为正整数。"),
        ({"max_days_ahead": "两周"}, "最多提前预约天数应在 1 至 365 之间。"),
        ({"kind": "castle"}, "未知的场地类型。"),
        ({"division": "abc"}, "请选择场地所在的社区或网格。"),
        ({"w0": "", "w5": ""}, "请至少填写一个开放时段。"),
        ({"contact_phone": "12345"}, "联系电话应为 11 位手机号码"),
    ],
)
def test_a_refused_new_venue_is_explained_beside_the_form_with_what_was_typed(
    cast, client, changes, says
):
    client.force_login(cast["secretary"])
    before = (snapshot(), list(Venue.objects.values_list("pk", "name")))
    page = client.post("/console/venues/new/", venue_form(cast, **changes))
    assert page.status_code == 400
    body = page.content.decode()
    assert says in errors(body)
    assert 'value="第1网格党群服务站"' in body and 'value="公园路 20 号"' in body
    assert 'value="18:00-21:00"' in body or "w0" in changes
    assert 'name="residents_only" checked' in body
    assert 'name="approval_required" checked' not in body  # what was unticked stays unticked
    assert (snapshot(), list(Venue.objects.values_list("pk", "name"))) == before


def test_a_refused_venue_change_keeps_what_was_typed_and_changes_nothing(cast, client):
    venue = cast["venue"]
    client.force_login(cast["secretary"])
    shown = client.get(f"/console/venues/{venue.pk}/edit/").content.decode()
    assert 'value="公园社区党群服务中心多功能厅"' in shown and 'value="09:00-21:00"' in shown
    before = (snapshot(), list(Venue.objects.values_list("name", "capacity", "is_active")))
    page = client.post(
        f"/console/venues/{venue.pk}/edit/",
        {
            "name": "多功能厅（新）",
            "kind": "center",
            "address": "公园路 1 号",
            "capacity": "0",
            "w2": "19:00-21:00",
            "max_days_ahead": "30",
            "is_active": "on",
        },
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "容纳人数应为正整数。" in errors(body)
    assert 'value="多功能厅（新）"' in body and 'value="19:00-21:00"' in body
    assert 'name="is_active" checked' in body
    assert (snapshot(), list(Venue.objects.values_list("name", "capacity", "is_active"))) == before


def test_a_good_venue_is_listed_and_a_good_change_saved(cast, client):
    client.force_login(cast["secretary"])
    done = client.post("/console/venues/new/", venue_form(cast))
    venue = Venue.objects.get(name="第1网格党群服务站")
    assert done.status_code == 302 and venue.residents_only and not venue.approval_required
    assert venue.max_days_ahead == 14 and venue.capacity == 15
    changed = client.post(
        f"/console/venues/{venue.pk}/edit/",
        venue_form(cast, capacity="25", name="服务站", is_active="on"),
    )
    venue.refresh_from_db()
    assert changed.status_code == 302 and (venue.name, venue.capacity) == ("服务站", 25)


def row(page: str, booking) -> str:
    """The cell of the booking's decision forms."""
    found = re.search(
        rf"<td[^>]*>((?:(?!</td>).)*?/console/venues/bookings/{booking.pk}/(?:approve|cancel)/.*?)</td>",
        page,
        re.S,
    )
    assert found, "the booking is not on the page"
    return found.group(1)


def test_a_decline_without_a_reason_is_explained_beside_the_booking_on_the_home_page(cast, client):
    booking = book(cast["venue"], cast["alice"], next_weekday(1), "10:00", "11:00")
    other = book(cast["venue"], cast["bob"], next_weekday(2), "10:00", "11:00")
    client.force_login(cast["secretary"])
    before = snapshot()
    page = client.post(f"/console/venues/bookings/{booking.pk}/decline/", {"reason": "  "})
    assert page.status_code == 400
    body = page.content.decode()
    assert "请填写不批准的原因" in errors(row(body, booking))
    assert 'data-testid="form-errors"' not in row(body, other)
    assert snapshot() == before


def test_a_cancel_on_the_venue_page_is_refused_there_and_a_long_reason_kept(cast, client):
    booking = book(cast["venue"], cast["alice"], next_weekday(1), "10:00", "11:00")
    pending = book(cast["venue"], cast["bob"], next_weekday(2), "10:00", "11:00")
    client.force_login(cast["secretary"])
    services.booking_approve(by=cast["secretary"], booking=booking)
    detail = f"/console/venues/{cast['venue'].pk}/"
    before = snapshot()
    page = client.post(
        f"/console/venues/bookings/{booking.pk}/cancel/", {"reason": "", "next": detail}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert 'data-testid="upcoming"' in body and 'name="starts_on"' in body  # the venue's page
    assert "请填写取消的原因" in errors(row(body, booking))
    too_long = "场地漏水" * 80
    page = client.post(
        f"/console/venues/bookings/{pending.pk}/decline/", {"reason": too_long, "next": detail}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "原因" in errors(row(body, pending)) and f'value="{too_long}"' in body
    assert snapshot() == before


def test_approving_a_booking_already_declined_is_explained_above_the_list(cast, client):
    booking = book(cast["venue"], cast["alice"], next_weekday(1), "10:00", "11:00")
    services.booking_decline(by=cast["worker"], booking=booking, reason="场地另有安排")
    client.force_login(cast["secretary"])
    before = snapshot()
    page = client.post(f"/console/venues/bookings/{booking.pk}/approve/")
    assert page.status_code == 400
    assert "该预约已处理（未批准）" in errors(page.content.decode())
    assert snapshot() == before


def test_a_good_decision_still_goes_back_to_the_page_it_was_made_on(cast, client):
    booking = book(cast["venue"], cast["alice"], next_weekday(1), "10:00", "11:00")
    client.force_login(cast["secretary"])
    detail = f"/console/venues/{cast['venue'].pk}/"
    done = client.post(
        f"/console/venues/bookings/{booking.pk}/decline/", {"reason": "开会", "next": detail}
    )
    assert done.status_code == 302 and done.url == detail
    booking.refresh_from_db()
    assert (booking.status, booking.reason) == ("declined", "开会")
