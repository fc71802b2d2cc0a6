"""The party's workbooks: the dues record book keeps names as text (never a live formula), and
the learning import refuses a zip bomb, a cell past Excel's columns and one row too many before
recording anything."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiceng.party import imports
from jiceng.party.models import LearningRecord
from tests.core.test_excel import zip_with
from tests.party.conftest import make_member
from tests.party.test_records_pages import xlsx
from tests.registry.test_excel_safety import LINK, rewrite

pytestmark = pytest.mark.django_db


def test_the_dues_record_book_keeps_a_name_like_a_formula_as_text(client, party):
    make_member(party["branch"], LINK)
    make_member(party["branch"], "@SUM(1)")
    client.force_login(party["secretary"])
    month = timezone.localdate().strftime("%Y-%m")
    url = reverse("party:dues") + f"?month={month}&org={party['branch'].pk}&format=xlsx"
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    rows = {r[2].value: r for r in sheet.iter_rows(min_row=4)}  # under the title and header
    assert {LINK, "@SUM(1)"} <= set(rows)
    for name in (LINK, "@SUM(1)"):
        assert rows[name][2].data_type == "s"
        assert rows[name][1].data_type == "n" and rows[name][5].data_type == "n"  # stay numbers


def learning_rows(party, n: int = 1):
    alice = party["alice"]
    return [[alice.pk, "艾丽", f"党章学习{i}", 45, "2026-05-01 20:30", f"a-{i}"] for i in range(n)]


def post(client, party, upload) -> str:
    client.force_login(party["secretary"])
    response = client.post(reverse("party:learning_import"), {"file": upload})
    assert response.status_code == 200
    return response.content.decode()


def test_a_learning_file_with_a_cell_past_excels_columns_is_refused_and_records_nothing(
    client, party
):
    data = xlsx(learning_rows(party, 3)).read()
    cell = '<c r="ZZZZZZZ3" t="inlineStr"><is><t>远处</t></is></c>'
    data = rewrite(
        data,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(r'(<row r="3"[^>]*>)', rf"\g<1>{cell}", x, count=1),
    )
    body = post(client, party, SimpleUploadedFile("learning.xlsx", data))
    assert "超出 Excel 范围的单元格" in body
    assert not LearningRecord.objects.exists()  # not even the good row before it


def test_a_learning_file_that_unpacks_past_the_limits_is_refused(client, party):
    data = xlsx(learning_rows(party)).read()
    bomb = zip_with({"xl/sharedStrings.xml": 17 * 1024 * 1024})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(io.BytesIO(bomb)) as extra,
        zipfile.ZipFile(out, "w") as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info), compress_type=zipfile.ZIP_DEFLATED)
        info = extra.infolist()[0]
        dst.writestr(info, extra.read(info), compress_type=zipfile.ZIP_DEFLATED)
    body = post(client, party, SimpleUploadedFile("learning.xlsx", out.getvalue()))
    assert "解压后的内容超过上限（16 MB）" in body
    assert not LearningRecord.objects.exists()


def test_one_learning_row_too_many_refuses_the_file_before_recording_any(
    client, party, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    body = post(client, party, xlsx(learning_rows(party, 3)))
    assert "一次最多导入 2 行" in body
    assert not LearningRecord.objects.exists()
