"""Going live in the browser, on a phone (390 px) and a desktop, in Chinese and English: the
system administrator uploads GIS boundaries in GCJ-02, sees them on the map, confirms; uploads a
workbook with a bad row and reads the reasons. Nothing scrolls sideways."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.factories import current_token, totp_device, user_with_role
from tests.geo.test_place_import import COMMUNITY, feature_collection, retiled
from tests.imports.conftest import workbook
from tests.imports.test_unit_import import full_book, split

PASSWORD = "Golive-admin-2026!"


@pytest.fixture
def admin(transactional_db, settings, tmp_path):
    from jiceng.geo.services import load_real_district

    settings.MEDIA_ROOT = str(tmp_path / "media")
    district = load_real_district(code="360602")
    user = user_with_role("system_admin", division=district, username="golive_admin")
    user.set_password(PASSWORD)
    user.save()
    return user, totp_device(user)


def log_in(page, base, admin):
    user, device = admin
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/otp/")
    page.fill("input[name=token]", current_token(device))
    page.click("button[type=submit]")
    page.wait_for_load_state()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("where", ["phone", "desktop"])
def test_boundaries_and_a_workbook_on_a_phone_and_a_desktop(
    request, where, admin, live_server, tmp_path
):
    page = request.getfixturevalue(where)
    base = live_server.url
    log_in(page, base, admin)
    np.random.seed(0)
    geojson = tmp_path / "grids.geojson"
    geojson.write_bytes(feature_collection(retiled(4), "gcj02"))
    page.goto(f"{base}/console/geo/import/")
    no_sideways_scroll(page)
    page.set_input_files("input[name=file]", str(geojson))
    page.select_option("select[name=system]", "gcj02")
    page.click("[data-testid=upload] button")
    page.wait_for_url(re.compile(r".*/console/geo/import/\d+/$"))
    assert page.locator("[data-testid=preview] path").count() == 4
    no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / f"golive-places-preview-{where}.png"), full_page=True)
    page.click("[data-testid=confirm] button")
    page.wait_for_selector("[data-testid=applied]")

    # the system administrator's part (the staff sheet is the security administrator's)
    rows = split(full_book())[1]
    rows["党员"].append(["孙无组", "不存在的支部", "", "", "2001-07-01", "", "", "", ""])
    book = tmp_path / "golive.xlsx"
    book.write_bytes(workbook(rows))
    page.goto(f"{base}/console/imports/")
    no_sideways_scroll(page)
    page.set_input_files("input[name=file]", str(book))
    page.click("[data-testid=upload] button")
    page.wait_for_url(re.compile(r".*/console/imports/\d+/$"))
    page.wait_for_selector('[data-testid=job][data-status="failed"]', timeout=30_000)
    assert "不存在的支部" in page.locator("[data-testid=errors]").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / f"golive-workbook-errors-{where}.png"), full_page=True)
    assert COMMUNITY  # the community the boundaries were drawn for


def test_the_import_pages_in_english_on_a_phone(admin, live_server, phone):
    base = live_server.url
    log_in(phone, base, admin)
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    for path, words, name in (
        ("/console/imports/", "Import units, party organizations and people", "imports"),
        ("/console/geo/import/", "Import grid boundaries", "places"),
    ):
        phone.goto(base + path)
        assert words in phone.content()
        no_sideways_scroll(phone)
        phone.screenshot(path=str(SCREENSHOTS / f"golive-{name}-en-phone.png"), full_page=True)
