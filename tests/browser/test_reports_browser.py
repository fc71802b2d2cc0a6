"""Record books in the browser, on the demo: the community secretary takes every book of last
month in one click on a 390 px phone and gets a zip (each Excel opens with its rows, each PDF
with its Chinese text); the street takes its monthly report on a desktop and the PDF reads back.
Both pages in Chinese and English, nothing scrolls sideways. Screenshots go to the browser
screenshots folder."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from jiceng.core.registry import record_books, register_record_book, unregister_record_book
from tests.browser.conftest import PHONE, SCREENSHOTS, log_in
from tests.reports.conftest import FAKE, RARE_NAMES


@pytest.fixture
def fake_book():
    register_record_book(FAKE)
    yield FAKE
    unregister_record_book(FAKE.key)


def _no_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_secretary_takes_every_book_of_last_month_in_one_click(
    demo, live_server, browser, fake_book
):
    folder = Path(os.environ.get("JICENG_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    for lang in ("zh-hans", "en"):
        context = browser.new_context(**{**PHONE, "device_scale_factor": 1}, accept_downloads=True)
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        page = context.new_page()
        log_in(page, base, demo["community_secretary"])
        page.goto(f"{base}/console/reports/")
        page.wait_for_selector('[data-testid="books"]')
        assert _no_sideways(page) <= 0, lang
        page.screenshot(path=str(folder / f"reports-books-phone-{lang}.png"), full_page=True)
        if lang == "en":
            context.close()
            continue
        page.click('[data-testid="zip"]')
        page.wait_for_selector('[data-testid="download-zip"]', timeout=120_000)
        assert _no_sideways(page) <= 0
        with page.expect_download() as info:
            page.click('[data-testid="download-zip"]')
        data = Path(info.value.path()).read_bytes()
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        ours = [b for b in record_books() if "community" in b.levels and b.period == "month"]
        assert any(n.startswith("测试台账") and n.endswith(".xlsx") for n in names)
        assert len([n for n in names if n.endswith(".xlsx")]) >= 1
        assert len(names) <= 2 * len(ours)
        for name in names:
            content = archive.read(name)
            if name.endswith(".xlsx"):
                rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
                assert rows[2][0] == "序号", name
                if name.startswith("测试台账"):
                    assert [r[1] for r in rows[3:7]] == list(RARE_NAMES)
            else:
                text = "".join(
                    "".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
                )
                assert "序号" in text, name
                if name.startswith("测试台账"):
                    assert all(n in text for n in RARE_NAMES)
        context.close()


def test_street_takes_its_monthly_report(demo, live_server, browser):
    folder = Path(os.environ.get("JICENG_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    log_in(page, base, demo["street_staff"])
    page.goto(f"{base}/console/reports/monthly/")
    page.click('[data-testid="make-monthly"]')
    page.wait_for_selector('[data-testid="download-pdf"]', timeout=120_000)
    page.screenshot(path=str(folder / "reports-monthly-desktop-zh-hans.png"), full_page=True)
    with page.expect_download() as info:
        page.click('[data-testid="download-pdf"]')
    reader = PdfReader(info.value.path())
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    assert "工作月报" in text and "本月指标" in text and "本月做了什么" in text
    with page.expect_download() as info:
        page.click('[data-testid="download-xlsx"]')
    xlsx = Path(info.value.path()).read_bytes()
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert "工作月报" in rows[0][0]
    # the phone shows the same page without sideways scrolling
    phone = browser.new_context(**{**PHONE, "device_scale_factor": 1})
    p2 = phone.new_page()
    log_in(p2, base, demo["street_staff"])
    p2.goto(f"{base}/console/reports/monthly/")
    assert _no_sideways(p2) <= 0
    p2.screenshot(path=str(folder / "reports-monthly-phone-zh-hans.png"), full_page=True)
    phone.close()
    context.close()
