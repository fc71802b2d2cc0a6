"""The register's workbooks are safe to open and safe to receive: user text comes out as text,
never a live formula (hole 4 of issue 18); an upload is bounded in what it unpacks to, in its
columns and rows, and the web request only stores it and queues the job (hole 5)."""

from __future__ import annotations

import io
import re
import time
import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jiceng.core import xlsx
from jiceng.core.models import AuditEntry
from jiceng.registry import excel
from jiceng.registry.models import ImportJob, Person
from tests.registry.conftest import make_person, valid_id
from tests.registry.test_excel import row, upload, workbook

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://x","y")'


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def text_workbook(rows) -> bytes:
    """A workbook in the template's layout whose cells are all text, as Excel keeps a name typed
    with a leading apostrophe."""
    wb = Workbook()
    ws = wb.active
    for r, values in enumerate([excel.HEADERS, *rows], start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite(data: bytes, part: str, change) -> bytes:
    """The same workbook with one part's XML changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                body = change(body.decode()).encode()
            dst.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def first_sheet_cells(data: bytes):
    return [list(r) for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows()]


# --- hole 4: what the platform writes ----------------------------------------------------------


def test_a_person_named_like_a_formula_leaves_the_export_as_text(client, cast, home, places):
    make_person(places["grid1"], name=LINK, dwelling=home["d1"], birth_date="1980-01-01")
    make_person(places["grid1"], name="@SUM(1)", dwelling=home["d2"], birth_date="1990-01-01")
    client.force_login(cast["colleague"])
    data = b"".join(client.get(reverse("registry:export")).streaming_content)
    header, *rows = first_sheet_cells(data)
    names = {r[0].value: r[0] for r in rows}
    assert set(names) == {LINK, "@SUM(1)"}
    assert {c.data_type for c in names.values()} == {"s"}
    age = [c.value for c in header].index("年龄")
    assert all(r[age].data_type == "n" and isinstance(r[age].value, int) for r in rows)


def test_names_like_formulas_leave_the_import_error_report_as_text(
    cast, home, django_capture_on_commit_callbacks
):
    rows = [
        row(LINK, valid_id("19600101")),  # refused: a formula in a cell
        row("@SUM(1)", "110105194912310021"),  # refused: wrong check digit
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job = excel.import_submit(upload=upload(text_workbook(rows)), by=cast["colleague"])
    job.refresh_from_db()
    assert job.failed == 2
    _header, *lines = first_sheet_cells(excel.error_report_bytes(job))
    assert [(c[0].value, c[0].data_type) for c in lines] == [(2, "n"), (3, "n")]
    assert [(c[1].value, c[1].data_type) for c in lines] == [(LINK, "s"), ("@SUM(1)", "s")]
    assert not Person.objects.exists()


def test_the_template_keeps_its_header_and_its_text_columns():
    header, *_ = first_sheet_cells(excel.template_bytes())
    assert [c.value for c in header] == excel.HEADERS
    book = load_workbook(io.BytesIO(excel.template_bytes()))
    assert book.sheetnames == ["居民台账", "填写说明"]
    assert book["居民台账"].column_dimensions["B"].width == 22


# --- hole 5: what the platform receives --------------------------------------------------------


def shared_strings_bomb(unpacked: int = 110 * 1024 * 1024) -> bytes:
    """The template's header and one row, plus a shared-strings table that unpacks to `unpacked`
    bytes from a few hundred kilobytes."""
    base = workbook([row("甲", valid_id("19600101"))])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info), compress_type=zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("xl/sharedStrings.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        block = b"<si><t>" + b"x" * 4000 + b"</t></si>"
        with dst.open(info, "w", force_zip64=True) as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(unpacked // len(block)):
                part.write(block)
            part.write(b"</sst>")
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return shared_strings_bomb()


def test_a_zip_bomb_is_refused_at_once_with_little_memory(cast, home, bomb):
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(excel.UserError, match="解压后的内容超过上限") as refused:
            excel.import_submit(upload=upload(bomb), by=cast["colleague"])
        seconds = time.perf_counter() - started
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "拆分后分批导入" in refused.value.message
    assert seconds < 3 and peak < 8 * 1024 * 1024, (seconds, peak)
    assert not ImportJob.objects.exists() and not Person.objects.exists()
    assert not list(excel._import_dir().glob("*.xlsx"))  # the upload is not kept


def test_a_zip_bomb_on_the_page_says_why(client, cast, bomb):
    client.force_login(cast["colleague"])
    response = client.post(reverse("registry:import"), {"file": upload(bomb)})
    assert response.status_code == 400 and "解压后的内容超过上限" in response.content.decode()
    assert not ImportJob.objects.exists()


def far_cell(data: bytes, row_number: int, ref: str) -> bytes:
    """The workbook with one more cell at `ref` in the given row."""
    cell = f'<c r="{ref}" t="inlineStr"><is><t>远处</t></is></c>'

    def change(xml: str) -> str:
        return re.sub(rf'(<row r="{row_number}"[^>]*>)', rf"\g<1>{cell}", xml, count=1)

    return rewrite(data, "xl/worksheets/sheet1.xml", change)


def test_a_cell_reference_past_excels_columns_fails_the_job_with_a_reason(
    client, cast, home, django_capture_on_commit_callbacks
):
    data = far_cell(workbook([row("甲", valid_id("19600101"))]), 2, "ZZZZZZZ2")
    client.force_login(cast["colleague"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import"), {"file": upload(data)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "failed"
    page = client.get(reverse("registry:import_job", args=[job.pk])).content.decode()
    assert "超出 Excel 范围的单元格位置（ZZZZZZZ）" in page and "另存为新的 .xlsx" in page
    assert not Person.objects.exists()
    assert AuditEntry.objects.filter(action="registry.import_refused").count() == 1


def test_a_cell_reference_past_excels_columns_in_the_header_is_refused_at_once(cast, home):
    data = far_cell(workbook([]), 1, "ZZZZZZZ1")
    with pytest.raises(excel.UserError, match="超出 Excel 范围"):
        excel.import_submit(upload=upload(data), by=cast["colleague"])
    assert not ImportJob.objects.exists()


def test_cells_past_the_templates_columns_are_not_read(tmp_path):
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell(workbook([row("甲", valid_id("19600101"))]), 2, "XFD2"))
    rows = list(xlsx.read_rows(path, max_col=len(excel.HEADERS)))
    assert [len(values) for _n, values in rows] == [11, 11]
    assert "远处" not in rows[1][1]


def test_the_request_stores_the_upload_and_queues_the_job_without_reading_the_rows(
    client, cast, home, monkeypatch, django_capture_on_commit_callbacks
):
    read = xlsx.read_rows

    def not_in_the_request(*args, **kwargs):
        raise AssertionError("the web request read the workbook's rows")

    monkeypatch.setattr(xlsx, "read_rows", not_in_the_request)
    client.force_login(cast["colleague"])
    data = workbook([row("甲", valid_id("19600101"))])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("registry:import"), {"file": upload(data)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "queued" and len(queued) == 1
    assert not Person.objects.exists()
    monkeypatch.setattr(xlsx, "read_rows", read)  # the worker reads them
    queued[0]()
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 1)


def test_a_wrong_header_the_request_could_not_see_is_reported_on_the_jobs_page(
    client, cast, home, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(excel, "HEADER_PEEK_BYTES", 64)  # the header lies past what it may read
    data = workbook([row("甲", valid_id("19600101"))], header=["名字", "身份证"])
    client.force_login(cast["colleague"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import"), {"file": upload(data)})
    job = ImportJob.objects.get()
    assert job.status == "failed" and "表头与模板不符" in job.message
    page = client.get(reverse("registry:import_job", args=[job.pk])).content.decode()
    assert "表头与模板不符" in page
    assert not Person.objects.exists()


def test_a_file_stating_more_rows_than_the_limit_is_refused_at_once(cast, home, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    data = workbook([row(f"甲{i}", valid_id("19600101")) for i in range(3)])
    with pytest.raises(excel.UserError, match="文件超过 2 行"):
        excel.import_submit(upload=upload(data), by=cast["colleague"])
    assert not ImportJob.objects.exists()


def test_rows_past_the_limit_stop_the_job_with_a_reason(
    cast, home, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    data = workbook(
        [row("甲", valid_id("19600101")), row("乙", valid_id("19610101"), number="102")]
        + [row(f"丙{i}", valid_id("19620101")) for i in range(3)]
    )
    # A file that does not state its size (the dimension is only a hint, and can lie).
    data = rewrite(data, "xl/worksheets/sheet1.xml", lambda x: re.sub(r"<dimension[^>]*/>", "", x))
    with django_capture_on_commit_callbacks(execute=True):
        job = excel.import_submit(upload=upload(data), by=cast["colleague"])
    job.refresh_from_db()
    assert job.status == "failed" and "文件超过 2 行" in job.message
    assert "此前的 2 行已处理" in job.message
    assert Person.objects.count() == 2  # the rows read are kept, as after an interruption


def test_the_refusals_read_in_english_for_an_english_user(cast, home, bomb):
    from django.utils import translation

    with translation.override("en"), pytest.raises(excel.UserError) as refused:
        excel.import_submit(upload=upload(bomb), by=cast["colleague"])
    assert "unpacks to more than the limit (64 MB)" in refused.value.message
    data = far_cell(workbook([]), 1, "ZZZZZZZ1")
    with translation.override("en"), pytest.raises(excel.UserError) as refused:
        excel.import_submit(upload=upload(data), by=cast["colleague"])
    assert "beyond what Excel can hold (ZZZZZZZ)" in refused.value.message


def test_the_api_refuses_a_zip_bomb_and_reports_a_bad_cell_on_the_job(
    client, cast, home, bomb, django_capture_on_commit_callbacks
):
    client.force_login(cast["colleague"])
    refused = client.post("/api/registry/imports", {"file": upload(bomb)})
    assert refused.status_code == 400 and "解压后的内容超过上限" in refused.json()["detail"]
    assert not ImportJob.objects.exists()
    data = far_cell(workbook([row("甲", valid_id("19600101"))]), 2, "ZZZZZZZ2")
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post("/api/registry/imports", {"file": upload(data)})
    assert queued.status_code == 202
    job = client.get(f"/api/registry/imports/{queued.json()['id']}").json()
    assert job["status"] == "failed" and "超出 Excel 范围" in job["message"]
    assert not Person.objects.exists()


def test_an_import_sent_while_the_task_queue_is_down_says_so_and_keeps_no_file(
    client, cast, home, monkeypatch, django_capture_on_commit_callbacks
):
    from jiceng.registry import tasks

    def broker_down(job_id):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(tasks, "run_import", broker_down)
    client.force_login(cast["colleague"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:import"),
            {"file": upload(workbook([row("甲", valid_id("19600101"))]))},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == "failed" and "稍后重新上传" in job.message
    assert not Person.objects.exists()
    assert not list(excel._import_dir().glob("*.xlsx"))
    page = client.get(response["Location"])
    assert "稍后重新上传" in page.content.decode()
