"""Long tables read as stacked cards on a 390 px phone (issue 19: the English case inbox was
527 px wide, venues 461 px, the audit log 839 px): no sideways scroll, every cell with its column's name, and
the same table as columns on a desktop."""

from __future__ import annotations

import os
from pathlib import Path

from tests.browser.conftest import PHONE, SCREENSHOTS, log_in

PAGES = [
    ("community_secretary", "/cases/inbox/", "inbox"),
    ("community_secretary", "/console/services/needs/", "needs"),
    ("community_secretary", "/console/party/members/", "members"),
    ("community_secretary", "/console/venues/", "venues"),
    ("community_secretary", "/console/venues/", "pending-bookings"),
    ("audit_admin", "/console/audit/", "audit-table"),
]


def test_long_tables_stack_on_a_phone_and_stay_columns_on_a_desktop(demo, live_server, browser):
    folder = Path(os.environ.get("JICENG_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    for role, path, testid in PAGES:
        # One login per role (an administrator's second factor takes each code once).
        first_context = browser.new_context()
        log_in(first_context.new_page(), base, demo[role])
        session = first_context.storage_state()
        first_context.close()
        for lang in ("en", "zh-hans"):
            for size, options in (
                ("phone", PHONE),
                ("desktop", {"viewport": {"width": 1366, "height": 800}}),
            ):
                context = browser.new_context(**options, storage_state=session)
                context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
                page = context.new_page()
                page.goto(f"{base}{path}")
                table = page.locator(f"[data-testid={testid}]")
                assert table.locator("tbody tr").count() > 0, (role, lang)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                page.screenshot(path=str(folder / f"table-{testid}-{size}-{lang}.png"))
                assert overflow <= 0, (role, size, lang, overflow)
                first = table.locator("tbody tr").first.locator("td").first
                label = first.evaluate(
                    'td => getComputedStyle(td, "::before").content.slice(1, -1)'
                )
                header_shown = table.locator("thead").bounding_box()["height"] > 2
                # every control of the first rows lies inside its row and the screen (the venue
                # approvals' decline button used to lie past the edge)
                outside = page.evaluate(
                    """(id) => [...document.querySelectorAll(
                        `[data-testid=${id}] tbody tr:nth-child(-n+3) :is(button, input, select, textarea, a)`
                    )].filter(e => { const r = e.getBoundingClientRect();
                        const row = e.closest("tr").getBoundingClientRect();
                        const right = Math.min(row.right, window.innerWidth);
                        return r.width > 0 && (r.right > right + 1 || r.left < -1); })
                      .map(e => e.outerHTML.slice(0, 80))""",
                    testid,
                )
                assert outside == [], (role, size, lang, outside)
                if size == "phone":
                    # the column's name stands before the value, the header row is hidden
                    assert label == first.get_attribute("data-label") != "", (role, lang, label)
                    assert not header_shown, (role, lang)
                else:
                    assert header_shown, (role, lang)
                context.close()
