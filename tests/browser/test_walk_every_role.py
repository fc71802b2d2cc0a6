"""The walk of issue 19: each of the 13 demo roles logs in on a 390×844 phone, in Chinese and in
English, and opens its home, every page its navigation shows (read from the page itself, so a
new app's pages are walked too) and the first detail link of each of those pages. A page fails
on sideways scroll, a 4xx/5xx answer (the page's or any file it loads), a broken image or a
console error. Every failure of every role is listed at the end, not only the first."""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import PHONE, log_in

ROLES = (
    "resident",
    "member",
    "grid_worker",
    "grid_chief",
    "community_worker",
    "community_secretary",
    "street_staff",
    "department_staff",
    "partner_staff",
    "district_staff",
    "system_admin",
    "security_admin",
    "audit_admin",
)
# What the walk leaves: pages that are not the platform's own (the Django admin is walked from
# its index only; the API's documentation is a generated Swagger page).
SKIP_PREFIXES = ("/api/", "/accounts/logout/", "/i18n/", "/files/", "/static/")
# Files to download (calendars, workbooks) are not pages.
SKIP_SUFFIXES = (".ics", ".xlsx", ".csv", ".pdf", ".zip", "/export/", "/template/")

# What the home offers: the side navigation and the top bar, the home's buttons, to-dos and
# cards (read on the home only: a page's own navigation, a calendar's months, is not followed).
NAV_LINKS = """() => Array.from(document.querySelectorAll(
  'nav.side a[href], header a[href], main .actions-bar a[href], [data-testid=todos] a[href],'
  + ' [data-testid=home-cards] a[href]'
)).map(a => new URL(a.getAttribute('href'), location.href).href)"""

# The first link of the page's main part that leads below the page itself: a list's first
# record.
DETAIL_LINK = """() => {
  const here = location.pathname;
  for (const a of document.querySelectorAll('main a[href]')) {
    // an SVG link (the map's places) has no string href: read the attribute
    const u = new URL(a.getAttribute('href'), location.href);
    if (u.origin === location.origin && u.pathname.startsWith(here) && u.pathname !== here
        && !u.pathname.endsWith('/new/') && !u.pathname.includes('/export'))
      return u.href;
  }
  return null;
}"""

PAGE_CHECK = """() => ({
  overflow: document.scrollingElement.scrollWidth - window.innerWidth,
  broken: Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0)
                .map(i => i.currentSrc || i.src),
})"""


def _local(base: str, href: str) -> str | None:
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != base:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    return path


def _walk(browser, base: str, login, lang: str) -> tuple[list[str], int]:
    context = browser.new_context(**PHONE)
    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    current = {"path": "login"}

    def on_response(response):
        if response.status >= 400:
            problems.append(f"{current['path']}: {response.status} {response.url}")

    def on_console(message):
        if message.type == "error":
            problems.append(f"{current['path']}: console error {message.text[:200]}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"{current['path']}: script {exc}"))
    log_in(page, base, login)
    home = _local(base, page.url) or "/"
    seen: set[str] = set()
    queue = [home]
    details_from = set()
    walked = 0
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        current["path"] = path
        try:
            page.goto(f"{base}{path}")
        except PlaywrightError as exc:
            problems.append(f"{path}: {str(exc).splitlines()[0]}")
            continue
        walked += 1
        if os.environ.get("JICENG_WALK_LOG"):
            print(login.role, lang, path, flush=True)
        check = page.evaluate(PAGE_CHECK)
        if check["overflow"] > 0:
            problems.append(f"{path}: scrolls sideways by {check['overflow']} px")
        for src in check["broken"]:
            problems.append(f"{path}: broken image {src}")
        if path == home:
            for href in page.evaluate(NAV_LINKS):
                local = _local(base, href)
                if local and local not in seen:
                    queue.append(local)
                    details_from.add(local)
        if path in details_from or path == home:
            detail = page.evaluate(DETAIL_LINK)
            local = _local(base, detail) if detail else None
            if local and local not in seen:
                queue.append(local)
    context.close()
    return problems, walked


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_page_of_every_role_works_on_a_phone(demo, live_server, browser, lang):
    started = time.monotonic()
    problems, walked = [], {}
    for role in ROLES:
        found, count = _walk(browser, live_server.url, demo[role], lang)
        problems += [f"{role} [{lang}] {p}" for p in found]
        walked[role] = count
    # every role has a home and at least one more page, the walk really went through them
    assert all(n >= 2 for n in walked.values()), walked
    assert not problems, "\n".join(problems)
    # one language's walk of the 13 roles, the demo built (issue 19: the whole walk < 3 minutes)
    assert time.monotonic() - started < 180
