"""Browser: a member scans the meeting's code on a phone, checks in and sees the points."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_member_checks_in_on_a_phone_and_sees_the_points_appear(
    transactional_db,
    live_server,
    phone,
    places,
):
    from jiceng.party import meetings
    from jiceng.party.models import Attendance, PartyOrg
    from tests.factories import user_with_role
    from tests.party.conftest import member_user

    committee = PartyOrg.objects.create(
        name="社区党委", kind="committee", division=places["community"]
    )
    branch = PartyOrg.objects.create(
        name="第1网格党支部", kind="branch", division=places["grid1"], parent=committee
    )
    alice = member_user(branch, "艾丽")
    secretary = user_with_role("community_secretary", division=places["community"])
    starts = timezone.now() - timedelta(minutes=5)
    meeting = meetings.meeting_create(
        by=secretary,
        org=branch,
        kind="theme_day",
        title="主题党日",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("input[name=username]", alice.user.username)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("form button[type=submit], form .primary").first.click()
    phone.wait_for_load_state()
    phone.goto(f"{live_server.url}/console/party/checkin/?c={meetings.checkin_code(meeting)}")
    phone.click("[data-testid=checkin-button]")
    assert phone.text_content("[data-testid=checkin-points]") == "+2"
    phone.screenshot(path=str(SCREENSHOTS / "party_checkin_phone.png"))
    phone.click("[data-testid=my-points]")
    assert phone.text_content("[data-testid=balance]").strip() == "2"
    # the page fits the phone: nothing wider than the viewport
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert Attendance.objects.filter(meeting=meeting).count() == 1
