"""The register's Excel import in the browser: download the template, fill it with a few bad
rows, read the error report, fix the rows, import again."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.browser.conftest import SCREENSHOTS, log_in
from tests.registry.conftest import valid_id


def test_import_the_template_with_bad_rows_read_the_report_fix_and_import_again(
    demo, live_server, desktop, tmp_path, settings
):
    from jiceng.accounts.models import User
    from jiceng.registry.models import Dwelling, Person

    settings.MEDIA_ROOT = str(tmp_path / "media")
    base = live_server.url
    secretary = User.objects.get(username=demo["community_secretary"].username)
    community = secretary.scopes_for("community_secretary")[0]
    homes = list(
        Dwelling.objects.filter(scope_code__startswith=community)
        .select_related("building__compound")
        .order_by("id")[:3]
    )
    assert len(homes) == 3
    page = desktop
    log_in(page, base, demo["community_secretary"])
    page.goto(f"{base}/console/registry/")
    page.click("[data-testid=import]")
    with page.expect_download() as download:
        page.click("[data-testid=template]")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    def row(name, number, home, phone="13912340000"):
        b = home.building
        return [name, number, phone, "汉族", "户籍人口", "户主", b.compound.name, b.name,
                home.entrance, home.number, ""]  # fmt: skip

    good = [valid_id("19620315"), valid_id("19880808")]
    wb = load_workbook(template)
    ws = wb["居民台账"]
    ws.append(row("周一", good[0], homes[0]))
    ws.append(row("吴二", "36060219880808123X", homes[1]))  # wrong check character
    ws.append(row("郑三", good[1], homes[2], phone="1391234"))  # short mobile number
    ws.append(row("冯四", good[0], homes[2]))  # same ID as the first row
    book = tmp_path / "台账.xlsx"
    wb.save(book)

    def upload(path):
        page.goto(f"{base}/console/registry/import/")
        page.set_input_files("input[name=file]", str(path))
        page.click("[data-testid=upload] button")
        page.wait_for_url(re.compile(r".*/console/registry/import/\d+/$"))
        page.wait_for_selector('[data-testid=job][data-status="done"]', timeout=30_000)

    upload(book)
    assert page.locator("[data-testid=created]").inner_text() == "1"
    assert page.locator("[data-testid=failed]").inner_text() == "3"
    errors = page.locator("[data-testid=errors]").inner_text()
    assert "校验位错误" in errors and "11 位" in errors and "与第 2 行的身份证号重复" in errors
    page.screenshot(path=str(SCREENSHOTS / "register-import-errors.png"), full_page=True)
    with page.expect_download() as download:
        page.click("[data-testid=report]")
    report = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    lines = list(report.worksheets[0].iter_rows(values_only=True))
    assert [line[0] for line in lines[1:]] == [3, 4, 5]  # the rows to fix, by number
    assert lines[1][1:3] == ("吴二", "公民身份号码")

    # Fix the three rows the report names and import the same file again.
    wb = load_workbook(book)
    ws = wb["居民台账"]
    ws.cell(row=3, column=2, value=valid_id("19880809"))
    ws.cell(row=4, column=3, value="13912341234")
    ws.cell(row=5, column=2, value=valid_id("19700101"))
    wb.save(book)
    upload(book)
    assert page.locator("[data-testid=created]").inner_text() == "3"
    assert page.locator("[data-testid=unchanged]").inner_text() == "1"  # row 2, already in
    assert page.locator("[data-testid=failed]").inner_text() == "0"
    assert set(Person.objects.filter(name__in=["周一", "吴二", "郑三", "冯四"]).values_list("name", flat=True)) == {
        "周一", "吴二", "郑三", "冯四"
    }  # fmt: skip

    # The imported person is found by ID number, shown masked.
    page.goto(f"{base}/console/registry/?q={good[1]}")
    page.click("[data-testid=people] a")
    assert "郑三" in page.locator("h1").inner_text()
    assert "139****1234" in page.locator("[data-testid=phone]").inner_text()
