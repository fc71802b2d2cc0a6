"""Browser, phone-sized: a resident books a free slot, the owner approves it, the resident sees
it approved, and a neighbour's overlapping booking is refused with the message."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD
from tests.venues.conftest import cast, next_weekday  # noqa: F401 - the cast is a fixture

pytestmark = pytest.mark.browser


def log_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form .primary").first.click()
    page.wait_for_load_state()


def test_a_resident_books_on_a_phone_the_owner_approves_and_an_overlap_is_refused(
    transactional_db,
    live_server,
    browser,
    phone,
    desktop,
    cast,  # noqa: F811
):
    from jiceng.venues.models import Booking

    base = live_server.url
    room = cast["room"]  # the library's reading room: evenings on working days
    day = next_weekday(2)
    log_in(phone, base, cast["alice"])
    phone.click("[data-testid=venues-link]")
    phone.click(f"[data-testid=venue-{room.pk}]")
    phone.goto(f"{phone.url}?week={day.isoformat()}")
    phone.click(f"[data-day='{day.isoformat()}'] [data-testid=free-slot]")
    assert phone.input_value("[data-testid=start]") == "18:00"
    phone.fill("[data-testid=end]", "20:00")
    phone.fill("[data-testid=title]", "社区读书会")
    phone.fill("[data-testid=attendees]", "12")
    phone.click("[data-testid=book-button]")
    phone.wait_for_selector("[data-testid=mine]")
    assert "已提交预约申请" in phone.text_content(".messages")
    booking = Booking.objects.get()
    assert phone.text_content(f"[data-testid=status-{booking.pk}]") == "待审批"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # the library's staff approve it on the console
    log_in(desktop, base, cast["unit_staff"])
    desktop.goto(f"{base}/console/venues/")
    desktop.click(f"[data-testid=approve-{booking.pk}]")
    assert "已批准" in desktop.text_content(".messages")

    phone.reload()
    assert phone.text_content(f"[data-testid=status-{booking.pk}]") == "已批准"
    phone.screenshot(path=str(SCREENSHOTS / "venues_booking_phone.png"))

    # a second resident asks for an overlapping time: refused with the reason, input kept
    context = browser.new_context(**{"viewport": {"width": 390, "height": 844}, "is_mobile": True})
    other = context.new_page()
    log_in(other, base, cast["bob"])
    other.goto(f"{base}/m/venues/{room.pk}/?week={day.isoformat()}")
    assert "18:00-20:00" in other.text_content(f"[data-day='{day.isoformat()}']")
    other.fill("[data-testid=day]", day.isoformat())
    other.fill("[data-testid=start]", "19:00")
    other.fill("[data-testid=end]", "21:00")
    other.fill("[data-testid=title]", "合唱排练")
    other.fill("[data-testid=attendees]", "10")
    other.click("[data-testid=book-button]")
    error = other.text_content("[data-testid=booking-error]")
    assert "该时段已被预约" in error and "18:00" in error
    assert other.input_value("[data-testid=title]") == "合唱排练"
    other.screenshot(path=str(SCREENSHOTS / "venues_overlap_phone.png"), full_page=True)
    context.close()
    assert Booking.objects.count() == 1 and Booking.objects.get().status == "approved"
