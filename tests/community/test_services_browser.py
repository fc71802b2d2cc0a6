"""Browser, phone-sized: a resident signs up, checks in with the code, checks out and rates the
activity; another posts a wish with a photo, a member claims and fulfils it, the resident
confirms. Each person in their own browser session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form .primary").first.click()
    page.wait_for_load_state()


@pytest.fixture
def another_phone(browser):
    from tests.browser.conftest import PHONE

    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


def test_sign_up_check_in_rate_and_a_wish_lit_on_phones(
    transactional_db,
    live_server,
    phone,
    another_phone,
    cast,
    tmp_path,
    settings,
):
    from jiceng.community import services
    from jiceng.community.models import Signup, Wish
    from jiceng.points.models import PointEntry
    from tests.community.conftest import make_activity, restore_point_rules

    restore_point_rules()
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    activity = make_activity(cast, starts_in=timedelta(minutes=-10), title="社区清洁日", capacity=5)

    # A resident finds the activity from the home page and signs up.
    resident = cast["resident"]
    log_in(phone, base, resident)
    phone.click("[data-testid=services-link]")
    phone.click("[data-testid=calendar-link]")
    phone.click(f"[data-testid=activity-{activity.pk}]")
    phone.click("[data-testid=signup-button]")
    expect(phone.locator(".messages")).to_contain_text("报名成功")
    # Scans the code on the screen at the activity, then the check-out code when leaving.
    phone.goto(f"{base}/m/services/checkin/?c={services.checkin_code(activity)}")
    phone.click("[data-testid=checkin-button]")
    expect(phone.locator("[data-testid=checkin-done]")).to_have_text("签到成功")
    Signup.objects.filter(user=resident).update(
        checked_in_at=timezone.now() - timedelta(minutes=90)
    )
    phone.goto(f"{base}/m/services/checkin/?c={services.checkin_code(activity, 'out')}")
    phone.click("[data-testid=checkin-button]")
    expect(phone.locator("[data-testid=checkin-hours]")).to_contain_text("1.5 ")
    phone.click("[data-testid=back-to-activity]")
    phone.check("input[name=rating][value='4']")
    phone.fill("textarea[name=comment]", "组织得很好")
    phone.click("[data-testid=rate-button]")
    expect(phone.locator("[data-testid=my-rating]")).to_contain_text("4 ★")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SCREENSHOTS / "services_activity_phone.png"))
    assert Signup.objects.get(user=resident).rating == 4

    # Another resident posts a wish with a photo.
    picture = tmp_path / "bag.png"
    Image.new("RGB", (1200, 900), (30, 90, 200)).save(picture)
    poster = cast["resident2"]
    log_in(another_phone, base, poster)
    another_phone.goto(f"{base}/m/services/wishes/")
    another_phone.click("[data-testid=wish-new-link]")
    another_phone.fill("input[name=title]", "一个新书包")
    another_phone.fill("input[name=value]", "80")
    another_phone.set_input_files("input[name=photo]", str(picture))
    another_phone.click("[data-testid=wish-submit]")
    expect(another_phone.locator("[data-testid=wish-status]")).to_have_text("待审核")
    wish = Wish.objects.get()
    from jiceng.community import wishes

    wishes.wish_review(by=cast["secretary"], wish=wish, approve=True)

    # A member finds it on the wall (the poster's name hidden), claims and fulfils it.
    phone.context.clear_cookies()
    member = cast["member"]
    log_in(phone, base, member.user)
    phone.click("[data-testid=wishes-link]")
    card = phone.locator(f"[data-testid=wish-{wish.pk}]")
    assert "李**" in card.text_content() and "李大明" not in phone.content()
    card.click()
    phone.click("[data-testid=claim-button]")
    expect(phone.locator("[data-testid=wish-status]")).to_have_text("已认领")
    phone.set_input_files("input[name=photo]", str(picture))
    phone.fill("input[name=note]", "已送到家中")
    phone.click("[data-testid=fulfil-button]")
    expect(phone.locator("[data-testid=wish-status]")).to_have_text("已送达")

    # The resident sees the delivery photo and confirms.
    another_phone.goto(f"{base}/m/services/wishes/{wish.pk}/")
    expect(another_phone.locator("[data-testid=fulfil-photo]")).to_be_visible()
    another_phone.click("[data-testid=confirm-button]")
    expect(another_phone.locator("[data-testid=wish-status]")).to_have_text("已实现")
    another_phone.screenshot(path=str(SCREENSHOTS / "services_wish_phone.png"))
    assert another_phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert Wish.objects.get().status == "confirmed"
    assert PointEntry.objects.filter(member=member, points=3).count() == 1
