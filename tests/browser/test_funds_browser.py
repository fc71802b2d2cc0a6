"""Browser: the community's secretary records spending with a voucher photo on the phone, the
street approves it on the desktop, and the line's balance changes on the community's public
page "where the money went". Screenshots at 390 px and on a desktop, in Chinese and English."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.factories import PASSWORD
from tests.projects_funds.conftest import cast  # noqa: F401 - the cast is a fixture

pytestmark = pytest.mark.browser


def log_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form .primary").first.click()
    page.wait_for_load_state()


def _voucher(tmp_path):
    path = tmp_path / "receipt.jpg"
    Image.new("RGB", (600, 400), "white").save(path, "JPEG")
    return str(path)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_spending_with_a_voucher_is_approved_and_the_public_page_shows_it(
    transactional_db,
    live_server,
    browser,
    desktop,
    cast,  # noqa: F811
    tmp_path,
):
    from django.utils import timezone

    from jiceng.projects.models import Spending

    base = live_server.url
    line, allocation, community = cast["line"], cast["allocation"], cast["community"]
    public = f"{base}/m/projects/money/{community.code}/"
    SCREENSHOTS.mkdir(exist_ok=True)

    # the public page before: nothing spent
    context = browser.new_context(**PHONE)
    resident = context.new_page()
    resident.goto(public)
    assert resident.text_content("[data-testid=public-total-spent]").strip() == "0.00"

    # the secretary records spending on the phone, with a photo of the receipt
    phone_ctx = browser.new_context(**PHONE)
    phone = phone_ctx.new_page()
    log_in(phone, base, cast["secretary"])
    phone.goto(f"{base}/console/projects/funds/{line.pk}/")
    _no_sideways_scroll(phone)
    phone.click(f"[data-testid=spend-{allocation.pk}]")
    phone.fill("input[name=amount]", "12345.60")
    phone.fill("input[name=spent_on]", timezone.localdate().isoformat())
    phone.fill("input[name=purpose]", "电梯井道施工")
    phone.fill("input[name=payee]", "月湖建设工程有限公司")
    phone.set_input_files("input[name=voucher]", _voucher(tmp_path))
    phone.click("[data-testid=spending-form] button")
    phone.wait_for_selector("[data-testid=allocations]")
    assert "等待街道审核" in phone.text_content(".messages")
    spending = Spending.objects.get()
    assert spending.voucher.name.endswith(".jpg")
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(SCREENSHOTS / "funds_line_phone_zh.png"), full_page=True)

    # not spent until the street approves
    resident.reload()
    assert resident.text_content("[data-testid=public-total-spent]").strip() == "0.00"

    # the street approves it on the desktop, after opening the voucher
    log_in(desktop, base, cast["street"])
    desktop.goto(f"{base}/console/projects/funds/spending/?status=pending")
    voucher = desktop.get_attribute(f"[data-testid=voucher-{spending.pk}]", "href")
    assert desktop.request.get(f"{base}{voucher}").status == 200
    desktop.click(f"[data-testid=approve-{spending.pk}]")
    assert "已审核" in desktop.text_content(".messages")
    desktop.goto(f"{base}/console/projects/funds/{line.pk}/")
    assert desktop.text_content("[data-testid=line-balance-left]").strip() == "187654.40"
    desktop.screenshot(path=str(SCREENSHOTS / "funds_line_desktop_zh.png"), full_page=True)

    # the public page now shows the money spent and where it went
    resident.reload()
    assert resident.text_content("[data-testid=public-total-spent]").strip() == "12345.60"
    assert resident.text_content("[data-testid=public-total-left]").strip() == "187654.40"
    assert "电梯井道施工" in resident.text_content("[data-testid=public-spending]")
    assert "月湖建设工程有限公司" not in resident.content()
    _no_sideways_scroll(resident)
    resident.screenshot(path=str(SCREENSHOTS / "funds_public_phone_zh.png"), full_page=True)
    desktop.goto(public)
    desktop.screenshot(path=str(SCREENSHOTS / "funds_public_desktop_zh.png"), full_page=True)

    # and in English
    for ctx in (context, phone_ctx, desktop.context):
        ctx.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    resident.reload()
    assert "Where the money went" in resident.content()
    _no_sideways_scroll(resident)
    resident.screenshot(path=str(SCREENSHOTS / "funds_public_phone_en.png"), full_page=True)
    phone.goto(f"{base}/console/projects/funds/{line.pk}/")
    assert "Allocations" in phone.content()
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(SCREENSHOTS / "funds_line_phone_en.png"), full_page=True)
    desktop.goto(f"{base}/console/projects/funds/")
    desktop.screenshot(path=str(SCREENSHOTS / "funds_lines_desktop_en.png"), full_page=True)
    desktop.goto(public)
    desktop.screenshot(path=str(SCREENSHOTS / "funds_public_desktop_en.png"), full_page=True)
    context.close()
    phone_ctx.close()
