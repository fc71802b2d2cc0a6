"""Browser tests: Playwright driving Debian's Chromium against a live server."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# The machine has no network beyond the registries: without these flags Chromium stalls on
# background connections.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (building data) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


# One Playwright for the whole session: a test module elsewhere that imports this fixture gets
# its own session-scoped copy of it, and a second sync_playwright() in the same thread fails
# ("Sync API inside the asyncio loop"); every copy shares this one instead.
_shared: dict = {"users": 0, "playwright": None, "browser": None}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("JICENG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    if _shared["users"] == 0:
        _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=ARGS
        )
    _shared["users"] += 1
    try:
        yield _shared["browser"]
    finally:
        _shared["users"] -= 1
        if _shared["users"] == 0:
            _shared["browser"].close()
            _shared["playwright"].stop()


@pytest.fixture
def demo(transactional_db):
    from jiceng.demo.builder import build_demo
    from tests.conftest import restore_starter_categories

    restore_starter_categories()
    return {login.role: login for login in build_demo(residents=40)}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def totp_now(secret: str) -> str:
    from django_otp.oath import totp

    return f"{totp(base64.b32decode(secret)):06d}"


def log_in(page, base: str, login, password: str = "Jiceng@2026") -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", login.username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    if login.totp_secret:
        page.wait_for_url("**/accounts/otp/")
        page.fill("input[name=token]", totp_now(login.totp_secret))
        page.click("button[type=submit]")
    page.wait_for_load_state()
