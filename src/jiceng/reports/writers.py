"""A record book written out: Excel through ``core.excel.SafeWorkbook`` (user text as text,
streamed row by row) and, where the book is printed, a PDF through fpdf2 with the shipped
Chinese font embedded (``fonts.font_path``). Both follow the paper ledger: the title with the
place and the period, numbered rows under the columns, the signature block (记录人, 审核人…
年 月 日); a book whose period has not ended says 临时 (provisional) on every page.

Rows come from the book's ``rows(user, code, start, end)`` one at a time; the Excel never holds
more than a row. A PDF is for printing and signing: past ``PDF_ROW_LIMIT`` rows it stops and
says so on its last page (the Excel has every row)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

from jiceng.core.excel import SafeWorkbook, text
from jiceng.core.registry import RecordBook
from jiceng.reports.fonts import font_path
from jiceng.reports.periods import Period

PDF_ROW_LIMIT = 5_000  # about 150 pages: past that nobody prints it; the Excel has every row
FONT = "jiceng"
LINE = 4.2  # mm, one line of a cell
MAX_LINES = 8  # a cell longer than this is cut (the Excel has it whole)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Heading:
    """What a book's title says: the book, the place, the period, provisional or not."""

    title: str
    place: str
    period: Period
    provisional: bool
    signatures: tuple[str, ...]

    @classmethod
    def of(cls, book: RecordBook, place: str, period: Period, today: date | None = None):
        return cls(
            str(book.title),
            place,
            period,
            period.provisional(today),
            tuple(str(s) for s in book.signatures) or (_("记录人"), _("审核人")),
        )

    def subtitle(self) -> str:
        line = _("单位：%(place)s　　期间：%(period)s") % {
            "place": self.place,
            "period": self.period.label(),
        }
        if self.provisional:
            line += "　　" + provisional_mark()
        return line


def provisional_mark() -> str:
    return _("临时（期间未结束，数据可能变化）")


def signature_line(signatures: Sequence[str]) -> str:
    parts = [f"{s}：__________" for s in signatures]
    return "　　".join(parts + [_("____年____月____日")])


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


# --- Excel ---------------------------------------------------------------------------------------


def write_excel(
    book: RecordBook,
    heading: Heading,
    rows: Iterable[Sequence[Any]],
    target: str | Path | IO[bytes],
    progress: Progress | None = None,
) -> int:
    """Write one book as a workbook; returns the number of rows."""
    workbook = SafeWorkbook()
    sheet = workbook.sheet(heading.title)
    sheet.column(1, width=6)
    for i, column in enumerate(book.columns, start=2):
        sheet.column(i, width=max(4, column.width) * 1.1)
    sheet.print_setup(
        landscape=True,
        title_rows="3:3",
        header=provisional_mark() if heading.provisional else "",
        footer=_("第 &P 页，共 &N 页"),
    )
    sheet.append([heading.title])
    sheet.append([heading.subtitle()])
    sheet.append([_("序号"), *(str(c.label) for c in book.columns)])
    n = 0
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *row])
        if progress is not None and n % 5000 == 0:
            progress(n)
    sheet.append([])
    sheet.append([signature_line(heading.signatures)])
    workbook.save(target)
    return n


# --- PDF -----------------------------------------------------------------------------------------


_template: dict[str, TTFFont] = {}
_template_lock = threading.Lock()


def _add_shipped_font(pdf: FPDF) -> None:
    """Add the shipped font to ``pdf``. Reading its 32,000 glyphs' metrics costs about a second,
    so it is done once per process (a template) and each document gets a copy with its own
    glyph subset and its own lazily opened font file (fpdf2 subsets that file in place when it
    writes the document)."""
    path = str(font_path())
    with _template_lock:
        template = _template.get(path)
        if template is None:
            holder = FPDF()
            holder.add_font(FONT, "", path)
            template = _template[path] = holder.fonts[FONT]
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(path, recalcTimestamp=False, lazy=True)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    pdf.fonts[FONT] = font


class _Ledger(FPDF):
    def __init__(self, heading: Heading):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.heading = heading
        self.columns: list[tuple[str, float]] = []
        self._widths: dict[str, float] = {}
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
        wraps; a long Latin word breaks where it must), at most ``MAX_LINES``."""
        room = width - 2
        lines: list[str] = []
        for para in value.splitlines() or [""]:
            line, used = [], 0.0
            for char in para:
                w = self._width(char)
                if used + w > room and line:
                    lines.append("".join(line))
                    line, used = [], 0.0
                    if len(lines) >= MAX_LINES:
                        return lines
                line.append(char)
                used += w
            lines.append("".join(line))
            if len(lines) >= MAX_LINES:
                return lines[:MAX_LINES]
        return lines

    def _row(self, cells: Sequence[str], fill: bool = False) -> None:
        """One row with its cells wrapped to their widths, on a new page if it does not fit."""
        wrapped = [self._lines(c, w) for c, (_l, w) in zip(cells, self.columns, strict=False)]
        lines = max(len(w) for w in wrapped)
        height = lines * LINE + 1.2
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
        x, y = self.l_margin, self.get_y()
        for parts, (_label, width) in zip(wrapped, self.columns, strict=False):
            self.rect(x, y, width, height, style="DF" if fill else "D")
            for i, line in enumerate(parts):
                if line:
                    self.text(x + 1, y + 0.6 + LINE * (i + 1) - 1.1, line)
            x += width
        self.set_xy(self.l_margin, y + height)

    def row(self, cells: Sequence[str]) -> None:
        self.set_font(FONT, size=8.5)
        self._row(cells)


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
    weights = [5] + [max(4, c.width) for c in book.columns]
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
