"""Excel in and out: the import template, the streamed import with its error report, and the
export masked for the viewer's role.

Workbooks are streamed (read by `xlsx`, written by core's safe writer, which keeps user text as
text), so a 100,000-row book never sits in memory whole. The web request only stores the upload
and checks what it can in bounded work (the archive's directory, the header row); the worker
reads the rows, within bounds on the unpacked size, the columns and the rows. Every row is checked; good rows go in, bad rows change nothing and are named in
the report (row, column, reason); the same file imported twice changes nothing (upsert by the
ID number's keyed hash).
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from jiceng.core.audit import audit
from jiceng.core.errors import UserError
from jiceng.core.excel import XLSX_TYPE, SafeWorkbook, check_archive
from jiceng.core.fields import EncryptedCharField, lookup_hash, refresh_hashes
from jiceng.core.personal import mask_id_number, mask_phone, validate_id_number, validate_mobile
from jiceng.registry import permissions, xlsx
from jiceng.registry.models import (
    Building,
    CareTag,
    Dwelling,
    Household,
    ImportJob,
    Person,
    PersonEvent,
    Residence,
)

__all__ = ["XLSX_TYPE"]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000  # people in one file; a community keeps about 10,000
HEADER_PEEK_BYTES = 1024 * 1024  # what the web request may unpack to check the header
MAX_REPORTED_ERRORS = 20_000
CHUNK = 5000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    hint: str = ""


# The layout communities keep (one person a row); the header row must read exactly so.
COLUMNS = (
    Column("name", "姓名", True, "如：张三"),
    Column("id_number", "公民身份号码", True, "18 位，末位可为 X；请设为文本格式"),
    Column("phone", "联系电话", False, "11 位手机号"),
    Column("ethnicity", "民族", False, "如：汉族"),
    Column(
        "residence_type",
        "人口类型",
        False,
        "户籍人口 / 常住人口（非户籍） / 流动人口；不填为户籍人口",
    ),
    Column(
        "relation", "与户主关系", False, "户主 / 配偶 / 子女 / 父母 / 孙辈 / 兄弟姐妹 / 租住 / 其他"
    ),
    Column("compound", "小区", True, "须为已登记的小区"),
    Column("building", "楼栋", True, "须为该小区已登记的楼栋，如：3栋"),
    Column("entrance", "单元", False, "如：1单元；无单元可不填"),
    Column("number", "房号", True, "须为该楼栋已登记的房号，如：502"),
    Column("note", "备注", False, ""),
)
HEADERS = [c.header for c in COLUMNS]
RESIDENCE_TYPES = {str(label): value for value, label in Person.ResidenceType.choices}
RESIDENCE_TYPES.update(
    {"户籍": "registered", "常住": "resident", "常住人口": "resident", "流动": "floating"}
)
RELATIONS = {str(label): value for value, label in Person.Relation.choices}


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


@dataclass
class RowError:
    row: int
    column: str
    reason: str
    name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason, "name": self.name}


@dataclass
class GoodRow:
    row: int
    values: dict[str, Any]
    dwelling_id: int
    id_hash: str
    events: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


class Places:
    """The buildings and dwellings the importer may write to, loaded once (names → ids)."""

    def __init__(self, scopes: list[str]):
        self.buildings: dict[tuple[str, str], int] = {}
        for pk, compound, name in Building.objects.within(*scopes).values_list(
            "pk", "compound__name", "name"
        ):
            self.buildings[(compound or "", name)] = pk
        self.dwellings: dict[tuple[int, str, str], tuple[int, str]] = {}
        for pk, building, entrance, number, scope in (
            Dwelling.objects.within(*scopes)
            .values_list("pk", "building_id", "entrance", "number", "scope_code")
            .iterator(chunk_size=10_000)
        ):
            self.dwellings[(building, entrance, number)] = (pk, scope)


def _check_row(
    index: int, raw: tuple, places: Places, seen: dict[str, int]
) -> tuple[GoodRow | None, list[RowError]]:
    cells = {c.key: raw[i] if i < len(raw) else None for i, c in enumerate(COLUMNS)}
    name = _text(cells["name"])[:50]
    errors: list[RowError] = []

    def bad(key: str, reason: str) -> None:
        header = next(c.header for c in COLUMNS if c.key == key)
        errors.append(RowError(index, header, reason, name))

    for key, value in cells.items():
        if isinstance(value, str) and value.startswith("="):
            bad(key, _("单元格含公式，请改为直接填写值。"))
    if errors:
        return None, errors
    for column in COLUMNS:
        if column.required and not _text(cells[column.key]):
            bad(column.key, _("必填项为空。"))
    values: dict[str, Any] = {"name": name}
    raw_id = cells["id_number"]
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        bad("id_number", _("身份证号被存成了数字，末几位可能已丢失；请将该列设为文本后重新填写。"))
    elif _text(raw_id):
        try:
            info = validate_id_number(_text(raw_id))
        except UserError as exc:
            bad("id_number", exc.message)
        else:
            values.update(id_number=info.number, birth_date=info.birth_date, gender=info.gender)
            if info.number in seen:
                bad(
                    "id_number",
                    _("与第 %(row)d 行的身份证号重复。") % {"row": seen[info.number]},
                )
            else:
                seen[info.number] = index
    phone = _text(cells["phone"])
    values["phone"] = None
    if phone:
        try:
            values["phone"] = validate_mobile(phone)
        except UserError as exc:
            bad("phone", exc.message)
    kind = _text(cells["residence_type"])
    if kind and kind not in RESIDENCE_TYPES:
        bad("residence_type", _("未知的人口类型“%(v)s”。") % {"v": kind[:20]})
    values["residence_type"] = RESIDENCE_TYPES.get(kind, Person.ResidenceType.REGISTERED)
    relation = _text(cells["relation"])
    if relation and relation not in RELATIONS:
        bad("relation", _("未知的与户主关系“%(v)s”。") % {"v": relation[:20]})
    values["relation"] = RELATIONS.get(relation, "")
    values["ethnicity"] = _text(cells["ethnicity"])[:20]
    values["note"] = _text(cells["note"])[:500]
    dwelling_id = 0
    compound, building = _text(cells["compound"]), _text(cells["building"])
    if compound and building:
        building_id = places.buildings.get((compound, building))
        if building_id is None:
            bad(
                "building",
                _("在您的管辖范围内没有“%(c)s%(b)s”这栋楼。") % {"c": compound, "b": building},
            )
        elif _text(cells["number"]):
            key = (building_id, _text(cells["entrance"]), _text(cells["number"]))
            found = places.dwellings.get(key)
            if found is None:
                bad(
                    "number",
                    _("%(b)s没有“%(e)s%(n)s”这套房屋，请先登记房屋。")
                    % {"b": compound + building, "e": key[1], "n": key[2]},
                )
            else:
                dwelling_id, values["scope_code"] = found
    if errors:
        return None, errors
    return GoodRow(index, values, dwelling_id, lookup_hash("id", values["id_number"])), []


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


# --- writing good rows -------------------------------------------------------------------------

COMPARED = ("name", "phone", "ethnicity", "residence_type", "relation", "note")
KNOWN_FIELDS = (
    "id", "id_number_hash", "name", "phone_hash", "ethnicity", "residence_type", "relation",
    "note", "dwelling_id", "status", "scope_code",
)  # fmt: skip


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _field_value(field, now):
    """How to read one field of a new object for COPY: most fields are their attribute as it is;
    encrypted and JSON fields go through the field's own preparation, timestamps are now."""
    from django.db.models import JSONField

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: now
    if isinstance(field, EncryptedCharField | JSONField):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    attname = field.attname
    return lambda obj: getattr(obj, attname)


