"""Issue 19's daily-work fixes on a 390 px phone, in Chinese and English: the grid worker reports
a problem on patrol with their grid chosen for them, the resident's pin map shows compounds and
buildings, the street's default units page. Screenshots in tests/browser/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE, SCREENSHOTS, log_in

LANGUAGES = {"zh-hans": "中文", "en": "English"}


def phone_as(browser, live_server, login, language):
    context = browser.new_context(**PHONE)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    log_in(page, live_server.url, login)
    return context, page


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_grid_worker_reports_on_patrol_from_the_phone(demo, live_server, browser, language):
    from jiceng.accounts.models import User
    from jiceng.cases.models import Case

    worker = User.objects.get(username=demo["grid_worker"].username)
    grid = worker.scopes_for("grid_worker")[0]
    context, page = phone_as(browser, live_server, demo["grid_worker"], language)
    page.goto(f"{live_server.url}/cases/report/")
    assert page.locator("select[name=grid]").input_value() == grid  # chosen for them
    assert page.locator("svg[data-testid=pin-map] g.register").count() == 1
    assert no_sideways_scroll(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"gridworker_report_{language}.png"), full_page=True)
    page.select_option("select[name=category]", value="0201")
    page.fill("textarea[name=description]", "巡查发现人行道砖松动")
    page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases/\d{13}/$"))
    case = Case.objects.get(number=page.locator("[data-testid=case-number]").inner_text())
    assert (case.source, case.scope_code, case.reporter) == ("patrol", grid, worker)
    said = {"zh-hans": "网格巡查", "en": "Grid patrol"}[language]
    assert said in page.locator("[data-testid=case-source]").inner_text()
    assert no_sideways_scroll(page)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_street_sets_default_units_on_a_phone(demo, live_server, browser, language):
    context, page = phone_as(browser, live_server, demo["street_staff"], language)
    page.goto(f"{live_server.url}/cases/dispatch-defaults/")
    row = page.locator('tr[data-category="02"] select')
    assert "城市管理局" in row.locator("option:checked").inner_text()
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / f"dispatch_defaults_{language}.png"), full_page=False)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_residents_pin_map_names_compounds(demo, live_server, browser, language):
    context, page = phone_as(browser, live_server, demo["resident"], language)
    page.goto(f"{live_server.url}/cases/report/")
    names = page.locator("svg[data-testid=pin-map] .pin-compound-name")
    assert names.count() >= 1 and names.first.text_content()
    assert no_sideways_scroll(page)
    page.locator("#pin-box").screenshot(path=str(SCREENSHOTS / f"pin_map_{language}.png"))
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_grid_worker_verifies_with_a_photo_on_a_phone(
    demo, live_server, browser, language, tmp_path
):
    from PIL import Image

    from jiceng.accounts.models import User
    from jiceng.cases.models import Case, CaseCategory

    worker = User.objects.get(username=demo["grid_worker"].username)
    grid = worker.scopes_for("grid_worker")[0]
    case = Case.objects.filter(scope_code__startswith=grid[:12]).first()
    Case.objects.filter(pk=case.pk).update(
        status="handled", scope_code=grid, category=CaseCategory.objects.get(code="0101")
    )
    photo = tmp_path / "现场.jpg"
    Image.new("RGB", (640, 480), (90, 120, 90)).save(photo, "JPEG")
    context, page = phone_as(browser, live_server, demo["grid_worker"], language)
    page.goto(f"{live_server.url}/cases/{case.number}/")
    section = page.locator('section[data-action="verify_ok"]')
    field = section.locator("input[type=file]")
    assert field.get_attribute("required") is not None
    assert field.get_attribute("capture") == "environment"
    assert no_sideways_scroll(page)
    section.screenshot(path=str(SCREENSHOTS / f"verify_{language}.png"))
    field.set_input_files(str(photo))
    section.locator("button").click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == "closed" and case.photos.filter(kind="verify").count() == 1
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_place_is_picked_with_a_search_box_on_a_phone(demo, live_server, browser, language):
    """The users page's place picker (a secretary) and the metrics page's (the district)."""
    from jiceng.geo.models import Division

    context, page = phone_as(browser, live_server, demo["community_secretary"], language)
    page.goto(f"{live_server.url}/accounts/users/")
    search = page.locator("[data-testid=role-assign] input.picker-search")
    grid = Division.objects.filter(level="grid", code__startswith="360602001001").first()
    search.fill(grid.name)
    assert page.locator("select[name=division_code]").input_value() == grid.code
    assert no_sideways_scroll(page)
    page.locator("[data-testid=role-assign]").screenshot(
        path=str(SCREENSHOTS / f"role_assign_{language}.png")
    )
    context.close()

    context, page = phone_as(browser, live_server, demo["district_staff"], language)
    page.goto(f"{live_server.url}/cases/metrics/")
    street = Division.objects.get(code="360602001")
    page.locator("form.filters input.picker-search").fill(street.name)
    assert page.locator("select[name=scope]").input_value() == street.code
    page.locator("form.filters button.primary").click()
    page.wait_for_load_state()
    assert f"scope={street.code}" in page.url
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / f"metrics_{language}.png"))
    context.close()
