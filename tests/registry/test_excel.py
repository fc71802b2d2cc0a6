"""Excel import (validated rows, error report, upsert by ID hash) and the masked export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jiceng.core.errors import UserError
from jiceng.core.fields import lookup_hash
from jiceng.core.models import AuditEntry
from jiceng.registry import excel
from jiceng.registry.models import ImportJob, Person, PersonEvent, Residence
from tests.registry.conftest import make_person, valid_id

pytestmark = pytest.mark.django_db


def workbook(rows, header=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header or excel.HEADERS)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row(name, id_number, phone="13800138000", number="101", building="3栋", **kw):
    values = {
        "姓名": name,
        "公民身份号码": id_number,
        "联系电话": phone,
        "民族": kw.get("ethnicity", "汉族"),
        "人口类型": kw.get("kind", "户籍人口"),
        "与户主关系": kw.get("relation", "户主"),
        "小区": kw.get("compound", "阳光小区"),
        "楼栋": building,
        "单元": kw.get("entrance", "1单元"),
        "房号": number,
        "备注": kw.get("note", ""),
    }
    return [values[h] for h in excel.HEADERS]


def upload(data: bytes, name="台账.xlsx"):
    return SimpleUploadedFile(name, data, content_type=excel.XLSX if hasattr(excel, "XLSX") else "")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture(autouse=True)
def _on_commit_runs():
    """The import is queued after commit; inside a test's transaction, run it at once."""
    from django.db import transaction

    def at_once(func, using=None, robust=False):
        func()

    original = transaction.on_commit
    transaction.on_commit = at_once
    yield
    transaction.on_commit = original


def run(user, data: bytes) -> ImportJob:
    job = excel.import_submit(upload=upload(data), by=user)
    job.refresh_from_db()
    return job


def snapshot():
    return (
        list(Person.objects.order_by("id").values_list("id", "name", "phone_hash", "version")),
        Residence.objects.count(),
        PersonEvent.objects.count(),
    )


def test_good_rows_go_in_bad_rows_are_reported_and_change_nothing(cast, home, settings):
    a, b = valid_id("19600101"), valid_id("19900202")
    rows = [
        row("甲", a),
        row("乙", b, phone="", relation="配偶", number="102"),
        row("丙", "110105194912310021"),  # wrong check
        row("丁", "110105194902300028"),  # 30 February
        row("戊", a),  # same ID as row 2
        row("己", valid_id("19700101"), building="99栋"),  # unknown building
        row("庚", valid_id("19700102"), number="909"),  # unknown dwelling
        row("辛", valid_id("19700103"), phone="12345"),
        row("", valid_id("19700104")),
        row("壬", valid_id("19700105"), note="=1+1"),
        row("癸", 110105194912310020),  # a number, not text
    ]
    job = run(cast["colleague"], workbook(rows))
    assert job.status == "done"
    assert (job.created, job.updated, job.unchanged, job.failed) == (2, 0, 0, 9)
    reasons = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    assert "校验位错误" in reasons[(4, "公民身份号码")]
    assert "19490230 不存在" in reasons[(5, "公民身份号码")]
    assert "与第 2 行的身份证号重复" in reasons[(6, "公民身份号码")]
    assert "没有“阳光小区99栋”" in reasons[(7, "楼栋")]
    assert "请先登记房屋" in reasons[(8, "房号")]
    assert "11 位" in reasons[(9, "联系电话")]
    assert "必填项为空" in reasons[(10, "姓名")]
    assert "公式" in reasons[(11, "备注")]
    assert "文本" in reasons[(12, "公民身份号码")]
    assert set(Person.objects.values_list("name", flat=True)) == {"甲", "乙"}
    head = Person.objects.get(name="甲")
    assert head.household.head == head and "Excel 导入" in head.residences.get().note
    assert not list(excel.Path(settings.MEDIA_ROOT).glob("registry-imports/*.xlsx"))  # file gone

    report = load_workbook(io.BytesIO(excel.error_report_bytes(job)), read_only=True)
    lines = list(report.worksheets[0].iter_rows(values_only=True))
    assert lines[0] == ("行号", "姓名", "列", "原因") and len(lines) == 10
    assert lines[1][:3] == (4, "丙", "公民身份号码")


def test_importing_the_same_file_again_changes_nothing(cast, home):
    data = workbook(
        [row("甲", valid_id("19600101")), row("乙", valid_id("19610101"), number="102")]
    )
    run(cast["colleague"], data)
    before = snapshot()
    job = run(cast["colleague"], data)
    assert (job.created, job.updated, job.unchanged, job.failed) == (0, 0, 2, 0)
    assert snapshot() == before


def test_a_changed_row_updates_the_person_and_a_new_dwelling_moves_them(cast, home):
    number = valid_id("19600101")
    run(cast["colleague"], workbook([row("甲", number)]))
    job = run(cast["colleague"], workbook([row("甲", number, phone="13900000000", number="102")]))
    assert (job.created, job.updated) == (0, 1)
    person = Person.objects.get()
    assert person.phone == "13900000000" and person.dwelling == home["d2"]
    assert person.residences.filter(moved_out__isnull=True).get().dwelling == home["d2"]
    assert person.residences.count() == 2
    found = Person.objects.filter(phone_hash__in=lookup_hash("phone", "13900000000").split())
    assert found.get() == person


