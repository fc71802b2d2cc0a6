"""The writers: a book read back from its Excel (right rows, user text stays text) and from its
PDF (the rare characters in the text layer, the font embedded, 临时 on every page)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pdfminer.high_level import extract_text
from pypdf import PdfReader

from jiceng.core.books import Heading, write_excel
from jiceng.reports import writers
from jiceng.reports.periods import Period
from tests.reports.conftest import FAKE, RARE_NAMES, fake_rows

CODE = "360602001001"


def _pdf(period, today, rows=None, raw=False):
    heading = Heading.of(FAKE, "公园社区", period, today=today)
    out = io.BytesIO()
    rows = rows or fake_rows(None, CODE, period.start, period.end)
    n = writers.write_pdf(FAKE, heading, rows, out)
    if raw:
        return out.getvalue()
    return n, PdfReader(io.BytesIO(out.getvalue()))


def test_pdfminer_reads_the_rare_names_too(var_dir):
    data = _pdf(Period("month", 2026, 10), today=date(2026, 11, 30), raw=True)
    text = _plain(extract_text(io.BytesIO(data)))
    for name in RARE_NAMES:
        assert name in text


def _plain(text: str) -> str:
    return "".join(text.split())


def test_pdf_carries_rare_names_and_embeds_its_font(var_dir):
    n, reader = _pdf(Period("month", 2026, 10), today=date(2026, 11, 30))
    assert n == 4
    text = _plain("".join(page.extract_text() for page in reader.pages))
    for name in RARE_NAMES:
        assert name in text
    assert "测试台账" in text and "公园社区" in text and "2026年10月" in text
    assert "记录人" in text and "审核人" in text
    assert "邻居" not in text
    assert "临时" not in text  # October has ended
    font = reader.pages[0]["/Resources"]["/Font"]
    for ref in font.values():
        descendant = ref.get_object()["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_a_period_not_ended_says_provisional_on_every_page(var_dir):
    many = ((f"居民{i}", "备注", date(2026, 11, 2)) for i in range(200))
    _n, reader = _pdf(Period("month", 2026, 11), today=date(2026, 11, 15), rows=many)
    assert len(reader.pages) > 2
    for page in reader.pages:
        assert "临时" in _plain(page.extract_text())
        assert "序号" in _plain(page.extract_text())  # the header row on every page


def test_excel_has_the_rows_and_keeps_text_as_text(var_dir):
    period = Period("month", 2026, 10)
    heading = Heading.of(FAKE, "公园社区", period, today=date(2026, 11, 30))
    out = io.BytesIO()
    n = write_excel(FAKE, heading, fake_rows(None, CODE, period.start, period.end), out)
    assert n == 4
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "测试台账"
    assert "公园社区" in rows[1][0] and "2026年10月" in rows[1][0]
    assert rows[2] == ("序号", "姓名", "备注", "日期")
    assert [r[1] for r in rows[3:7]] == list(RARE_NAMES)
    assert [r[0] for r in rows[3:7]] == [1, 2, 3, 4]
    formula = sheet.cell(row=4, column=3)
    assert formula.value == "=1+1" and formula.data_type == "s"
    assert "记录人" in rows[-1][0] and "年" in rows[-1][0]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$3:$3"


def test_excel_of_a_period_not_ended_says_provisional(var_dir):
    period = Period("month", 2026, 11)
    heading = Heading.of(FAKE, "公园社区", period, today=date(2026, 11, 15))
    out = io.BytesIO()
    write_excel(FAKE, heading, iter([]), out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert "临时" in sheet.cell(row=2, column=1).value
    assert "临时" in sheet.oddHeader.center.text


@pytest.mark.parametrize(
    ("kind", "year", "number", "start", "end"),
    [
        ("month", 2026, 12, date(2026, 12, 1), date(2027, 1, 1)),
        ("quarter", 2026, 2, date(2026, 4, 1), date(2026, 7, 1)),
        ("year", 2026, 1, date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_periods(kind, year, number, start, end):
    p = Period(kind, year, number)
    assert (p.start, p.end) == (start, end)


def test_the_embedded_font_is_the_shipped_glyphs_and_only_those_printed(var_dir):
    """A document's font is built from the glyphs it prints (``writers.shipped_font``): the
    embedded program holds few glyphs, and a rare character's outline is the shipped one."""
    from fontTools.ttLib import TTFont

    from jiceng.reports.fonts import font_path

    _n, reader = _pdf(Period("month", 2026, 10), today=date(2026, 11, 30))
    font = reader.pages[0]["/Resources"]["/Font"]
    (ref,) = font.values()
    descendant = ref.get_object()["/DescendantFonts"][0].get_object()
    program = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
    embedded = TTFont(io.BytesIO(program))
    shipped = TTFont(str(font_path()))
    assert len(embedded.getGlyphOrder()) < 200 < len(shipped.getGlyphOrder())
    for char in "堃𠀋㐂":
        mine = embedded["glyf"][embedded.getBestCmap()[ord(char)]]
        theirs = shipped["glyf"][shipped.getBestCmap()[ord(char)]]
        assert mine.getCoordinates(embedded["glyf"])[0] == theirs.getCoordinates(shipped["glyf"])[0]
    assert writers.shipped_font() is writers.shipped_font()  # read once per process


def test_a_date_and_time_too_wide_for_its_column_breaks_at_the_space(var_dir):
    """A printed ledger's narrow time column reads "2026-10-01" over "00:38", never "2026-10-0"
    over "1 00:38"; Chinese text still wraps character by character."""
    pdf = writers._Ledger(Heading.of(FAKE, "公园社区", Period("month", 2026, 10)))
    pdf.set_font(writers.FONT, size=8.5)
    width = pdf.get_string_width("2026-10-01") + 3
    assert pdf._cut("2026-10-01 00:38", width) == ["2026-10-01", "00:38"]
    assert pdf._cut("乱停放车辆占道", pdf.get_string_width("乱停放") + 2.5) == [
        "乱停放",
        "车辆占",
        "道",
    ]
    # a full stop never starts a line: it hangs at the end of the one before (避头点)
    narrow = pdf.get_string_width("乱停放") + 2.5
    assert pdf._cut("乱停放车辆。", narrow) == ["乱停放", "车辆。"]
    assert pdf._cut("乱停放。车辆", narrow) == ["乱停放。", "车辆"]
