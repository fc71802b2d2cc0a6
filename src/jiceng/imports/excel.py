"""The going-live workbook: the template, the upload, the job the task queue runs, the report.

The register import's machinery, shared through core: the upload is kept and its shape checked
in bounded work (``core.excel.check_archive``, the header rows), the worker streams each sheet
(``core.xlsx``) through ``core.bulk.load`` (check every row, write good rows chunk by chunk),
the job row carries the progress the page polls, and the refused rows come back as an Excel
report (``core.excel.SafeWorkbook``). Two ways to import, chosen by the person:
- whole (the default): every sheet is checked first and nothing is written unless every row is
  right; then the rows are written;
- valid rows only: good rows are written, bad rows are named in the report.
Either way the import is audited and its file kept ``JICENG_IMPORT_KEEP_DAYS`` days.
"""

from __future__ import annotations

import logging
import uuid
import zipfile
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiceng.core import bulk, xlsx
from jiceng.core.audit import audit
from jiceng.core.errors import Forbidden, UserError
from jiceng.core.excel import SafeWorkbook, check_archive
from jiceng.core.uploads import purge_kept_files
from jiceng.geo.models import Division
from jiceng.imports.models import UnitImport
from jiceng.imports.sheets import BY_NAME, SHEETS, Context, Sheet

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_REPORTED_ERRORS = 20_000
# Rows of a whole-file import kept checked in memory between its two passes (about 1 KB each).
KEEP_CHECKED = 50_000
# The security administrator imports the staff sheet only (accounts and roles are theirs under
# the three-administrator separation, 三员分立); the others import the units and the people.
IMPORT_ROLES = ("system_admin", "security_admin", "district_staff")
READ_ERRORS = (xlsx.NotAWorkbook, xlsx.TooManyRows, zipfile.BadZipFile, OSError, ValueError)


def importer_district(user) -> Division:
    codes = [c for c in user.scopes_for(*IMPORT_ROLES) if len(c) == 6]
    district = Division.objects.filter(code__in=codes, level="district").order_by("code").first()
    if district is None:
        raise Forbidden(_("只有本区的系统管理员、安全管理员和区委组织部工作人员可以导入。"))
    return district


def visible_jobs(user):
    codes = [c for c in user.scopes_for(*IMPORT_ROLES) if len(c) == 6]
    return UnitImport.objects.filter(district__code__in=codes).select_related("by")


def sheets_for(user) -> list[Sheet]:
    return [s for s in SHEETS if user.has_role(*s.roles)]


# --- template ---------------------------------------------------------------------------------


def template_bytes(sheets: list[Sheet] | None = None) -> bytes:
    wb = SafeWorkbook()
    for sheet in sheets or SHEETS:
        ws = wb.sheet(sheet.name)
        for i in range(1, len(sheet.columns) + 1):
            ws.column(i, width=18, as_text=True)
        ws.append(sheet.headers)
    notes = wb.sheet("填写说明")
    notes.append(["工作表", "列", "必填", "说明"])
    for sheet in sheets or SHEETS:
        for column in sheet.columns:
            notes.append([sheet.name, column.header, "是" if column.required else "", column.hint])
    notes.append([])
    notes.append(["只保留要导入的工作表，表名和第一行表头请勿修改；工作表按上面的顺序导入，"
                  "后面的表可以引用前面表中的单位、党组织和账号。"])  # fmt: skip
    notes.append(["同一文件可以再次导入：已有的记录按名称（账号按用户名）更新，不会重复。"])
    return wb.to_bytes()


# --- submitting -------------------------------------------------------------------------------


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "unit-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _not_a_workbook() -> UserError:
    return UserError(_("文件不是 Excel 工作簿（.xlsx），请用模板填写后上传。"), field="file")


def workbook_sheets(path: Path, by) -> list[Sheet]:
    """The template's sheets the workbook holds, each header checked, in import order."""
    if not zipfile.is_zipfile(path):
        raise _not_a_workbook()
    check_archive(path)
    try:
        names = xlsx.sheet_names(path)
    except READ_ERRORS as exc:
        raise _not_a_workbook() from exc
    found = [s for s in SHEETS if s.name in names]
    if not found:
        raise UserError(
            _("工作簿中没有可导入的工作表；表名应为：%(names)s。")
            % {"names": "、".join(s.name for s in SHEETS)},
            field="file",
        )
    for sheet in found:
        if not by.has_role(*sheet.roles) and sheet.roles == {"security_admin"}:
            raise UserError(
                _(
                    "“%(sheet)s”表（账号和角色）须由安全管理员导入（三员分立），本次没有导入"
                    "任何内容；请从文件中删去该表后重新上传，并把该表交给安全管理员导入。"
                )
                % {"sheet": sheet.name},
                field="file",
            )
        if not by.has_role(*sheet.roles):
            raise UserError(
                _("您的角色不能导入“%(sheet)s”表。") % {"sheet": sheet.name}, field="file"
            )
        try:
            first = next(xlsx.read_rows(path, sheet=sheet.name, max_col=len(sheet.columns)), None)
        except READ_ERRORS as exc:
            raise _not_a_workbook() from exc
        header = [str(v).strip() if v is not None else "" for v in (first or (0, ()))[1]]
        if first is None or first[0] != 1 or header[: len(sheet.headers)] != sheet.headers:
            raise UserError(
                _("“%(sheet)s”表的表头与模板不符：第一行应为“%(expected)s”。")
                % {"sheet": sheet.name, "expected": "、".join(sheet.headers)},
                field="file",
            )
    return found


