"""Reading the rows of an xlsx workbook's sheet (the first, or one by name), streamed, fast.

Shared by every Excel import (the register's; people and units, issue 20).

openpyxl's read-only mode streams too, but builds a cell object through its descriptors for
every cell (about 4 times slower on a 100,000-row register) and, for workbooks that do not state
their dimensions, reads the whole sheet once more just to size it. The import needs only the
values of one sheet, in order: this reads the sheet's XML with ElementTree's C parser, resolving
shared strings. Writing (template, report, export) goes through `jiceng.core.excel`.

What a file says is bounded before it is believed: a cell reference past Excel's last column
(XFD) or row (1,048,576) is refused, cells past the columns the caller reads are skipped, not
padded for (`ZZZZZZZ1` would otherwise allocate gigabytes), and rows past the caller's limit
stop the reading. The unpacked sizes are bounded by `core.excel.check_archive` first.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import ParseError, XMLPullParser, iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CELL_REF = re.compile(r"^([A-Z]+)([0-9]*)$")
EXCEL_COLUMNS = 16_384  # A..XFD
EXCEL_ROWS = 1_048_576


class NotAWorkbook(Exception):
    """The file is not an xlsx workbook we can read."""


class BadReference(NotAWorkbook):
    """A cell or row reference past what Excel can hold: the file was not made by a spreadsheet."""

    def __init__(self, ref: str):
        super().__init__(ref)
        self.ref = ref[:20]


class TooManyRows(Exception):
    """The sheet goes on past the caller's row limit."""


class _OverBudget(Exception):
    pass


class _Budget:
    """A part of the archive read through a byte budget (for a peek that must stay small)."""

    def __init__(self, source, limit: int):
        self.source = source
        self.left = limit

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            raise _OverBudget
        chunk = self.source.read(min(size, self.left) if size and size > 0 else self.left)
        self.left -= len(chunk)
        return chunk


class Formula(str):
    """A cell whose value is computed by a formula (the text is the formula)."""


def _column_index(letters: str) -> int:
    if len(letters) > 3:
        raise BadReference(letters)
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    if n > EXCEL_COLUMNS:
        raise BadReference(letters)
    return n - 1


def _sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, relation id) of each sheet, in the workbook's order."""
    try:
        with archive.open("xl/workbook.xml") as f:
            return [
                (el.get("name", ""), el.get(REL + "id"))
                for _event, el in iterparse(f)
                if el.tag == MAIN + "sheet"
            ]
    except (KeyError, ParseError) as exc:
        raise NotAWorkbook(str(exc)) from exc


def sheet_names(path: Path | str) -> list[str]:
    """The names of the workbook's sheets, in order."""
    try:
        with zipfile.ZipFile(path) as archive:
            return [name for name, _rel in _sheets(archive)]
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotAWorkbook(str(exc)) from exc


def _first_sheet_path(archive: zipfile.ZipFile, name: str | None = None) -> str:
    """The part of the first sheet, or of the sheet called ``name``."""
    sheets = _sheets(archive)
    rel_id = None
    for sheet_name, rel in sheets:
        if name is None or sheet_name == name:
            rel_id = rel
            break
    try:
        with archive.open("xl/_rels/workbook.xml.rels") as f:
            for _event, el in iterparse(f):
                if el.tag == PKG_REL + "Relationship" and el.get("Id") == rel_id:
                    target = el.get("Target", "")
                    if target.startswith("/"):
                        return target.lstrip("/")
                    return posixpath.normpath(posixpath.join("xl", target))
    except (KeyError, ParseError) as exc:
        raise NotAWorkbook(str(exc)) from exc
    raise NotAWorkbook("no worksheet")


def _shared_strings(
    archive: zipfile.ZipFile, *, upto: int | None = None, budget: int | None = None
) -> list[str]:
    """The shared strings table (the first `upto` + 1 of it when given; read through `budget`
    bytes at most when given, raising _OverBudget past it)."""
    names = set(archive.namelist())
    if "xl/sharedStrings.xml" not in names:
        return []
    out: list[str] = []
    with archive.open("xl/sharedStrings.xml") as f:
        source = _Budget(f, budget) if budget is not None else f
        root = None
        try:
            for event, el in iterparse(source, events=("start", "end")):
                if root is None:
                    root = el
                if event != "end" or el.tag != MAIN + "si":
                    continue
                # Plain <t>, or rich-text runs <r><t>; phonetic hints (<rPh>) are not the value.
                parts = [t.text or "" for t in el.findall(MAIN + "t")]
                parts += [t.text or "" for t in el.findall(f"{MAIN}r/{MAIN}t")]
                out.append("".join(parts))
                root.clear()  # read strings leave nothing behind in the tree
                if upto is not None and len(out) > upto:
                    break
        except ParseError as exc:
            raise NotAWorkbook(str(exc)) from exc
    return out


