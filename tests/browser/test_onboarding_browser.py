"""A district going live in the browser: the system administrator's first login (second factor,
then their own password) and the onboarding page, on a phone and a desktop, in both languages."""

from __future__ import annotations

import os
from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.onboarding.services import setup_district
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.conftest import restore_starter_categories
from tests.factories import current_token


def test_first_login_then_the_onboarding_page_on_a_phone_and_a_desktop(
    transactional_db, live_server, browser
):
    restore_starter_categories()
    result = setup_district(code="320213")
    password = next(a.password for a in result.admins if a.username == "sysadmin")
    folder = Path(os.environ.get("JICENG_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "sysadmin")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/otp/setup/")
    device = TOTPDevice.objects.get(user__username="sysadmin")
    page.fill("input[name=token]", current_token(device))
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/password/")
    assert page.locator("[data-testid=password-forced]").is_visible()
    page.screenshot(path=str(folder / "password-forced-phone-zh-hans.png"), full_page=True)
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password]", "Xin@jiang2026")
    page.fill("input[name=confirm]", "Xin@jiang2026")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    session = context.storage_state()
    context.close()

    for lang in ("zh-hans", "en"):
        for size, options in (
            ("phone", PHONE),
            ("desktop", {"viewport": {"width": 1366, "height": 800}}),
        ):
            context = browser.new_context(**options, storage_state=session)
            context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
            page = context.new_page()
            response = page.goto(f"{base}/console/onboarding/")
            assert response.status == 200
            assert page.locator("[data-testid^=check-]").count() >= 6
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            page.screenshot(path=str(folder / f"onboarding-{size}-{lang}.png"), full_page=True)
            assert overflow <= 0, (size, lang, overflow)
            # every link on the page opens
            for href in page.eval_on_selector_all(
                "[data-testid^=fix-]", "links => links.map(a => a.getAttribute('href'))"
            ):
                assert page.request.get(f"{base}{href}").status == 200, href
            context.close()
