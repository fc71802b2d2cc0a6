"""Excel in and out: the import template, the streamed import with its error report, and the
export masked for the viewer's role.

Workbooks are streamed (read by `xlsx`, written by core's safe writer, which keeps user text as
text), so a 100,000-row book never sits in memory whole. The web request only stores the upload
and checks what it can in bounded work (the archive's directory, the header row); the worker
reads the rows, within bounds on the unpacked size, the columns and the rows. The import runs
in three steps, one file each: reading the workbook and running the job (here, with
`core.bulk.load`), checking a row (`import_rows`), writing a chunk of good rows through the
register's services (`import_apply`). Every row is checked; good rows go in, bad rows change
nothing and are named in the report (row, column, reason); the same file imported twice changes
nothing (upsert by the ID number's keyed hash).
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from jiceng.core import bulk, xlsx
from jiceng.core.audit import audit
from jiceng.core.errors import UserError
from jiceng.core.excel import XLSX_TYPE, SafeWorkbook, check_archive
from jiceng.core.personal import mask_id_number, mask_phone
from jiceng.registry import permissions
from jiceng.registry.import_apply import apply_rows
from jiceng.registry.import_rows import COLUMNS, HEADERS, Places, check_row
from jiceng.registry.models import CareTag, ImportJob, Person

__all__ = ["COLUMNS", "HEADERS", "XLSX_TYPE"]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000  # people in one file; a community keeps about 10,000
HEADER_PEEK_BYTES = 1024 * 1024  # what the web request may unpack to check the header
MAX_REPORTED_ERRORS = 20_000
CHUNK = bulk.CHUNK


def _template_workbook() -> SafeWorkbook:
    wb = SafeWorkbook()
    ws = wb.sheet("居民台账")
    for i, column in enumerate(COLUMNS, start=1):
        # ID and phone columns as text, so Excel does not turn 18 digits into 1.1E+17.
        ws.column(
            i,
            width=22 if column.key == "id_number" else 14,
            as_text=column.key in ("id_number", "phone"),
        )
    ws.append(HEADERS)
    notes = wb.sheet("填写说明")
    notes.append(["列", "必填", "说明"])
    for column in COLUMNS:
        notes.append([column.header, "是" if column.required else "", column.hint])
    notes.append([])
    notes.append(["第一行表头请勿修改；每行一人；同一文件中身份证号不能重复；单元格中不能有公式。"])
    notes.append(["再次导入同一文件不会重复登记：按身份证号更新已登记的居民。"])
    return wb


def template_bytes() -> bytes:
    return _template_workbook().to_bytes()


# --- submitting --------------------------------------------------------------------------------


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "registry-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _not_a_workbook() -> UserError:
    return UserError(_("文件不是 Excel 工作簿（.xlsx），请用模板填写后上传。"))


def _unreadable(exc: Exception) -> UserError:
    """The user's words for what the reader refused."""
    if isinstance(exc, xlsx.BadReference):
        return UserError(
            _(
                "文件中有超出 Excel 范围的单元格位置（%(ref)s），文件已损坏；"
                "请用 Excel 或 WPS 另存为新的 .xlsx 文件后重新导入。"
            )
            % {"ref": exc.ref}
        )
    if isinstance(exc, xlsx.TooManyRows):
        return _too_many_rows()
    return _not_a_workbook()


def _too_many_rows() -> UserError:
    return UserError(_("文件超过 %(n)d 行，请拆分后分批导入。") % {"n": MAX_ROWS})


def _check_header(first: tuple[int, tuple]) -> None:
    number, header = first
    found = [str(v).strip() if v is not None else "" for v in header][: len(HEADERS)]
    if number != 1 or found != HEADERS:
        raise UserError(
            _("表头与模板不符：第一行应为“%(expected)s”。请下载模板，按模板的列填写。")
            % {"expected": "、".join(HEADERS)}
        )


READ_ERRORS = (xlsx.NotAWorkbook, xlsx.TooManyRows, zipfile.BadZipFile, OSError, ValueError)


def check_workbook_file(path: Path, size: int) -> None:
    """What the web request checks, in bounded work whatever the file: its size, that it is a
    zip whose parts unpack within the limits (its directory only), the rows it states and, when
    the first megabyte tells, the header. A file failing any is refused whole; everything else
    is read by the worker."""
    if size > MAX_UPLOAD_BYTES:
        raise UserError(_("文件超过 50 MB，请拆分后分批导入。"))
    if size == 0 or not zipfile.is_zipfile(path):
        raise _not_a_workbook()
    check_archive(path)
    if xlsx.stated_rows(path) - 1 > MAX_ROWS:
        raise _too_many_rows()
    try:
        first = xlsx.first_row(path, max_col=len(HEADERS), budget=HEADER_PEEK_BYTES)
    except READ_ERRORS as exc:
        raise _unreadable(exc) from exc
    if first is not None:
        _check_header(first)


