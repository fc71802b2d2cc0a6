"""Learning records from an Excel workbook (the export of an online learning platform, or the
template we give): every row checked, good rows recorded, bad rows named with their reason.
Recording is idempotent by (member, source, source id), so importing a file again adds nothing."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from jiceng.core.errors import UserError
from jiceng.core.excel import SafeWorkbook, check_archive
from jiceng.party import services
from jiceng.party.permissions import can_manage, visible_members

HEADER = ["党员编号", "姓名", "课程", "学习时长（分钟）", "完成时间", "来源编号"]
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
SOURCE = "excel"


@dataclass
class ImportResult:
    created: int = 0
    existing: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, reason)


def template() -> bytes:
    """The workbook to fill in: the header and one example row."""
    book = SafeWorkbook()
    sheet = book.sheet("学习记录")
    for column in range(1, len(HEADER) + 1):
        sheet.column(column, width=18)
    sheet.append(HEADER)
    sheet.append([1, "张三", "党章学习", 45, "2026-05-01 20:30", "xx-0001"])
    return book.to_bytes()


def _when(value) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip()
        for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M"):
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise UserError(_("应为日期时间，例如 2026-05-01 20:30"))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _bad_reference_refused(rows):
    """The rows, with a cell reference openpyxl cannot read (past Excel's XFD column, say)
    refused in the user's words instead of a server error."""
    try:
        yield from rows
    except ValueError:
        raise UserError(
            _("文件中有超出 Excel 范围的单元格，文件已损坏；请另存为新的 .xlsx 文件后重新导入。"),
            field="file",
        ) from None


def import_learning(*, by, upload) -> ImportResult:
    """Read the workbook and record each good row; refuse a file that is not the template."""
    if getattr(upload, "size", 0) > MAX_BYTES:
        raise UserError(_("文件超过 10 MB。"), field="file")
    # A zip bomb is refused before openpyxl unpacks anything (the shared strings it reads whole
    # stay under 16 MB: a file of 20,000 rows needs a few).
    check_archive(upload, max_unpacked=128 * 1024 * 1024, max_shared_strings=16 * 1024 * 1024)
    try:
        book = load_workbook(upload, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise UserError(_("不是 Excel 工作簿（.xlsx），请使用下载的模板。"), field="file") from None
    # Only the template's columns: a cell far to the right would make openpyxl pad every row.
    # Read whole (at most the limit and one) before anything is recorded, so that a bad cell or
    # one row too many refuses the file and changes nothing.
    read = list(
        islice(
            _bad_reference_refused(
                book.worksheets[0].iter_rows(max_col=len(HEADER), values_only=True)
            ),
            MAX_ROWS + 2,
        )
    )
    if len(read) > MAX_ROWS + 1:
        raise UserError(
            _("一次最多导入 {most} 行，请分批导入。").format(most=MAX_ROWS), field="file"
        )
    rows = iter(read)
    header = [str(c or "").strip() for c in next(rows, ())][: len(HEADER)]
    if header != HEADER:
        raise UserError(
            _("表头应为：{header}。请使用下载的模板。").format(header="、".join(HEADER)),
            field="file",
        )
    members = visible_members(by).select_related("org")
    result = ImportResult()
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise UserError(
                _("一次最多导入 {most} 行，请分批导入。").format(most=MAX_ROWS), field="file"
            )
        cells = list(row[: len(HEADER)]) + [None] * (len(HEADER) - len(row))
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        member_no, name, course, minutes, finished, external = cells
        column = ""
        try:
            for heading, value in zip(HEADER, cells, strict=True):
                if isinstance(value, str) and value.startswith("="):
                    column = heading
                    raise UserError(_("单元格含公式，请只填写数值。"))
            column = "党员编号"
            member = members.filter(pk=int(member_no)).first() if str(member_no).isdigit() else None
            if member is None or not can_manage(by, member):
                raise UserError(_("没有该编号的党员，或不在您的管辖范围内。"))
            column = "姓名"
            if str(name or "").strip() != member.name:
                raise UserError(_("与党员编号不符（该编号是{name}）。").format(name=member.name))
            column = "学习时长（分钟）"
            if not str(minutes).strip().isdigit():
                raise UserError(_("应为整数分钟。"))
            column = "完成时间"
            when = _when(finished)
            column = "课程"
            with transaction.atomic():
                _record, created = services.learning_record(
                    by=by,
                    member=member,
                    course=str(course or ""),
                    minutes=int(str(minutes).strip()),
                    finished_at=when,
                    external_id=str(external or "").strip(),
                    source=SOURCE,
                )
        except UserError as exc:
            column = {
                "course": "课程",
                "minutes": "学习时长（分钟）",
                "finished_at": "完成时间",
                "external_id": "来源编号",
            }.get(exc.field or "", column)
            result.errors.append((number, column, exc.message))
            continue
        if created:
            result.created += 1
        else:
            result.existing += 1
    return result
