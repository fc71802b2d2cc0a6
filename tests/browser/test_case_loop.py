"""The whole case loop on a phone-sized screen, each person in their own browser session."""

from __future__ import annotations

import re

from PIL import Image

from tests.browser.conftest import PHONE, SCREENSHOTS, log_in


def as_user(browser, base, login):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, base, login)
    return context, page


def act(page, action: str, note: str = "", photo=None, **selects):
    section = page.locator(f'section[data-action="{action}"]')
    if photo is not None:
        section.locator("input[type=file]").set_input_files(str(photo))
    for name, label in selects.items():
        section.locator(f"select[name={name}]").select_option(label=label)
    if note:
        section.locator("textarea[name=note]").fill(note)
    section.locator("button").click()
    page.wait_for_load_state()


def test_report_triage_dispatch_handle_verify_and_rate_on_a_phone(
    demo, live_server, browser, tmp_path
):
    base = live_server.url
    photo = tmp_path / "现场.jpg"
    Image.new("RGB", (640, 480), (90, 120, 90)).save(photo, "JPEG")
    ctx, resident = as_user(browser, base, demo["resident"])
    resident.click("[data-testid=report-link]")
    resident.select_option("select[name=category]", label="井盖破损或缺失")
    resident.fill("textarea[name=description]", "小区北门井盖缺失，晚上很危险")
    resident.click("[data-testid=report-form] button[type=submit]")
    resident.wait_for_url(re.compile(r".*/cases/\d{13}/$"))
    number = resident.locator("[data-testid=case-number]").inner_text()
    assert "已上报" in resident.locator("[data-testid=case-status]").inner_text()
    assert resident.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    case_url = f"{base}/cases/{number}/"

    steps = [
        (
            "community_secretary",
            [("file", "", {}), ("triage", "", {"triage": "大事：派遣部门处置"})],
        ),
        ("street_staff", [("dispatch", "请尽快处理", {"to_unit": "月湖区城市管理局（职能部门）"})]),
        ("department_staff", [("accept", "", {}), ("report_back", "已补装井盖", {})]),
        # The grid worker takes a photo on site: a manhole cover's verification requires one.
        ("grid_worker", [("verify_ok", "现场核查，已补装", {"photo": photo})]),
    ]
    for role, actions in steps:
        c, page = as_user(browser, base, demo[role])
        page.goto(case_url)
        for action, note, selects in actions:
            act(page, action, note, **selects)
            assert "已" in page.locator(".msg-success").inner_text(), (role, action)
        c.close()

    resident.goto(case_url)
    assert "已结案" in resident.locator("[data-testid=case-status]").inner_text()
    section = resident.locator('section[data-action="rate"]')
    section.locator("input[value=satisfied]").check()
    section.locator("textarea[name=note]").fill("处理及时")
    section.locator("button").click()
    resident.wait_for_load_state()
    assert "已评价" in resident.locator("[data-testid=case-status]").inner_text()
    timeline = resident.locator("[data-testid=timeline]").inner_text()
    for stage in ("已上报", "已立案", "已派遣", "处置中", "已反馈", "已结案", "已评价"):
        assert stage in timeline
    SCREENSHOTS.mkdir(exist_ok=True)
    resident.screenshot(path=str(SCREENSHOTS / "case_page.png"), full_page=True)
    ctx.close()