_F, _IS, _V, _T, _C = MAIN + "f", MAIN + "is", MAIN + "v", MAIN + "t", MAIN + "c"


def _value(cell, shared: list[str]):
    # One pass over the cell's children instead of a find() for each kind (the first of each
    # counts, as find() would take it): the import reads a million cells.
    formula = v = inline = None
    for child in cell:
        tag = child.tag
        if tag == _V:
            if v is None:
                v = child
        elif tag == _F:
            if formula is None:
                formula = child
        elif tag == _IS and inline is None:
            inline = child
    if formula is not None:
        return Formula("=" + (formula.text or ""))
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in inline.iter(_T)) if inline is not None else ""
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        try:
            return shared[int(text)]
        except (ValueError, IndexError) as exc:
            raise NotAWorkbook(f"no shared string {text[:20]}") from exc
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    return _number(text)


def _number(text: str):
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "E" not in text.upper() else number


def _row_number(el, previous: int) -> int:
    text = el.get("r")
    if not text:
        return previous + 1
    if not text.isdigit() or len(text) > 7 or int(text) > EXCEL_ROWS:
        raise BadReference(text)
    return int(text)


# Column letters already checked (CELL_REF, Excel's range) → index: at most 16,384 entries.
_COLUMN_OF: dict[str, int] = {}
_DIGITS = "0123456789"


def _cell_column(ref: str) -> int:
    """The column index of a cell reference such as "C12" (BadReference if it is none)."""
    index = _COLUMN_OF.get(ref.rstrip(_DIGITS))
    if index is None:
        match = CELL_REF.match(ref)
        if not match:
            raise BadReference(ref)
        index = _column_index(match.group(1))
        _COLUMN_OF[match.group(1)] = index
    return index


def _cells(row, max_col: int | None) -> Iterator[tuple[int, object]]:
    """(column index, cell element) of a row's cells within the first `max_col` columns."""
    for position, cell in enumerate(row.iter(_C)):
        ref = cell.get("r")
        index = _cell_column(ref) if ref else position
        if max_col is None or index < max_col:
            yield index, cell


def _values(row, shared: list[str], max_col: int | None) -> tuple:
    # ``_cells`` and ``_value`` inlined for the common cells (a reference, one <v> child, a
    # shared string or a number): the import reads a million cells, each once.
    values: list = []
    limit = max_col if max_col is not None else 1 << 62
    for position, cell in enumerate(row.iter(_C)):
        ref = cell.get("r")
        if ref:
            index = _COLUMN_OF.get(ref.rstrip(_DIGITS))
            if index is None:
                index = _cell_column(ref)
        else:
            index = position
        if index >= limit:
            continue
        if index >= len(values):
            values.extend([None] * (index + 1 - len(values)))
        if len(cell) == 1:
            child = cell[0]
            tag = child.tag
            kind = cell.get("t")
            if tag == _V and child.text is not None:
                if kind == "s":
                    try:
                        values[index] = shared[int(child.text)]
                    except (ValueError, IndexError) as exc:
                        raise NotAWorkbook(f"no shared string {child.text[:20]}") from exc
                    continue
                if kind is None or kind == "n":
                    values[index] = _number(child.text)
                    continue
            elif (
                tag == _IS
                and kind == "inlineStr"
                and len(child) == 1
                and child[0].tag == _T
                and not len(child[0])
            ):
                values[index] = child[0].text or ""
                continue
        values[index] = _value(cell, shared)
    return tuple(values)


