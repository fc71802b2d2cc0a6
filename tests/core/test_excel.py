"""core.excel: every workbook the platform writes keeps user text as text; an uploaded workbook
that unpacks past the limits is refused from the zip's directory alone."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jiceng.core.errors import UserError
from jiceng.core.excel import SafeWorkbook, check_archive, workbook_bytes

DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "@SUM(1)",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "#N/A",
    "=",
]


def cells(data: bytes, sheet: int = 0):
    book = load_workbook(io.BytesIO(data))
    return [list(row) for row in book.worksheets[sheet].iter_rows()]


def test_text_that_a_spreadsheet_would_run_is_written_as_text():
    (row,) = cells(workbook_bytes({"名单": [DANGEROUS]}))
    # (XML reads a lone CR back as a line feed; the cell is text all the same.)
    assert [c.value for c in row] == [v.replace("\r", "\n") for v in DANGEROUS]
    assert [c.data_type for c in row] == ["s"] * len(DANGEROUS)
    # The quote prefix keeps it text when someone edits the cell in Excel or WPS.
    assert all(c.quotePrefix for c in row)


def test_numbers_dates_and_plain_text_stay_what_they_are():
    moment = timezone.make_aware(datetime(2026, 5, 1, 20, 30))
    (row,) = cells(
        workbook_bytes(
            {"a": [[-5, 3.25, Decimal("40.00"), True, date(2026, 5, 1), moment, "张三"]]}
        )
    )
    assert [c.data_type for c in row] == ["n", "n", "n", "b", "d", "d", "s"]
    assert [c.value for c in row[:4]] == [-5, 3.25, 40, True]
    assert row[5].value == datetime(2026, 5, 1, 20, 30)  # local wall-clock time, as on the page
    assert row[6].value == "张三" and not row[6].quotePrefix
    assert row[0].value < 0  # a real negative number is not mistaken for a formula


def test_characters_a_workbook_cannot_hold_do_not_break_the_export():
    (row,) = cells(workbook_bytes({"a": [["a\x00b\x1fc", "半个\ud800字", "x" * 40_000]]}))
    assert [c.value for c in row[:2]] == ["a\ufffdb\ufffdc", "半个\ufffd字"]
    assert len(row[2].value) == 32_767


def test_a_sheet_title_is_made_valid():
    book = SafeWorkbook()
    book.sheet("2026/05 党费[一支部]").append(["x"])
    loaded = load_workbook(io.BytesIO(book.to_bytes()))
    assert loaded.sheetnames == ["2026_05 党费_一支部_"]


def zip_with(parts: dict[str, int]) -> bytes:
    """A zip whose members unpack to the given sizes (highly compressible, so the file is small)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, size in parts.items():
            with archive.open(name, "w", force_zip64=True) as member:
                block = b"<si><t>" + b"x" * 1000 + b"</t></si>"
                while size > 0:
                    member.write(block[: min(size, len(block))])
                    size -= len(block)
    return out.getvalue()


MB = 1024 * 1024


@pytest.mark.parametrize(
    ("parts", "limits", "says"),
    [
        ({"xl/sharedStrings.xml": 65 * MB}, {}, "64 MB"),
        ({"xl/styles.xml": 17 * MB}, {}, "16 MB"),
        (
            {f"xl/worksheets/sheet{i}.xml": 2 * MB for i in range(3)},
            {"max_unpacked": 5 * MB},
            "5 MB",
        ),
    ],
)
def test_a_workbook_that_unpacks_past_the_limits_is_refused_from_its_directory(parts, limits, says):
    data = zip_with(parts)
    assert len(data) < MB
    upload = io.BytesIO(data)
    with pytest.raises(UserError, match=f"超过上限（{says}）"):
        check_archive(upload, **limits)
    assert upload.tell() == 0  # left where it was for the caller's reader


def test_a_workbook_within_the_limits_and_a_file_that_is_no_zip_pass():
    check_archive(io.BytesIO(workbook_bytes({"a": [["x"]]})))
    check_archive(io.BytesIO(b"not a zip"))  # the caller's reader refuses it in its own words


PARITY_ROWS = [
    ["序号", "姓名", "金额", "日期", "时间"],
    [1, "张㐂", Decimal("40.00"), date(2026, 5, 1), datetime(2026, 5, 1, 20, 30)],
    [2, '=HYPERLINK("http://x","y")', 3.25, None, "", True, False, "#N/A"],
    [3, " 前后有空格 ", "a & b < c > d", float("nan"), Decimal("NaN"), -7, 10**20],
    [4, "第一行\n第二行", "\t=1+1", "＝1", "半个\ud800字", "x" * 40_000],
    [],
    ["记录人：__________　　____年____月____日"],
]


def _sheet_xml(data: bytes) -> tuple[bytes, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml"), archive.read("xl/styles.xml")


def test_the_fast_row_writes_what_openpyxl_writes_cell_by_cell(monkeypatch):
    from jiceng.core.excel import SafeSheet

    moment = timezone.make_aware(datetime(2026, 5, 1, 20, 30))
    rows = [*PARITY_ROWS, [moment, date(2026, 1, 31)]]
    fast = workbook_bytes({"名单": rows})
    monkeypatch.setattr(SafeSheet, "_row_xml", lambda self, values, row: None)
    slow = workbook_bytes({"名单": rows})
    assert _sheet_xml(fast) == _sheet_xml(slow)  # the same bytes: cells, types and styles
    back = cells(fast)
    assert back[1][1].value == "张㐂" and back[2][1].quotePrefix and back[2][1].data_type == "s"
    assert back[3][1].value == " 前后有空格 " and back[3][2].value == "a & b < c > d"


def test_a_row_with_a_time_of_day_still_writes(monkeypatch):
    from datetime import time

    (row,) = cells(workbook_bytes({"a": [["早班", time(8, 30), 2]]}))
    assert row[0].value == "早班" and row[1].value == time(8, 30) and row[2].value == 2