def bulk_insert(model, objs: list) -> None:
    """Insert new rows fast: COPY on PostgreSQL (ids reserved from the table's sequence first;
    encrypted fields, their hashes and JSON prepared by the fields themselves), bulk_create
    elsewhere. The objects get their ids."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs)
        return
    table = model._meta.db_table
    fields = list(model._meta.concrete_fields)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        # Encrypted fields first: their pre_save sets the hash fields read after them.
        ordered = sorted(fields, key=lambda f: 0 if hasattr(f, "hash_field") else 1)
        getters = [_field_value(f, now) for f in ordered]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in ordered)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([get(obj) for get in getters])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"


def _ids_by_hash(hashes: list[str]) -> list[int]:
    if not hashes:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM registry_person WHERE id_number_hash = ANY(%s)", [hashes]
            )
            return [r[0] for r in cursor.fetchall()]
    return list(Person.objects.filter(id_number_hash__in=hashes).values_list("pk", flat=True))


def _apply_chunk(
    rows: list[GoodRow], *, by, edit_scopes: list[str], today: date, note: str = ""
) -> Outcome:
    """Write one chunk of good rows in one transaction: new people in bulk, changes to known
    people, moves where the dwelling differs."""
    outcome = Outcome()
    hashes = [r.id_hash for r in rows]
    # Known people compared by plain columns and the phone's hash: no decryption, no model
    # objects for the (usual) unchanged rows of a file imported again.
    existing = {
        r["id_number_hash"]: r
        for r in Person.objects.filter(pk__in=_ids_by_hash(hashes)).values(*KNOWN_FIELDS)
    }
    households: dict[int, int] = {}  # dwelling -> its (first) household
    headless: set[int] = set()
    dwelling_ids = {r.dwelling_id for r in rows}
    for hid, did, head in (
        Household.objects.filter(dwelling_id__in=dwelling_ids)
        .order_by("id")
        .values_list("id", "dwelling_id", "head_id")
    ):
        if did not in households:
            households[did] = hid
            if head is None:
                headless.add(hid)
    missing = [d for d in dwelling_ids if d not in households]
    if missing:
        scopes = dict(Dwelling.objects.filter(pk__in=missing).values_list("pk", "scope_code"))
        made = [Household(dwelling_id=d, scope_code=scopes[d]) for d in missing]
        bulk_insert(Household, made)
        for h in made:
            households[h.dwelling_id] = h.pk
            headless.add(h.pk)

    new_people: list[Person] = []
    changed: list[Person] = []
    moves: list[tuple[Person, GoodRow]] = []
    events: list[PersonEvent] = []
    pending: list[tuple[int, GoodRow, list[str], bool]] = []
    for row in rows:
        values = dict(row.values)
        person = existing.get(row.id_hash)
        if person is None:
            p = Person(
                dwelling_id=row.dwelling_id,
                household_id=households[row.dwelling_id],
                **values,
            )
            new_people.append(p)
            continue
        if (
            person["dwelling_id"]
            and person["dwelling_id"] != row.dwelling_id
            and not any(person["scope_code"].startswith(s) for s in edit_scopes)
        ):
            outcome.errors.append(
                RowError(
                    row.row,
                    "公民身份号码",
                    _("此人登记在其他辖区的房屋中，请联系其所在社区办理迁出后再导入。"),
                    values["name"],
                )
            )
            continue
        if person["status"] == Person.Status.DECEASED:
            outcome.errors.append(
                RowError(row.row, "公民身份号码", _("此人已标记为已故，不能导入。"), values["name"])
            )
            continue
        diff = [
            k
            for k in COMPARED
            if (
                (person["phone_hash"] or "") != lookup_hash("phone", values["phone"] or "")
                if k == "phone"
                else person[k] != values[k]
            )
        ]
        moved = person["dwelling_id"] != row.dwelling_id
        if not diff and not moved:
            outcome.unchanged += 1
            continue
        pending.append((person["id"], row, diff, moved))
        outcome.updated += 1
    if pending:
        objects = {
            p.pk: p
            for p in Person.objects.select_for_update()
            .filter(pk__in=[item[0] for item in pending])
            .defer("id_number")
        }
        for pk, row, diff, moved in pending:
            person = objects[pk]
            for key in diff:
                setattr(person, key, row.values[key])
            if diff:
                events.append(
                    PersonEvent(
                        person=person,
                        action=PersonEvent.Action.EDITED,
                        actor=by,
                        note=_("Excel 导入"),
                        detail={"fields": diff},
                        scope_code=person.scope_code,
                    )
                )
            if moved:
                moves.append((person, row))
            else:
                person.version += 1
                changed.append(person)

    if new_people:
        bulk_insert(Person, new_people)
        bulk_insert(
            Residence,
            [
                Residence(
                    person=p,
                    dwelling_id=p.dwelling_id,
                    moved_in=today,
                    note=note,
                    scope_code=p.scope_code,
                )
                for p in new_people
            ],
        )
        # The residence names the import (and the job its importer and the audit entry): one
        # row less per person than an event of its own, on an import of 100,000 people.
        heads: dict[int, int] = {}
        for p in new_people:
            if p.relation == Person.Relation.HEAD and p.household_id in headless:
                heads.setdefault(p.household_id, p.pk)
        if heads:
            Household.objects.bulk_update(
                [Household(pk=h, head_id=p) for h, p in heads.items()], ["head"]
            )
        outcome.created += len(new_people)
    if changed:
        for p in changed:
            refresh_hashes(p)
        Person.objects.bulk_update(changed, [*COMPARED, "phone_hash", "version"])
    for person, row in moves:
        Residence.objects.filter(person=person, moved_out__isnull=True).update(moved_out=today)
        if person.household_id:
            Household.objects.filter(pk=person.household_id, head_id=person.pk).update(head=None)
        person.dwelling_id = row.dwelling_id
        person.household_id = households[row.dwelling_id]
        person.scope_code = row.values["scope_code"]
        person.status = Person.Status.LIVING
        person.version += 1
        person.save()
        Residence.objects.create(
            person=person,
            dwelling_id=row.dwelling_id,
            moved_in=today,
            note=note,
            scope_code=person.scope_code,
        )
        events.append(
            PersonEvent(
                person=person,
                action=PersonEvent.Action.MOVED_IN,
                actor=by,
                note=_("Excel 导入"),
                scope_code=person.scope_code,
            )
        )
    bulk_insert(PersonEvent, events)
    return outcome


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
    errors: list[RowError] = []
    totals = Outcome()
    processed = 0
    today = timezone.localdate()
    note = (_("Excel 导入（第 %(n)d 次导入：%(f)s）") % {"n": job.pk, "f": job.file_name})[:200]
    chunk: list[GoodRow] = []

    def flush() -> None:
        nonlocal chunk
        if chunk:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # A crash could lose the last chunks before they reach the disk, never half
                    # of one; importing the file again completes it. Not waiting for each
                    # chunk's flush to disk makes a large import several times faster.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                outcome = _apply_chunk(chunk, by=by, edit_scopes=scopes, today=today, note=note)
            totals.created += outcome.created
            totals.updated += outcome.updated
            totals.unchanged += outcome.unchanged
            errors.extend(outcome.errors)
            chunk = []
        ImportJob.objects.filter(pk=job.pk).update(
            processed=processed,
            created=totals.created,
            updated=totals.updated,
            unchanged=totals.unchanged,
            failed=len(errors),
        )

    try:
        for index, raw in rows:
            good, bad = _check_row(index, raw, places, seen)
            processed += 1
            if good:
                chunk.append(good)
            errors.extend(bad)
            if len(chunk) >= progress_every:
                flush()
        flush()
    except UserError as exc:
        # The file turned out bad part way (a cell past Excel's range, too many rows): what
        # was written stays, as after an interruption; the job says why.
        flush()
        return _refused(job, exc.message, processed=processed)
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            message=_("导入中断：已导入的行有效，请重新导入同一文件以完成（不会重复登记）。"),
            finished_at=timezone.now(),
        )
        raise
    finally:
        path.unlink(missing_ok=True)  # the workbook holds personal data: keep it no longer
    errors.sort(key=lambda e: e.row)
    failed_rows = len({e.row for e in errors})
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
            failed=failed_rows,
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
                "failed": failed_rows,
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
