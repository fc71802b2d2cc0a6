"""A record book printed: a PDF through fpdf2 with the shipped Chinese font embedded
(``fonts.font_path``), laid out as the Excel of the one book writer (``core.books.write_excel``:
the title with the place and the period, numbered rows under the columns, the signature block
(记录人, 审核人… 年 月 日); a book whose period has not ended says 临时 (provisional) on every
page).

Rows come from the book's ``rows(user, code, start, end)`` one at a time. A PDF is for printing
and signing: past ``PDF_ROW_LIMIT`` rows it stops and says so on its last page (the Excel has
every row)."""

from __future__ import annotations

import copy
import struct
import threading
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fontTools import ttLib
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import OutputProducer

from jiceng.core.books import Heading, Progress, signature_line
from jiceng.core.excel import text
from jiceng.core.registry import RecordBook
from jiceng.reports.fonts import font_path

PDF_ROW_LIMIT = 5_000  # about 150 pages: past that nobody prints it; the Excel has every row
FONT = "jiceng"
LINE = 4.2  # mm, one line of a cell
MAX_LINES = 8  # a cell longer than this is cut (the Excel has it whole)
WRAP_CACHE = 20_000  # distinct cells a document remembers the lines and the encoding of


def cell_text(value: Any) -> str:
    """A cell as the PDF prints it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return text(value)


# --- PDF -----------------------------------------------------------------------------------------


class _ShippedFont:
    """The shipped font read once per process: the metrics fpdf2 lays text out with (a
    ``TTFFont`` every document copies) and each glyph's outline as bytes, so that a document's
    font is built from the glyphs it prints alone (``document_font``). Subsetting the whole
    32,000-glyph font for every document, as fpdf2 does, read its tables again each time: about
    0.4 s of CPU before a PDF's first byte."""

    TABLES = ("head", "hhea", "maxp", "OS/2", "post", "name")

    def __init__(self, path: str):
        holder = FPDF()
        holder.add_font(FONT, "", path)
        self.template: TTFFont = holder.fonts[FONT]
        font = self.template.ttfont
        order = font.getGlyphOrder()
        self.ids = {name: gid for gid, name in enumerate(order)}
        count = len(order)
        raw_loca = font.reader["loca"]
        if font["head"].indexToLocFormat:
            loca = struct.unpack(f">{count + 1}I", raw_loca[: 4 * (count + 1)])
        else:
            loca = tuple(
                2 * o for o in struct.unpack(f">{count + 1}H", raw_loca[: 2 * (count + 1)])
            )
        self.loca = loca
        self.glyf = data = font.reader["glyf"]
        # A composite glyph names others; the shipped font has none (cu2qu drew every glyph),
        # and a document that used one would take the whole font instead.
        self.composite = {
            name
            for gid, name in enumerate(order)
            if loca[gid + 1] - loca[gid] >= 2 and data[loca[gid]] & 0x80
        }
        self.metrics = dict(font["hmtx"].metrics)
        self.unicodes: dict[str, list[int]] = {}
        for table in font["cmap"].tables:
            if table.isUnicode():
                for code, name in table.cmap.items():
                    self.unicodes.setdefault(name, []).append(code)
        self.tables = {tag: font[tag] for tag in self.TABLES}
        self.first = order[:4]  # .notdef and the glyphs a subsetter keeps beside it
        self.path = path

    def document_font(self, names: Iterable[str]) -> ttLib.TTFont:
        """A font of only these glyphs (and .notdef), with the shipped font's names, metrics
        and outlines, for fpdf2 to subset and embed."""
        keep = sorted({*self.first, *names}, key=self.ids.__getitem__)
        if self.composite.intersection(keep):
            return ttLib.TTFont(self.path, recalcTimestamp=False, lazy=True)
        font = ttLib.TTFont(recalcBBoxes=False, recalcTimestamp=False)
        font.setGlyphOrder(keep)
        for tag, table in self.tables.items():
            font[tag] = copy.copy(table)
        font["maxp"].numGlyphs = len(keep)
        glyf = ttLib.newTable("glyf")
        glyf.glyphOrder = keep
        loca, data, ids = self.loca, self.glyf, self.ids
        glyf.glyphs = {name: Glyph(data[loca[ids[name]] : loca[ids[name] + 1]]) for name in keep}
        font["glyf"] = glyf
        font["loca"] = ttLib.newTable("loca")
        hmtx = ttLib.newTable("hmtx")
        hmtx.metrics = {name: self.metrics[name] for name in keep}
        font["hmtx"] = hmtx
        mapping = {code: name for name in keep for code in self.unicodes.get(name, ())}
        cmap = ttLib.newTable("cmap")
        cmap.tableVersion = 0
        cmap.tables = []
        for fmt, encoding, codes in (
            (4, 1, {c: n for c, n in mapping.items() if c <= 0xFFFF}),
            (12, 10, mapping),
        ):
            table = CmapSubtable.newSubtable(fmt)
            table.platformID, table.platEncID, table.language = 3, encoding, 0
            table.cmap = codes
            cmap.tables.append(table)
        font["cmap"] = cmap
        return font