def read_rows(
    path: Path | str,
    *,
    max_col: int | None = None,
    max_row: int | None = None,
    sheet: str | None = None,
) -> Iterator[tuple[int, tuple]]:
    """(row number, values) for each row of the first sheet (or the sheet named ``sheet``) that
    has any cell, in order: the first `max_col` columns (all when None); TooManyRows at a row
    numbered past `max_row`."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotAWorkbook(str(exc)) from exc
    with archive:
        sheet = _first_sheet_path(archive, sheet)
        shared = _shared_strings(archive)
        try:
            source = archive.open(sheet)
        except KeyError as exc:
            raise NotAWorkbook(str(exc)) from exc
        with source:
            number = 0
            for el in _rows_of(source):
                number = _row_number(el, number)
                if max_row is not None and number > max_row:
                    raise TooManyRows(number)
                yield number, _values(el, shared, max_col)


_SHEET_DATA = MAIN + "sheetData"


def _rows_of(source) -> Iterator:
    """The row elements of a sheet's XML, each complete, in order (children of ``sheetData``).

    ElementTree's ``iterparse`` hands every element of the sheet to Python (a row of eleven
    inline strings is 34 events, a million cells several million): here the C parser builds the
    tree of a chunk of the file by itself, and Python only takes the finished rows out of
    ``sheetData`` (every child but the last, which may still be open) and drops them. Events
    are asked for only until ``sheetData`` opens."""
    parser = XMLPullParser(events=("start",))
    rows = None
    try:
        while True:
            chunk = source.read(1 << 16)
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
            for _event, el in parser.read_events():
                if rows is None and el.tag == _SHEET_DATA:
                    rows = el
                    # No more events: the tree is built in C (the pure-Python parser, which
                    # cannot stop them, still reads right: its events are drained each chunk).
                    setevents = getattr(parser._parser, "_setevents", None)  # noqa: SLF001
                    if setevents is not None:
                        setevents(parser._events_queue, ())  # noqa: SLF001
            if rows is not None:
                done = len(rows) if not chunk else len(rows) - 1
                if done > 0:
                    finished = rows[:done]
                    del rows[:done]
                    yield from finished
            if not chunk:
                return
    except ParseError as exc:
        raise NotAWorkbook(str(exc)) from exc


def first_row(path: Path | str, *, max_col: int, budget: int = 1024 * 1024) -> tuple | None:
    """(row number, values) of the sheet's first row, reading at most `budget` unpacked bytes of
    the sheet and as many of the shared strings; None when that is not enough to tell (or the
    sheet has no row). For a check inside a web request, whose work must stay small."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotAWorkbook(str(exc)) from exc
    with archive:
        sheet = _first_sheet_path(archive)
        try:
            source = archive.open(sheet)
        except KeyError as exc:
            raise NotAWorkbook(str(exc)) from exc
        found = None
        with source:
            try:
                for _event, el in iterparse(_Budget(source, budget)):
                    if el.tag == MAIN + "row":
                        found = el
                        break
            except ParseError as exc:
                raise NotAWorkbook(str(exc)) from exc
            except _OverBudget:
                return None
        if found is None:
            return None
        number = _row_number(found, 0)
        cells = list(_cells(found, max_col))
        wanted = [
            int(v.text)
            for _i, c in cells
            if c.get("t") == "s"
            and (v := c.find(MAIN + "v")) is not None
            and (v.text or "").isdigit()
        ]
        try:
            shared = _shared_strings(archive, upto=max(wanted), budget=budget) if wanted else []
        except _OverBudget:
            return None
        return number, _values(found, shared, max_col)


ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def count_rows(path: Path | str, *, sheet: str | None = None) -> int:
    """How many rows the sheet has (its row elements, empty ones too), counted in the XML text
    without parsing it (under a tenth of the time reading the rows takes), for a progress bar's
    total."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(_first_sheet_path(archive, sheet)) as f:
            count, tail = 0, b""
            while chunk := f.read(1 << 20):
                data = tail + chunk
                # a row tag holds one "<": cut before the last one, so none is split or seen twice
                cut = data.rfind(b"<")
                cut = len(data) if cut < 0 else cut
                count += len(ROW_TAG.findall(data, 0, cut))
                tail = data[cut:]
            return count + len(ROW_TAG.findall(tail))
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise NotAWorkbook(str(exc)) from exc


def stated_rows(path: Path | str) -> int:
    """The last row number the sheet states in its dimension (Excel writes it), 0 if none."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(_first_sheet_path(archive)) as f:
            head = f.read(4096).decode("utf-8", "ignore")
    except (zipfile.BadZipFile, KeyError, OSError, NotAWorkbook):
        return 0
    match = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+[0-9]+:[A-Z]+([0-9]+)"', head)
    return int(match.group(1)) if match else 0
