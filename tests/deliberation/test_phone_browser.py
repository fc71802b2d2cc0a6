"""Browser, phone-sized (390 px), in Chinese and English: a resident opens the coming 月月谈
from the resident home, reads its agenda, raises an issue and finds it in "my issues", checks
in by the meeting's QR link and approves the minutes; the staff's meeting page on a phone and a
desktop. No page scrolls sideways; screenshots in tests/browser/screenshots/."""

from __future__ import annotations

import pytest

from jiceng.deliberation import meetings
from jiceng.deliberation.kinds import load_kinds
from jiceng.deliberation.models import Category, Issue, MeetingKind, Participant
from tests.browser.conftest import SCREENSHOTS
from tests.deliberation.conftest import make_meeting
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, base, user, lang="zh-hans"):
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form .primary").first.click()
    page.wait_for_load_state()


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_resident_on_a_phone_opens_a_meeting_raises_an_issue_checks_in_and_approves(
    transactional_db, live_server, browser, places, lang
):
    from tests.factories import user_with_role

    load_kinds(MeetingKind)
    secretary = user_with_role(
        "community_secretary", division=places["community"], full_name="王书记"
    )
    alice = user_with_role("resident", division=places["grid1"], full_name="艾丽")
    meeting = make_meeting(
        secretary, places["community"], hours_from_now=-0.1, title="十二月月月谈"
    )
    meetings.participant_add(
        by=secretary, meeting=meeting, category=Category.GROUP_LEADER, name="", user=alice
    )
    for name, category in (("张代表", Category.DEPUTY), ("李经理", Category.PROPERTY_COMPANY)):
        meetings.participant_add(by=secretary, meeting=meeting, category=category, name=name)
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    phone = context.new_page()
    log_in(phone, base, alice, lang)
    phone.click("[data-testid=deliberation-link]")
    phone.wait_for_selector("[data-testid=upcoming]")
    no_sideways_scroll(phone)
    phone.screenshot(path=str(SCREENSHOTS / f"deliberation_phone_home_{lang}.png"), full_page=True)
    phone.click(f"[data-testid=meeting-{meeting.pk}]")
    assert phone.locator("[data-testid=agenda] li").count() == 4
    no_sideways_scroll(phone)

    phone.goto(f"{base}/m/deliberation/issues/new/")
    phone.fill("input[name=title]", "小区东门路灯不亮")
    phone.fill("textarea[name=description]", "晚上出行不安全，请尽快修理。")
    phone.click("[data-testid=submit-issue]")
    phone.wait_for_selector("[data-testid=mine]")
    issue = Issue.objects.get(raised_by=alice)
    assert phone.text_content(f"[data-testid=status-{issue.pk}]") == (
        "已收集" if lang == "zh-hans" else "Collected"
    )
    no_sideways_scroll(phone)
    phone.screenshot(
        path=str(SCREENSHOTS / f"deliberation_phone_issues_{lang}.png"), full_page=True
    )

    phone.goto(f"{base}/m/deliberation/checkin/?c={meetings.checkin_code(meeting)}")
    phone.click("[data-testid=checkin-button]")
    phone.wait_for_selector("[data-testid=checkin-done]")
    assert Participant.objects.get(user=alice).present
    no_sideways_scroll(phone)

    meetings.minutes_publish(
        by=secretary,
        meeting=meeting,
        minutes="会议议定：东门路灯由物业一周内修复。",
        resolutions="1. 修复东门路灯",
    )
    phone.goto(f"{base}/m/deliberation/meetings/{meeting.pk}/")
    phone.fill("textarea[name=comment]", "同意")
    phone.click("[data-testid=approve]")
    phone.wait_for_selector("[data-testid=approved]")
    assert "艾丽" in phone.text_content("[data-testid=approvals]")
    no_sideways_scroll(phone)
    phone.screenshot(
        path=str(SCREENSHOTS / f"deliberation_phone_meeting_{lang}.png"), full_page=True
    )

    # the staff's meeting page, on a phone and on a desktop
    staff = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    ).new_page()
    log_in(staff, base, secretary, lang)
    for path in (
        f"/console/deliberation/meetings/{meeting.pk}/",
        "/console/deliberation/",
        "/console/deliberation/issues/",
        f"/console/deliberation/issues/{issue.pk}/",
        "/console/deliberation/matters/",
    ):
        staff.goto(base + path)
        assert staff.locator("h1, h2").count() >= 1
        no_sideways_scroll(staff)
    staff.goto(f"{base}/console/deliberation/meetings/{meeting.pk}/")
    assert "艾丽" in staff.text_content("[data-testid=participants]")
    staff.screenshot(
        path=str(SCREENSHOTS / f"deliberation_console_meeting_phone_{lang}.png"), full_page=True
    )
    desk = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(desk, base, secretary, lang)
    desk.goto(f"{base}/console/deliberation/meetings/{meeting.pk}/")
    desk.screenshot(
        path=str(SCREENSHOTS / f"deliberation_console_meeting_desktop_{lang}.png"), full_page=True
    )
    context.close()
