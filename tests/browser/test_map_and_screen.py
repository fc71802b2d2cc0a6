"""The map and the big screen render (not blank) on a desktop and on a 390 px phone, clicking
an area drills down from the district to a street, a community and its grids, and the big
screen's first load stays under 1.5 MB."""

from __future__ import annotations

from tests.browser.conftest import SCREENSHOTS, log_in

NO_DATA = "#e5e7eb"


def _snapshots():
    from jiceng.dashboard import snapshots

    snapshots.run_night()


def _coloured_areas(page) -> int:
    fills = page.eval_on_selector_all(
        "svg[data-testid=map-svg] path", "els => els.map(e => e.getAttribute('fill'))"
    )
    return sum(1 for f in fills if f and f != NO_DATA)


def test_the_map_drills_down_from_the_district_to_a_grid(demo, live_server, desktop):
    _snapshots()
    log_in(desktop, live_server.url, demo["district_staff"])
    desktop.goto(f"{live_server.url}/console/dashboard/map/?indicator=party.members")
    svg = desktop.locator("svg[data-testid=map-svg]")
    assert svg.is_visible() and svg.bounding_box()["height"] > 300
    assert _coloured_areas(desktop) >= 5  # members in every street: coloured, not blank
    assert desktop.locator("svg [data-layer^='site:']").count() > 0  # demonstration sites
    levels = []
    for _step in range(2):  # district -> a street -> a community, drawn as its grids
        area = desktop.locator("svg a.map-area").first
        code = area.get_attribute("data-testid").removeprefix("area-")
        area.locator("path").click()
        desktop.wait_for_url(f"**/console/dashboard/map/{code}/**")
        levels.append(len(code))
    assert levels == [9, 12]
    grids = desktop.eval_on_selector_all(
        "svg[data-testid=map-svg] path", "els => els.map(e => e.dataset.code)"
    )
    assert grids and all(len(c) == 15 for c in grids)
    trail = desktop.locator("[data-testid=map-trail] a")
    assert trail.count() == 2  # the district and the street lead back up
    trail.first.click()
    desktop.wait_for_url("**/console/dashboard/map/360602/**")


def test_the_map_and_the_screen_fit_a_phone(demo, live_server, phone):
    _snapshots()
    log_in(phone, live_server.url, demo["street_staff"])
    phone.goto(f"{live_server.url}/console/dashboard/map/?indicator=party.members")
    svg = phone.locator("svg[data-testid=map-svg]")
    assert svg.is_visible() and svg.bounding_box()["width"] > 300
    assert _coloured_areas(phone) >= 3
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    phone.locator("svg a.map-area path").first.tap()
    phone.wait_for_url("**/console/dashboard/map/3606*/**")
    assert phone.locator("svg[data-testid=map-svg] path").count() >= 1
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "map_phone.png"), full_page=True)

    phone.goto(f"{live_server.url}/screen/")
    assert phone.locator("[data-testid=screen-map] svg").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    phone.goto(f"{live_server.url}/console/warnings/")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_the_big_screen_renders_refreshes_and_loads_light(demo, live_server, browser):
    _snapshots()
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(page, live_server.url, demo["district_staff"])
    sizes: dict[str, int] = {}

    def count(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # noqa: BLE001 - a redirect has no body
            sizes[response.url] = 0

    page.on("response", count)
    page.goto(f"{live_server.url}/screen/360602/")
    page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    assert total < 1_500_000, sizes
    assert page.locator("[data-testid=screen-map] svg path").count() >= 5
    assert _coloured_areas(page) >= 5
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080 + 2
    live = page.locator("[data-testid=screen-warnings-live]")
    assert int(live.inner_text()) > 0
    with page.expect_response("**/screen/360602/data.json") as answer:
        page.evaluate("window.jicengScreenRefresh()")
    assert answer.value.ok and answer.value.json()["warnings"]["live"] == int(live.inner_text())
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "big_screen.png"))
    page.context.close()