_shipped: list[_ShippedFont] = []
_shipped_lock = threading.Lock()


def shipped_font() -> _ShippedFont:
    """The process's one reading of the shipped font (the same font wherever it was unpacked)."""
    with _shipped_lock:
        if not _shipped:
            _shipped.append(_ShippedFont(str(font_path())))
    return _shipped[0]


def _add_shipped_font(pdf: FPDF) -> None:
    """Add the shipped font to ``pdf``: a copy of the process's template with its own glyph
    subset; its font program is made when the document is written (``_Ledger.output``)."""
    template = shipped_font().template
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.ttfont = None
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    pdf.fonts[FONT] = font


# Punctuation a Chinese line never starts with (标点符号用法, GB/T 15834: 避头点).
NO_LINE_START = frozenset("，。、；：？！）》」』”’,.;:?!)")


class _Ledger(FPDF):
    def __init__(self, heading: Heading):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.heading = heading
        self.columns: list[tuple[str, float]] = []
        self._widths: dict[str, float] = {}
        self._wrapped: dict[tuple[str, float], list[str]] = {}
        self._encoded: dict[str, str] = {}
        self.set_auto_page_break(auto=False, margin=14)
        self.set_margins(12, 12, 12)
        _add_shipped_font(self)
        self.set_title(f"{heading.title} {heading.place} {heading.period.label()}")
        self.set_creator("jiceng")
        self.alias_nb_pages()

    def header(self):
        h = self.heading
        self.set_font(FONT, size=15)
        self.cell(0, 8, h.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=9.5)
        self.cell(0, 6, h.subtitle(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if h.provisional:
            self.set_text_color(190, 30, 30)
            self.set_font(FONT, size=11)
            self.set_xy(self.w - self.r_margin - 40, 12)
            self.cell(40, 8, _("临时"), border=1, align="C")
            self.set_text_color(0, 0, 0)
            self.set_xy(self.l_margin, 26)
        self.ln(1)
        if self.columns:
            self.set_font(FONT, size=8.5)
            self.set_fill_color(235, 235, 235)
            self._row([label for label, _w in self.columns], fill=True)

    def footer(self):
        self.set_y(-10)
        self.set_font(FONT, size=8)
        self.cell(
            0,
            5,
            _("第 %(page)s 页，共 %(pages)s 页") % {"page": self.page_no(), "pages": "{nb}"},
            align="C",
        )

    def _width(self, char: str) -> float:
        w = self._widths.get(char)
        if w is None:
            w = self._widths[char] = self.get_string_width(char)
        return w

    def _lines(self, value: str, width: float) -> list[str]:
        """The value cut into lines that fit ``width`` (character by character, as Chinese
        wraps; a long Latin word breaks where it must), at most ``MAX_LINES``. A value seen
        before in a column as wide (a category, a name, a result) is cut once."""
        key = (value, width)
        found = self._wrapped.get(key)
        if found is None:
            found = self._cut(value, width)
            if len(self._wrapped) < WRAP_CACHE:
                self._wrapped[key] = found
        return found

    def _cut(self, value: str, width: float) -> list[str]:
        room = width - 2
        widths = self._widths
        if not widths.keys() >= set(value):
            for char in value:
                self._width(char)
        one_line = "\n" not in value and "\r" not in value
        if one_line and sum(map(widths.__getitem__, value)) <= room:
            return [value]  # as most cells are
        lines: list[str] = []
        for para in value.splitlines() or [""]:
            line, used = [], 0.0
            for char in para:
                w = widths[char]
                if used + w > room and line and char in NO_LINE_START and used < width:
                    pass  # 避头点: a comma or a full stop hangs at the end of its line
                elif used + w > room and line:
                    # A date and its time, or two Latin words: break at the last space on the
                    # line rather than inside a number ("2026-10-01" / "00:38").
                    space = len(line) - 1 - line[::-1].index(" ") if " " in line else 0
                    if char != " " and space > 0:
                        lines.append("".join(line[:space]))
                        line = line[space + 1 :]
                        used = sum(map(widths.__getitem__, line))
                    else:
                        lines.append("".join(line))
                        line, used = [], 0.0
                    if len(lines) >= MAX_LINES:
                        return lines
                if char == " " and not line:
                    continue  # no line starts with the space it was broken at
                line.append(char)
                used += w
            lines.append("".join(line))
            if len(lines) >= MAX_LINES:
                return lines[:MAX_LINES]
        return lines

    def _encode(self, line: str) -> str:
        """A line as the page's text operator shows it in the document's font subset (once per
        distinct line: the glyphs it picks stay picked)."""
        found = self._encoded.get(line)
        if found is None:
            found = self.current_font.encode_text(line)
            if len(self._encoded) < WRAP_CACHE:
                self._encoded[line] = found
        return found

    def _row(self, cells: Sequence[str], fill: bool = False) -> None:
        """One row with its cells wrapped to their widths, on a new page if it does not fit:
        each cell's box, then its lines, written to the page as one piece (what ``rect`` and
        ``text`` would write cell by cell)."""
        wrapped = [self._lines(c, w) for c, (_l, w) in zip(cells, self.columns, strict=False)]
        lines = max(len(w) for w in wrapped)
        height = lines * LINE + 1.2
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        k, top = self.k, self.h
        x, y = self.l_margin, self.get_y()
        operator = "B" if fill else "S"  # draw and fill, or draw (``RenderStyle``)
        boxes, texts = [], []
        for parts, (_label, width) in zip(wrapped, self.columns, strict=False):
            boxes.append(
                f"{x * k:.2f} {(top - y) * k:.2f} {width * k:.2f} {-height * k:.2f} re {operator}"
            )
            for i, line in enumerate(parts):
                if line:
                    baseline = y + 0.6 + LINE * (i + 1) - 1.1
                    texts.append(
                        f"BT {(x + 1) * k:.2f} {(top - baseline) * k:.2f} Td {self._encode(line)} ET"
                    )
            x += width
        self._out("\n".join(boxes))
        if texts:
            if self.fill_color != self.text_color:
                texts = ["q", self.text_color.serialize().lower(), *texts, "Q"]
            self._out(" ".join(texts))
        self.set_xy(self.l_margin, y + height)

    def row(self, cells: Sequence[str]) -> None:
        self.set_font(FONT, size=8.5)
        self._row(cells)

    def output(self, *args, **kwargs):
        kwargs.setdefault("output_producer_class", _Producer)
        return super().output(*args, **kwargs)


class _Producer(OutputProducer):
    """fpdf2's writer of the document, handed the document's own font when every page (the
    last footer, the page counts) is drawn and no more glyph will be picked."""

    def bufferize(self):
        font = self.fpdf.fonts.get(FONT)
        if font is not None and font.ttfont is None:
            font.ttfont = shipped_font().document_font(font.subset.get_all_glyph_names())
        return super().bufferize()


def write_pdf(
    book: RecordBook,
    heading: Heading,
    rows: Iterable[Sequence[Any]],
    target: str | Path | IO[bytes],
    progress: Progress | None = None,
) -> int:
    """Write one book as a PDF to print and sign; returns the number of rows printed."""
    pdf = _Ledger(heading)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    weights = [6] + [max(4, c.width) for c in book.columns]  # 序号: three digits on a line
    scale = usable / sum(weights)
    labels = [_("序号"), *(str(c.label) for c in book.columns)]
    pdf.columns = [(label, w * scale) for label, w in zip(labels, weights, strict=True)]
    pdf.add_page()
    n = 0
    cut = False
    for n, row in enumerate(rows, start=1):
        if n > PDF_ROW_LIMIT:
            cut = True
            n -= 1
            break
        pdf.row([str(n), *(cell_text(v) for v in row)])
        if progress is not None and n % 1000 == 0:
            progress(n)
    pdf.set_font(FONT, size=10)
    if n == 0:
        pdf.cell(0, 8, _("本期无记录。"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if cut:
        pdf.cell(
            0,
            8,
            _("本册打印前 %(n)d 条，其余记录见同名 Excel 文件。") % {"n": PDF_ROW_LIMIT},
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    if pdf.get_y() + 20 > pdf.page_break_trigger:
        pdf.columns = []
        pdf.add_page()
    pdf.ln(8)
    pdf.cell(0, 8, signature_line(heading.signatures), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.output(target)
    return n
