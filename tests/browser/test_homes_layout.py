"""The homes built from the registrations (console home with its to-dos, resident home, member
home) fit a 390 px phone and a 1366 px screen in Chinese and in English: nothing scrolls
sideways."""

from __future__ import annotations

import os
from pathlib import Path

from tests.browser.conftest import PHONE, SCREENSHOTS, log_in

HOMES = [
    ("community_secretary", "/console/", "[data-testid=todos]"),
    ("resident", "/m/", "[data-testid=resident-links]"),
    ("member", "/m/member/", "[data-testid=member-links]"),
]
SIZES = {"phone": PHONE, "desktop": {"viewport": {"width": 1366, "height": 800}}}


def test_the_homes_fit_a_phone_and_a_desktop_in_both_languages(demo, live_server, browser):
    folder = Path(os.environ.get("JICENG_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    for role, path, marker in HOMES:
        for size, options in SIZES.items():
            for lang in ("zh-hans", "en"):
                context = browser.new_context(**options)
                context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
                page = context.new_page()
                log_in(page, base, demo[role])
                page.goto(f"{base}{path}")
                assert page.locator(marker).count() == 1, (role, size, lang)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                page.screenshot(path=str(folder / f"{role}-{size}-{lang}.png"), full_page=True)
                assert overflow <= 0, (role, size, lang, overflow)
                context.close()
