"""The dashboard in the browser, on the demo's back-filled year of snapshots: the trend and
ranking charts draw (their canvases are not blank) on a desktop and on a 390 px phone, in
Chinese and in English, nothing scrolls sideways, the page passes its Content-Security-Policy,
and drilling down from the district reaches a grid. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import os
from pathlib import Path

from tests.browser.conftest import PHONE, SCREENSHOTS, log_in

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {
    # device scale 1: the screenshots kept in docs/ stay small
    "phone": {**PHONE, "device_scale_factor": 1},
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""
# How many pixels of a chart's canvas are drawn (not transparent, not white).
INK = """(sel) => {
  const canvas = document.querySelector(sel + " canvas");
  if (!canvas) return -1;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) ink++;
  }
  return ink;
}"""


def test_the_charts_draw_on_a_desktop_and_a_phone_in_both_languages(demo, live_server, browser):
    folder = Path(os.environ.get("JICENG_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    DOCS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    for size, options in SIZES.items():
        for lang in ("zh-hans", "en"):
            context = browser.new_context(**options)
            context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
            page = context.new_page()
            page.add_init_script(LISTEN)
            log_in(page, base, demo["district_staff"])
            page.goto(f"{base}/console/dashboard/?rank=cases.reported")
            page.wait_for_selector("#trend-chart canvas")
            page.wait_for_selector("#rank-chart canvas")
            page.wait_for_timeout(300)
            assert page.evaluate(INK, "#trend-chart") > 500, (size, lang)
            assert page.evaluate(INK, "#rank-chart") > 500, (size, lang)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (size, lang, overflow)
            assert page.evaluate("window.__csp") == [], (size, lang)
            page.screenshot(path=str(folder / f"dashboard-{size}-{lang}.png"), full_page=True)
            if lang == "zh-hans":
                page.screenshot(path=str(DOCS / f"dashboard-{size}.png"))
                page.locator("#ranking").screenshot(
                    path=str(DOCS / f"dashboard-{size}-ranking.png")
                )
            context.close()


def test_drilling_down_from_the_district_reaches_a_grid_and_comes_back(demo, live_server, browser):
    base = live_server.url
    context = browser.new_context(**SIZES["phone"])
    page = context.new_page()
    log_in(page, base, demo["district_staff"])
    page.goto(f"{base}/console/dashboard/")
    codes = []
    for _level in ("street", "community", "grid"):
        link = page.locator("[data-testid^=drill-]").first
        codes.append(link.get_attribute("data-testid").removeprefix("drill-"))
        link.click()
        page.wait_for_load_state()
        page.wait_for_selector("#trend-chart canvas")
    assert len(codes[-1]) == 15  # a grid's code
    assert f"/console/dashboard/{codes[-1]}/" in page.url
    assert page.locator("[data-testid=ranking]").count() == 0  # nothing below a grid
    # back up through the breadcrumbs to the district
    page.locator("[data-testid=breadcrumbs] a").first.click()
    page.wait_for_load_state()
    assert page.locator(f"[data-testid=drill-{codes[0]}]").count() == 1
    context.close()
