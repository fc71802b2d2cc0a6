"""Browser tests: Playwright driving Debian's Chromium against a live server.

The ``browser``, ``phone`` and ``desktop`` fixtures live in tests/conftest.py, so that browser
tests anywhere in the suite share one Playwright (a second one in the same thread fails); this
module keeps the helpers (``log_in``, ``PHONE``, ``SCREENSHOTS``) and the ``demo`` fixture."""

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


@pytest.fixture
def demo(transactional_db):
    from tests.conftest import restore_starter_categories
    from tests.demo_snapshot import demo_logins
    from tests.party.conftest import restore_regulation_data

    # A transactional test starts from a flushed database: put back what migrations load.
    # The first test builds the demo; the next ones get the same database back (demo_snapshot).
    restore_starter_categories()
    restore_regulation_data()
    return {login.role: login for login in demo_logins(residents=40)}


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
