"""Browser, phone-sized (issue 13's "done when"): a resident opens the coming 月月谈, raises an
issue, votes in the household poll and gets a receipt; a second adult of the same household is
told the household has voted; staff type a paper batch twice (a difference shown, corrected,
counted); after the close both residents see the result. No phone page scrolls sideways."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.deliberation_polls.conftest import cast, make_poll  # noqa: F401 - the cast is a fixture
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form .primary").first.click()
    page.wait_for_load_state()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_household_vote_on_phones_paper_batch_typed_twice_and_the_result_after_closing(
    transactional_db,
    live_server,
    browser,
    phone,
    desktop,
    cast,  # noqa: F811
):
    from jiceng.deliberation.kinds import load_kinds
    from jiceng.deliberation.models import Issue, MeetingKind, PaperBatch, VoteRecord
    from tests.deliberation.conftest import make_meeting

    base = live_server.url
    load_kinds(MeetingKind)
    meeting = make_meeting(
        cast["secretary"], cast["places"]["community"], hours_from_now=48, title="十二月月月谈"
    )
    poll = make_poll(cast, title="是否同意为1栋加装电梯")

    # the first adult of household 101 opens the coming 月月谈 and raises an issue
    log_in(phone, base, cast["wang"])
    phone.click("[data-testid=deliberation-link]")
    phone.wait_for_selector("[data-testid=upcoming]")
    phone.click(f"[data-testid=meeting-{meeting.pk}]")
    assert "十二月月月谈" in phone.text_content("body")
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(SCREENSHOTS / "poll_flow_meeting_phone.png"), full_page=True)
    phone.goto(f"{base}/m/deliberation/issues/new/")
    phone.fill("input[name=title]", "1栋加装电梯的费用如何分摊")
    phone.fill("textarea[name=description]", "希望在月月谈上讨论，并由全楼住户投票决定。")
    phone.click("[data-testid=submit-issue]")
    phone.wait_for_selector("[data-testid=mine]")
    assert Issue.objects.filter(raised_by=cast["wang"]).count() == 1

    # and votes for the household on the phone
    phone.goto(f"{base}/")
    phone.click("[data-testid=polls-link]")
    phone.click(f"[data-testid=poll-{poll.pk}]")
    phone.check("input[name=options] >> nth=0")
    phone.click("[data-testid=cast]")
    phone.wait_for_selector("[data-testid=voted]")
    assert "本户已投票" in phone.text_content("[data-testid=voted]")
    receipt = phone.text_content("[data-testid=receipt]").strip()
    assert len(receipt) == 14 and receipt in phone.text_content(".messages")
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(SCREENSHOTS / "poll_voted_phone.png"), full_page=True)

    # the second adult of the same household is told, and has no ballot to cast
    other = browser.new_context(**PHONE).new_page()
    log_in(other, base, cast["li"])
    other.goto(f"{base}/m/deliberation/polls/{poll.pk}/")
    assert "本户已投票" in other.text_content("[data-testid=voted]")
    assert other.locator("[data-testid=ballot-form]").count() == 0
    assert no_sideways_scroll(other)
    other.screenshot(path=str(SCREENSHOTS / "poll_household_told_phone.png"), full_page=True)

    # the secretary types a batch of two paper ballots; a colleague types it again
    h2, h3 = cast["h2"].pk, cast["h3"].pk
    log_in(desktop, base, cast["secretary"])
    desktop.goto(f"{base}/console/deliberation/polls/{poll.pk}/")
    desktop.fill("input[name=sheets]", "2")
    desktop.fill("input[name=signed_by]", "唱票 张建国，监票 李秀英")
    desktop.fill("textarea[name=lines]", f"{h2} 赞成\n{h3} 反对")
    desktop.click("[data-testid=batch-form] button")
    desktop.wait_for_selector("[data-testid=batch-status]")
    batch = PaperBatch.objects.get()
    colleague = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(colleague, base, cast["worker"])
    colleague.goto(f"{base}/console/deliberation/polls/batches/{batch.pk}/")
    colleague.fill("[data-testid=second-form] textarea", f"{h2} 1\n{h3} 1")
    colleague.click("[data-testid=second-form] button")
    colleague.wait_for_selector("[data-testid=differences]")
    assert colleague.locator("[data-testid=differences] [data-line='2']").count() == 1
    assert colleague.locator("[data-testid=batch-count]").count() == 0
    colleague.screenshot(path=str(SCREENSHOTS / "poll_batch_differs_desktop.png"), full_page=True)
    colleague.select_option("[data-testid=correct-form] select[name=round]", "2")
    colleague.fill("[data-testid=correct-form] input[name=line]", "2")
    colleague.fill("[data-testid=correct-form] input[name=text]", f"{h3} 反对")
    colleague.click("[data-testid=correct-form] button")
    colleague.click("[data-testid=batch-count]")
    assert "该批次已计入" in colleague.text_content(".messages")
    assert VoteRecord.objects.filter(poll=poll, channel="paper").count() == 2

    # before the close, no results anywhere
    phone.reload()
    assert phone.locator("[data-testid=poll-result]").count() == 0
    desktop.goto(f"{base}/console/deliberation/polls/{poll.pk}/")
    assert "各网格投票进度" in desktop.text_content("[data-testid=turnout]")
    desktop.click("[data-testid=poll-close]")
    desktop.wait_for_selector("[data-testid=poll-result]")
    desktop.screenshot(path=str(SCREENSHOTS / "poll_closed_desktop.png"), full_page=True)

    for page, name in ((phone, "poll_result_phone.png"), (other, "poll_result_second_phone.png")):
        page.reload()
        result = page.text_content("[data-testid=poll-result]")
        assert "表决" in result and "共收回 3 票" in result
        assert no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