def import_submit(*, upload, by, mode: str = UnitImport.Mode.WHOLE) -> UnitImport:
    """Keep the uploaded workbook, check its shape, and queue the import."""
    # Imported here: the task module imports this one (the task runs ``run_job``).
    from jiceng.imports.tasks import run_unit_import

    district = importer_district(by)
    if upload is None:
        raise UserError(_("请选择要导入的 Excel 文件。"), field="file")
    if upload.size > MAX_UPLOAD_BYTES:
        raise UserError(_("文件超过 50 MB，请拆分后分批导入。"), field="file")
    if mode not in UnitImport.Mode.values:
        raise UserError(_("请选择导入方式。"), field="mode")
    path = _import_dir() / f"{uuid.uuid4().hex}.xlsx"
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        found = workbook_sheets(path, by)
    except UserError:
        path.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        job = UnitImport.objects.create(
            by=by,
            district=district,
            file_name=upload.name[:200],
            path=str(path),
            mode=mode,
            sheets=[s.name for s in found],
            language=translation.get_language() or "",
        )
        audit(
            actor=by,
            action="imports.submit",
            obj=job,
            scope_code=district.code,
            detail={"file": job.file_name, "sheets": job.sheets, "mode": mode},
        )
        transaction.on_commit(lambda: _queue(job, run_unit_import))
    return job


def _queue(job: UnitImport, task) -> None:
    try:
        task(job.pk)
    except Exception:  # noqa: BLE001 - whatever the broker raises, the page must still answer
        logging.getLogger("jiceng.redis").warning("导入 %s 未能排队", job.pk, exc_info=True)
        UnitImport.objects.filter(pk=job.pk, status=UnitImport.Status.QUEUED).update(
            status=UnitImport.Status.FAILED,
            message=_("任务队列暂时不可用，没有导入任何一行；请稍后重新上传此文件。"),
            finished_at=timezone.now(),
        )


# --- the job ----------------------------------------------------------------------------------


def _rows(path: Path, sheet: Sheet):
    reader = xlsx.read_rows(path, sheet=sheet.name, max_col=len(sheet.columns), max_row=MAX_ROWS)
    try:
        for index, raw in reader:
            if index == 1:
                continue
            if raw and any(v is not None and str(v).strip() != "" for v in raw):
                yield index, raw
    except READ_ERRORS as exc:
        raise UserError(
            _("“%(sheet)s”表无法读完（文件损坏或超过 %(n)d 行）。")
            % {"sheet": sheet.name, "n": MAX_ROWS}
        ) from exc


def _stated(path: Path, sheets: list[Sheet]) -> int:
    """The rows below the headers, for the progress bar (rows left empty count too; the job's
    total is set to the rows read when it ends)."""
    if not path.exists():
        return 0
    try:
        return sum(max(xlsx.count_rows(path, sheet=s.name) - 1, 0) for s in sheets)
    except READ_ERRORS:
        return 0  # the rows' own reading says what is wrong


def run_job(job: UnitImport, *, chunk: int = bulk.CHUNK) -> UnitImport:
    """Check (and write) every sheet of the workbook, in the importer's language; the job row
    shows the progress."""
    with translation.override(job.language or None):
        return _run_job(job, chunk=chunk)