def test_a_person_registered_in_another_community_is_not_taken_over(cast, home, places):
    number = valid_id("19600101")
    other = make_person(places["grid_n"], id_number=number)
    job = run(cast["colleague"], workbook([row("甲", number)]))
    assert job.failed == 1 and "其他辖区" in job.errors[0]["reason"]
    other.refresh_from_db()
    assert other.scope_code == places["grid_n"].code and other.name == "张三"


def test_buildings_outside_the_importers_scope_are_unknown(cast, home):
    job = run(cast["outsider"], workbook([row("甲", valid_id("19600101"))]))
    assert job.failed == 1 and "没有“阳光小区3栋”" in job.errors[0]["reason"]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"not a workbook at all", "不是 Excel"),
        (b"PK\x03\x04 broken zip", "不是 Excel"),
        (workbook([], header=["名字", "身份证"]), "表头与模板不符"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_whole(cast, home, data, says):
    with pytest.raises(UserError, match=says):
        excel.import_submit(upload=upload(data), by=cast["colleague"])
    assert not ImportJob.objects.exists() and not Person.objects.exists()


def test_a_file_over_50_mb_is_refused(cast, monkeypatch):
    monkeypatch.setattr(excel, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(UserError, match="50 MB"):
        excel.import_submit(upload=upload(workbook([])), by=cast["colleague"])
    assert not ImportJob.objects.exists()


def test_the_template_imports_cleanly_once_filled(cast, home):
    wb = load_workbook(io.BytesIO(excel.template_bytes()))
    ws = wb["居民台账"]
    assert [c.value for c in ws[1]] == excel.HEADERS
    ws.append(row("甲", valid_id("19600101")))
    buffer = io.BytesIO()
    wb.save(buffer)
    assert run(cast["colleague"], buffer.getvalue()).created == 1


def test_the_import_pages_show_progress_and_the_report(client, cast, home):
    client.force_login(cast["colleague"])
    assert client.get(reverse("registry:template")).status_code == 200
    data = workbook([row("甲", valid_id("19600101")), row("乙", "110105194912310021")])
    response = client.post(reverse("registry:import"), {"file": upload(data)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "registry:import_job", args=[job.pk]
    )
    status = client.get(reverse("registry:import_job", args=[job.pk]), {"format": "json"}).json()
    assert (status["status"], status["percent"], status["created"], status["failed"]) == (
        "done",
        100,
        1,
        1,
    )
    page = client.get(reverse("registry:import_job", args=[job.pk])).content.decode()
    assert "校验位错误" in page
    report = client.get(reverse("registry:import_report", args=[job.pk]))
    assert report.status_code == 200 and report.content[:2] == b"PK"
    client.force_login(cast["grid_worker"])  # someone else's import
    assert client.get(reverse("registry:import_job", args=[job.pk])).status_code == 404
    client.force_login(cast["street"])
    assert client.get(reverse("registry:import")).status_code == 403
    response = client.post(reverse("registry:import"), {"file": upload(b"junk")})
    assert response.status_code == 403


def test_a_bad_upload_on_the_page_says_why(client, cast):
    client.force_login(cast["colleague"])
    response = client.post(reverse("registry:import"), {"file": upload(b"junk", "a.xls")})
    assert response.status_code == 400 and "不是 Excel" in response.content.decode()


def test_export_is_masked_and_carries_only_the_columns_of_the_role(client, cast, home, places):
    person = make_person(places["grid1"], name="甲", dwelling=home["d1"], phone="13800001111")
    make_person(places["grid_n"], name="邻居")
    client.force_login(cast["colleague"])
    response = client.get(reverse("registry:export"))
    rows = excel.read_export(b"".join(response.streaming_content))
    assert rows[0][:2] == ["姓名", "性别"] and "联系电话（脱敏）" in rows[0]
    assert len(rows) == 2 and "138****1111" in rows[1]
    assert person.id_number not in str(rows) and "13800001111" not in str(rows)
    client.force_login(cast["street"])
    rows = excel.read_export(b"".join(client.get(reverse("registry:export")).streaming_content))
    assert "联系电话（脱敏）" not in rows[0] and "公民身份号码（脱敏）" not in rows[0]
    assert {r[0] for r in rows[1:]} == {"甲", "邻居"}
    assert AuditEntry.objects.filter(action="registry.export").count() == 2


def test_the_reader_takes_shared_strings_sparse_rows_numbers_and_formulas(tmp_path):
    from jiceng.core import xlsx

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", None, "电话"])
    ws.append(["甲", 13800138000, "=A1"])
    ws["E3"] = "远处"
    wb.create_sheet("第二页").append(["不读"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    rows = list(xlsx.read_rows(path))
    assert rows[0] == (1, ("姓名", None, "电话"))
    assert rows[1][1][:2] == ("甲", 13800138000) and isinstance(rows[1][1][2], xlsx.Formula)
    assert rows[2] == (3, (None, None, None, None, "远处"))
    assert xlsx.stated_rows(path) == 3
    with pytest.raises(xlsx.NotAWorkbook):
        list(xlsx.read_rows(io.BytesIO(b"PK\x03\x04 nothing")))
