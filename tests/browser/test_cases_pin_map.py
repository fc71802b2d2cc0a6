"""A resident on a phone pins the problem on the map of their community; the case lands in the
grid the pin is in, not the resident's own."""

from __future__ import annotations

import re

from shapely.geometry import shape

from tests.browser.conftest import SCREENSHOTS, log_in


def test_a_pin_placed_on_a_phone_files_the_case_in_that_grid(demo, live_server, phone):
    from jiceng.accounts.models import User
    from jiceng.cases import pinmap, services
    from jiceng.cases.models import Case

    user = User.objects.get(username=demo["resident"].username)
    home = services.reporter_grid(user)
    target = next(g for g in pinmap.grids_of(home[:12]) if g.code != home and g.boundary)
    inside = shape(target.boundary).representative_point()

    log_in(phone, live_server.url, demo["resident"])
    phone.goto(f"{live_server.url}/cases/report/")
    phone.select_option("select[name=category]", label="井盖破损或缺失")
    phone.fill("textarea[name=description]", "球场边井盖缺失")
    svg = phone.locator("svg[data-testid=pin-map]")
    assert svg.is_visible()
    attrs = {k: float(svg.get_attribute(f"data-{k}")) for k in ("lon0", "lat0", "kx", "ky")}
    x, y = pinmap.Projection(**attrs).xy(inside.x, inside.y)
    box = svg.bounding_box()
    scale = box["width"] / pinmap.WIDTH
    svg.tap(position={"x": x * scale, "y": y * scale})

    assert phone.locator("g.pin").get_attribute("visibility") == "visible"
    assert target.name in phone.locator("#location-status").inner_text()
    assert phone.locator("select[name=grid]").input_value() == target.code
    lon = float(phone.locator("input[name=lon]").input_value())
    lat = float(phone.locator("input[name=lat]").input_value())
    # A tap is as precise as a screen pixel: a few metres at this zoom.
    assert abs(lon - inside.x) < 0.0005 and abs(lat - inside.y) < 0.0005
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "case_pin_map.png"), full_page=True)

    phone.click("[data-testid=report-form] button[type=submit]")
    phone.wait_for_url(re.compile(r".*/cases/\d{13}/$"))
    number = phone.locator("[data-testid=case-number]").inner_text()
    case = Case.objects.get(number=number)
    assert case.scope_code == target.code != home
    assert phone.locator("svg[data-testid=case-map] g.pin").get_attribute("visibility") == (
        "visible"
    )
    assert target.name in phone.locator("[data-testid=case-head]").inner_text()


def test_clearing_the_pin_falls_back_to_the_chosen_grid(demo, live_server, phone):
    from jiceng.accounts.models import User
    from jiceng.cases import pinmap, services
    from jiceng.cases.models import Case

    user = User.objects.get(username=demo["resident"].username)
    home = services.reporter_grid(user)
    chosen = next(g for g in pinmap.grids_of(home[:12]) if g.code != home)

    log_in(phone, live_server.url, demo["resident"])
    phone.goto(f"{live_server.url}/cases/report/")
    phone.select_option("select[name=category]", label="井盖破损或缺失")
    phone.fill("textarea[name=description]", "井盖缺失")
    phone.locator("svg[data-testid=pin-map]").tap(position={"x": 20, "y": 20})
    phone.click("#clear-pin")
    assert phone.locator("input[name=lon]").input_value() == ""
    phone.select_option("select[name=grid]", value=chosen.code)
    phone.click("[data-testid=report-form] button[type=submit]")
    phone.wait_for_url(re.compile(r".*/cases/\d{13}/$"))
    case = Case.objects.get(number=phone.locator("[data-testid=case-number]").inner_text())
    assert case.scope_code == chosen.code and case.lon is None