def import_submit(*, upload, by) -> ImportJob:
    """Keep the uploaded workbook, check its shape, and queue the import."""
    # Imported here: the task module imports this one (the task runs ``run_import_job``).
    from jiceng.registry.tasks import run_import

    if not by.scopes_for(*permissions.IMPORT_ROLES):
        raise UserError(_("您的角色不能导入台账。"), status=403)
    if upload is None:
        raise UserError(_("请选择要导入的 Excel 文件。"), field="file")
    if upload.size > MAX_UPLOAD_BYTES:
        raise UserError(_("文件超过 50 MB，请拆分后分批导入。"), field="file")
    path = _import_dir() / f"{uuid.uuid4().hex}.xlsx"
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        check_workbook_file(path, path.stat().st_size)
    except UserError:
        path.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        job = ImportJob.objects.create(by=by, file_name=upload.name[:200], path=str(path))
        audit(actor=by, action="registry.import_submit", obj=job, detail={"file": job.file_name})
        transaction.on_commit(lambda: _queue_import(job, run_import))
    return job


def _queue_import(job: ImportJob, run_import) -> None:
    """Hand the job to the task queue. When the queue is down (Redis stopped) the request still
    answers: the job says so on its page and the stored workbook (personal data) is removed."""
    try:
        run_import(job.pk)
    except Exception:  # noqa: BLE001 - whatever the broker raises, the page must still answer
        logging.getLogger("jiceng.redis").warning("导入 %s 未能排队", job.pk, exc_info=True)
        Path(job.path).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.FAILED,
            message=_("任务队列暂时不可用，没有导入任何一行；请稍后重新上传此文件。"),
            finished_at=timezone.now(),
        )


# --- reading rows ------------------------------------------------------------------------------


def open_rows(path: Path) -> tuple[int, Iterator[tuple[int, tuple]]]:
    """The number of data rows the sheet states (0 when it does not say) and an iterator of
    (row number, cell values) over its non-empty data rows, streamed. The file's size, shape
    and header are checked first (UserError); a bad cell or too many rows further on raise
    UserError from the iterator."""
    size = path.stat().st_size if path.exists() else 0
    if size == 0 or not zipfile.is_zipfile(path):
        raise _not_a_workbook()
    check_archive(path)
    total = max(xlsx.stated_rows(path) - 1, 0)
    if total > MAX_ROWS:
        raise _too_many_rows()
    reader = xlsx.read_rows(path, max_col=len(HEADERS), max_row=MAX_ROWS + 1)
    try:
        first = next(reader, (1, ()))
    except READ_ERRORS as exc:
        raise _unreadable(exc) from exc
    _check_header(first)

    def rows() -> Iterator[tuple[int, tuple]]:
        try:
            for index, raw in reader:
                if raw and any(v is not None and str(v).strip() != "" for v in raw):
                    yield index, raw
        except READ_ERRORS as exc:
            raise _unreadable(exc) from exc

    return total, rows()


# --- the job ----------------------------------------------------------------------------------


def run_import_job(job: ImportJob, *, progress_every: int = CHUNK) -> ImportJob:
    """Read, check and write the job's workbook chunk by chunk; the job row shows progress."""
    path = Path(job.path)
    by = job.by
    scopes = permissions.edit_scopes(by)
    try:
        total, rows = open_rows(path)
    except UserError as exc:
        path.unlink(missing_ok=True)
        return _refused(job, exc.message)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, total=total)
    places = Places(scopes)
    seen: dict[str, int] = {}
    today = timezone.localdate()
    note = (_("Excel 导入（第 %(n)d 次导入：%(f)s）") % {"n": job.pk, "f": job.file_name})[:200]

    def progress(processed: int, tally: bulk.Tally) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            processed=processed,
            created=tally.created,
            updated=tally.updated,
            unchanged=tally.unchanged,
            failed=len(tally.errors),
        )

    try:
        loaded = bulk.load(
            rows,
            check=lambda index, raw: check_row(index, raw, places, seen, today),
            apply=lambda good: apply_rows(good, by=by, today=today, note=note),
            chunk=progress_every,
            progress=progress,
        )
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            message=_("导入中断：已导入的行有效，请重新导入同一文件以完成（不会重复登记）。"),
            finished_at=timezone.now(),
        )
        raise
    finally:
        path.unlink(missing_ok=True)  # the workbook holds personal data: keep it no longer
    processed, totals = loaded.processed, loaded.tally
    if loaded.stopped is not None:
        # The file turned out bad part way (a cell past Excel's range, too many rows): what
        # was written stays, as after an interruption; the job says why.
        return _refused(job, loaded.stopped.message, processed=processed)
    errors = sorted(totals.errors, key=lambda e: e.row)
    message = ""
    if len(errors) > MAX_REPORTED_ERRORS:
        message = _("错误较多，报告只列出前 %(n)d 条。") % {"n": MAX_REPORTED_ERRORS}
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            total=processed,
            processed=processed,
            created=totals.created,
            updated=totals.updated,
            unchanged=totals.unchanged,
            failed=totals.failed_rows,
            errors=[e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]],
            message=message,
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        audit(
            actor=by,
            action="registry.import",
            obj=job,
            detail={
                "rows": processed,
                "created": totals.created,
                "updated": totals.updated,
                "unchanged": totals.unchanged,
                "failed": totals.failed_rows,
            },
        )
    return job


