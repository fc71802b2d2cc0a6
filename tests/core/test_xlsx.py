"""core.xlsx, the reader of every import: each row of a large sheet comes out whole and in order,
whatever chunk of the file it straddles, with the values openpyxl reads from the same file."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook

from jiceng.core import xlsx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook(path, rows: int) -> None:
    strings = ["户主", "子女", "A&amp;B 小区", "汉族"]
    body = []
    for r in range(1, rows + 1):
        # Shared strings, inline strings, numbers, an empty cell, a skipped column, whitespace
        # between the elements as a pretty-printing writer leaves it.
        body.append(
            f'<row r="{r}">\n  <c r="A{r}" t="inlineStr"><is><t>张{r}</t></is></c>\n'
            f'  <c r="B{r}" t="s"><v>{r % 4}</v></c><c r="C{r}"><v>{r}.5</v></c>'
            f'<c r="D{r}" t="str"><v>1{r:010d}</v></c><c r="E{r}"/>'
            f'<c r="G{r}" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c>\n'
            "</row>\n"
        )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}">'
        f'<dimension ref="A1:G{rows}"/><sheetData>\n{"".join(body)}</sheetData>'
        '<mergeCells count="1"><mergeCell ref="H1:I1"/></mergeCells></worksheet>'
    )
    shared = (
        f'<sst xmlns="{MAIN}" count="4" uniqueCount="4">'
        + "".join(f"<si><t>{s}</t></si>" for s in strings)
        + "</sst>"
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
            '.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application'
            '/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{rel}"><sheets>'
            '<sheet name="居民台账" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared)


def test_every_row_of_a_large_sheet_reads_whole_and_in_order_as_openpyxl_reads_it(tmp_path):
    path = tmp_path / "big.xlsx"
    _workbook(path, 3000)  # about 600 KB of sheet: rows straddle the reader's 64 KB chunks
    ours = list(xlsx.read_rows(path, max_col=7))
    sheet = load_workbook(path, read_only=True).active
    theirs = [tuple(c.value for c in row) for row in sheet.iter_rows(max_col=7)]
    assert [number for number, _values in ours] == list(range(1, 3001))
    assert len(theirs) == 3000
    for (number, values), expected in zip(ours, theirs, strict=True):
        # openpyxl pads a row to the sheet's width with None; ours stops at its last cell.
        assert values + (None,) * (7 - len(values)) == expected, number
    assert ours[0][1] == ("张1", "子女", 1.5, "10000000001", None, None, "富文本")
    assert ours[1][1][1] == "A&B 小区"
    assert xlsx.count_rows(path) == 3000


def test_the_row_limit_stops_the_reading_at_the_first_row_past_it(tmp_path):
    path = tmp_path / "big.xlsx"
    _workbook(path, 500)
    read = []
    try:
        for number, _values in xlsx.read_rows(path, max_col=3, max_row=400):
            read.append(number)
    except xlsx.TooManyRows as exc:
        assert exc.args == (401,)
    else:
        raise AssertionError("no TooManyRows")
    assert read == list(range(1, 401))