def _run_job(job: UnitImport, *, chunk: int) -> UnitImport:
    path = Path(job.path)
    by = job.by
    try:
        found = workbook_sheets(path, by)
    except UserError as exc:
        return _finish(job, UnitImport.Status.FAILED, bulk.Tally(), 0, exc.message)
    rows = _stated(path, found)
    passes = 2 if job.mode == UnitImport.Mode.WHOLE else 1
    UnitImport.objects.filter(pk=job.pk).update(
        status=UnitImport.Status.RUNNING, total=rows * passes
    )
    done = 0

    def progress(processed: int, tally: bulk.Tally) -> None:
        UnitImport.objects.filter(pk=job.pk).update(
            processed=done + processed,
            created=total.created + tally.created,
            updated=total.updated + tally.updated,
            unchanged=total.unchanged + tally.unchanged,
            failed=len(total.errors) + len(tally.errors),
        )

    # A whole-file import of a workbook that is not too large keeps the rows its first pass
    # checked (with the context they were checked in) and writes them without reading and
    # checking the file again; a larger one reads it twice rather than hold it all.
    kept: dict[str, list] | None = (
        {s.name: [] for s in found}
        if job.mode == UnitImport.Mode.WHOLE and rows <= KEEP_CHECKED
        else None
    )
    checked_ctx: Context | None = None

    def run(write: bool, offset: int = 0) -> bulk.Tally:
        nonlocal done, total, checked_ctx
        total = bulk.Tally()
        done = offset
        reuse = write and kept is not None and checked_ctx is not None
        ctx = checked_ctx if reuse else Context.load(job.district, by)
        ctx.path = path
        if not write:
            checked_ctx = ctx
        for sheet in found:
            if reuse:
                source = iter(kept[sheet.name])
                check = _as_checked
            else:
                source = _rows(path, sheet)
                check = partial(_tagged, sheet, ctx=ctx, keep=None if write else kept)
            loaded = bulk.load(
                source,
                check=check,
                apply=(lambda good, sheet=sheet: sheet.apply(good, ctx))
                if write
                else (lambda good: bulk.Tally()),
                chunk=chunk,
                progress=progress,
            )
            if loaded.stopped is not None:
                raise loaded.stopped
            total.add(loaded.tally)
            done += loaded.processed
        return total

    total = bulk.Tally()
    try:
        if job.mode == UnitImport.Mode.WHOLE:
            checked = run(write=False)
            if checked.errors:
                return _finish(
                    job,
                    UnitImport.Status.FAILED,
                    checked,
                    done,
                    _(
                        "文件中有 %(n)d 行有错误，没有导入任何一行；请按错误报告修改后重新导入，"
                        "或选择“只导入无误的行”。"
                    )
                    % {"n": checked.failed_rows},  # fmt: skip
                    whole_refused=True,
                )
            result = run(write=True, offset=done)
        else:
            result = run(write=True)
    except UserError as exc:
        return _finish(job, UnitImport.Status.FAILED, total, done, exc.message)
    except Exception:
        UnitImport.objects.filter(pk=job.pk).update(
            status=UnitImport.Status.FAILED,
            message=_("导入中断：已导入的行有效，请重新导入同一文件以完成（不会重复）。"),
            finished_at=timezone.now(),
        )
        raise
    return _finish(job, UnitImport.Status.DONE, result, done, "")


def _tagged(sheet: Sheet, index: int, raw: tuple, *, ctx: Context, keep: dict | None = None):
    good, errors = sheet.check(index, raw, ctx)
    for e in errors:
        e.column = f"{sheet.name} · {e.column}"
    if keep is not None and good is not None:
        keep[sheet.name].append((index, good))
    return good, errors


def _as_checked(index: int, values: dict):
    """A row kept from the first pass: checked already."""
    return values, []


def _finish(
    job: UnitImport,
    status: str,
    tally: bulk.Tally,
    processed: int,
    message: str,
    *,
    whole_refused: bool = False,
) -> UnitImport:
    errors = sorted(tally.errors, key=lambda e: (e.column.split(" · ")[0], e.row))
    if len(errors) > MAX_REPORTED_ERRORS:
        message += _("错误较多，报告只列出前 %(n)d 条。") % {"n": MAX_REPORTED_ERRORS}
    with transaction.atomic():
        UnitImport.objects.filter(pk=job.pk).update(
            status=status,
            processed=processed,
            total=max(processed, job.total),
            created=0 if whole_refused else tally.created,
            updated=0 if whole_refused else tally.updated,
            unchanged=0 if whole_refused else tally.unchanged,
            failed=tally.failed_rows,
            errors=[e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]],
            message=message[:500],
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        audit(
            actor=job.by,
            action="imports.run",
            obj=job,
            scope_code=job.district.code,
            detail={
                "status": status,
                "rows": processed,
                "created": job.created,
                "updated": job.updated,
                "unchanged": job.unchanged,
                "failed": job.failed,
            },
        )
    return job


def error_report_bytes(job: UnitImport) -> bytes:
    wb = SafeWorkbook()
    ws = wb.sheet("错误报告")
    ws.append([_("工作表 · 列"), _("行号"), _("名称"), _("原因")])
    for e in job.errors:
        ws.append([e["column"], e["row"], e.get("name", ""), e["reason"]])
    return wb.to_bytes()


def purge_files(*, now=None) -> int:
    """Remove the files of imports older than the keeping period (the records stay)."""
    return purge_kept_files(UnitImport.objects.all(), now=now)


__all__ = ["BY_NAME", "SHEETS"]