def _refused(job: ImportJob, message: str, *, processed: int = 0) -> ImportJob:
    """End the job as failed with the reason the user reads on its page, and audit it."""
    if processed:
        message += _("此前的 %(n)d 行已处理，其中无误的行已导入（再次导入不会重复登记）。") % {
            "n": processed
        }
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=message[:500], finished_at=timezone.now()
        )
        job.refresh_from_db()
        audit(
            actor=job.by,
            action="registry.import_refused",
            obj=job,
            detail={"reason": message[:200], "processed": processed},
        )
    return job


def error_report_bytes(job: ImportJob) -> bytes:
    """The rows refused, with their reasons (the names as the file had them, kept as text)."""
    wb = SafeWorkbook()
    ws = wb.sheet("错误报告")
    ws.append([_("行号"), _("姓名"), _("列"), _("原因")])
    for e in job.errors:
        ws.append([e["row"], e.get("name", ""), e["column"], e["reason"]])
    return wb.to_bytes()


# --- export ------------------------------------------------------------------------------------

EXPORT_HEADERS = {
    "name": "姓名",
    "gender": "性别",
    "age": "年龄",
    "residence_type": "人口类型",
    "status": "状态",
    "grid": "网格代码",
    "address": "住址",
    "id_number": "公民身份号码（脱敏）",
    "phone": "联系电话（脱敏）",
    "relation": "与户主关系",
    "care_tags": "关爱标签",
}


def person_row(person: Person, columns: Iterable[str], tags: dict[int, list[str]]) -> list[Any]:
    d = person.dwelling
    address = ""
    if d is not None:
        b = d.building
        address = f"{b.compound.name if b.compound_id else ''}{b.name}{d.entrance}{d.number}"
    values = {
        "name": person.name,
        "gender": person.get_gender_display(),
        "age": person.age,
        "residence_type": person.get_residence_type_display(),
        "status": person.get_status_display(),
        "grid": person.scope_code,
        "address": address,
        "id_number": mask_id_number(person.id_number),
        "phone": mask_phone(person.phone),
        "relation": person.get_relation_display(),
        "care_tags": "、".join(tags.get(person.pk, [])),
    }
    return [values[c] for c in columns]


def export_rows(*, user, batch: int = 2000) -> Iterator[list[Any]]:
    """The living people of the user's scope, masked, with only the columns the role needs."""
    columns = permissions.columns_for(user)
    yield [EXPORT_HEADERS[c] for c in columns]
    rows = (
        permissions.visible_people(user)
        .filter(status=Person.Status.LIVING)
        .select_related("dwelling__building__compound")
    )
    labels = dict(CareTag.Tag.choices)
    care = "care_tags" in columns
    last = 0
    while True:
        page = list(rows.filter(id__gt=last).order_by("id")[:batch])
        if not page:
            break
        tags: dict[int, list[str]] = {}
        if care:
            for person_id, tag in (
                permissions.visible_care_tags(user)
                .filter(person_id__in=[p.pk for p in page])
                .values_list("person_id", "tag")
            ):
                tags.setdefault(person_id, []).append(str(labels[tag]))
        for person in page:
            yield person_row(person, columns, tags)
        last = page[-1].pk


def export_people(*, user, request=None) -> str:
    """Write the export to a temporary file (streamed) and audit it; returns the path."""
    wb = SafeWorkbook()
    ws = wb.sheet("居民台账")
    count = -1
    for row in export_rows(user=user):
        ws.append(row)
        count += 1
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="register-")
    os.close(fd)
    wb.save(path)
    audit(
        actor=user,
        action="registry.export",
        request=request,
        detail={"rows": count, "columns": list(permissions.columns_for(user))},
    )
    return path


def read_export(data: bytes) -> list[list[Any]]:
    """Rows of an exported workbook (tests and the API use it)."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
