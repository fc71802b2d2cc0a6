"""Every demo role logs in through the real pages, lands on its own home and not on others'."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SCREENSHOTS, log_in

# role -> (its home path, a marker on that home)
HOMES = {
    "resident": ("/m/", "[data-testid=resident-home]"),
    "member": ("/m/member/", "[data-testid=member-home]"),
    "grid_worker": ("/console/", "[data-testid=console-home]"),
    "grid_chief": ("/console/", "[data-testid=console-home]"),
    "community_worker": ("/console/", "[data-testid=console-home]"),
    "community_secretary": ("/console/", "[data-testid=console-home]"),
    "street_staff": ("/console/", "[data-testid=console-home]"),
    "department_staff": ("/console/", "[data-testid=console-home]"),
    "partner_staff": ("/console/", "[data-testid=console-home]"),
    "district_staff": ("/console/", "[data-testid=console-home]"),
    "system_admin": ("/console/", "[data-testid=console-home]"),
    # the administrators land on their to-do home too (issue 19)
    "security_admin": ("/console/", "[data-testid=console-home]"),
    "audit_admin": ("/console/", "[data-testid=console-home]"),
}
# Pages each role must not get: (path, expected status)
FORBIDDEN = {
    "resident": ["/console/", "/console/audit/", "/accounts/users/"],
    "member": ["/console/", "/console/audit/"],
    "grid_worker": ["/console/audit/", "/accounts/users/"],
    "community_secretary": ["/console/audit/"],
    "street_staff": ["/console/audit/"],
    "department_staff": ["/console/audit/", "/accounts/users/", "/console/geo/"],
    "district_staff": ["/console/audit/", "/accounts/users/"],
    "system_admin": ["/console/audit/", "/accounts/users/"],
    "security_admin": ["/console/audit/", "/console/geo/"],
    "audit_admin": ["/accounts/users/", "/console/geo/"],
}


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_its_own_home_and_not_on_other_roles_pages(
    role, demo, live_server, desktop
):
    page, base = desktop, live_server.url
    log_in(page, base, demo[role])
    path, marker = HOMES[role]
    assert page.url == f"{base}{path}"
    assert page.locator(marker).count() == 1
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("[data-testid=who]").inner_text().strip() != ""
    for other in FORBIDDEN.get(role, []):
        response = page.goto(f"{base}{other}")
        assert response.status == 403, (role, other, response.status)
        assert "无权" in page.locator("[data-testid=error-message]").inner_text()


def test_the_navigation_shows_only_what_the_role_may_use(demo, live_server, desktop):
    log_in(desktop, live_server.url, demo["grid_worker"])
    keys = set(desktop.locator("[data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)"))
    assert {"console", "divisions"} <= keys
    assert not {"audit", "users", "admin"} & keys


def test_a_resident_on_a_phone_sees_their_grid_and_who_serves_it(demo, live_server, phone):
    log_in(phone, live_server.url, demo["resident"])
    home = phone.locator("[data-testid=resident-home]")
    assert "您好" in home.inner_text()
    assert "第1网格" in phone.locator("[data-testid=my-community]").inner_text()
    assert "网格员" in phone.content()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "resident_home.png"), full_page=True)


def test_a_wrong_password_is_explained_in_chinese(demo, live_server, phone):
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("input[name=username]", "resident")
    phone.fill("input[name=password]", "Wrong@2026")
    phone.click("button[type=submit]")
    assert "用户名或密码错误" in phone.locator("[data-testid=login-error]").inner_text()


def test_the_login_page_switches_to_english_and_logout_returns_to_it(demo, live_server, phone):
    base = live_server.url
    phone.goto(f"{base}/accounts/login/")
    phone.click("button[name=language][value=en]")
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "Log in"
    phone.click("button[name=language][value=zh-hans]")
    log_in(phone, base, demo["grid_worker"])
    phone.click("[data-testid=logout]")
    phone.wait_for_url(re.compile(r".*/accounts/login/$"))
    assert phone.goto(f"{base}/console/").url.startswith(f"{base}/accounts/login/")


@pytest.mark.parametrize("role", ["resident", "grid_worker", "community_secretary"])
def test_the_top_bar_fits_a_phone_in_english(role, demo, live_server, phone):
    """In English the top bar was 417 px wide on a 390 px phone and cut "Log out"."""
    page, base = phone, live_server.url
    log_in(page, base, demo[role])
    page.locator("button[name=language][value=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    logout = page.locator("[data-testid=logout]").bounding_box()
    assert logout["x"] + logout["width"] <= 390
