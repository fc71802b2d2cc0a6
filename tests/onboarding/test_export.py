"""`jiceng export`: the district's data as open formats in one zip, masked unless the security
administrator confirms a whole export; a district's places come back from its export."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from jiceng.accounts.models import User
from jiceng.core.models import AuditEntry
from jiceng.demo.builder import build_demo
from jiceng.geo.divisions import load_places
from jiceng.geo.models import Division
from jiceng.onboarding.services import setup_district
from jiceng.registry.models import Person
from tests.factories import current_token

pytestmark = pytest.mark.django_db


def export(tmp_path, *args: str) -> zipfile.ZipFile:
    out = io.StringIO()
    call_command("export", "--output", str(tmp_path), *args, stdout=out)
    (path,) = tmp_path.glob("*.zip")
    return zipfile.ZipFile(path)


def sheet(archive: zipfile.ZipFile, name: str) -> list[dict]:
    book = load_workbook(io.BytesIO(archive.read(f"records/{name}.xlsx")), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def demo():
    build_demo(residents=40, district_code="320213")
    return Division.objects.get(code="320213")


def test_a_masked_export_holds_every_record_type_and_a_whole_one_needs_the_security_admin(
    tmp_path, demo
):
    archive = export(tmp_path)
    names = set(archive.namelist())
    assert {"places.geojson", "manifest.json", "records/registry.person.xlsx"} <= names
    assert "records/cases.case.xlsx" in names and "records/party.member.xlsx" in names
    assert not any("otp" in n or "session" in n or "axes" in n for n in names)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["district"] == "320213" and manifest["personal_numbers"] == "masked"
    places = json.loads(archive.read("places.geojson"))
    assert len(places["features"]) == Division.objects.filter(code__startswith="320213").count()
    people = sheet(archive, "registry.person")
    assert (
        len(people)
        == Person.objects.count()
        == manifest["files"]["records/registry.person.xlsx"]["rows"]
    )
    with_id = [p for p in people if p["id_number"]]
    assert with_id and all("*" in p["id_number"] for p in with_id)
    assert all(not k.endswith("_hash") for k in people[0])
    users = sheet(archive, "accounts.user")
    assert "password" not in users[0] and len(users) == User.objects.count()
    entry = AuditEntry.objects.get(action="system.export")
    assert entry.detail["personal_numbers"] == "masked"
    # (the demo is slow to build: the whole export is checked on the same one)
    whole_export_needs_the_security_administrators_code(tmp_path / "whole")


def whole_export_needs_the_security_administrators_code(tmp_path):
    tmp_path.mkdir()
    admin = User.objects.get(username="secadmin")
    device = admin.totpdevice_set.get()
    for args, says in (
        (["--whole"], "须由安全管理员确认"),
        (["--whole", "--security-admin", "sysadmin", "--otp", "123456"], "不是本区县的安全管理员"),
        (["--whole", "--security-admin", "secadmin", "--otp", "000000"], "验证码错误"),
    ):
        with pytest.raises(CommandError, match=says):
            export(tmp_path, *args)
        assert not list(tmp_path.glob("*.zip"))
    assert AuditEntry.objects.filter(action="system.export").count() == 1  # the masked one
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after the wrong code
    archive = export(
        tmp_path, "--whole", "--security-admin", "secadmin", "--otp", current_token(device)
    )
    people = {p["id"]: p for p in sheet(archive, "registry.person")}
    person = Person.objects.exclude(id_number=None).exclude(id_number="").first()
    assert people[person.pk]["id_number"] == person.id_number  # in clear
    entry = AuditEntry.objects.filter(action="system.export").latest("pk")
    assert entry.actor == admin and entry.detail["personal_numbers"] == "whole"


def test_a_fresh_district_takes_its_places_back_from_the_export(tmp_path):
    from jiceng.geo.services import load_real_district

    load_real_district(code="450204")  # streets, communities and generated grids with boundaries

    def snapshot():
        return sorted(
            Division.objects.filter(code__startswith="450204").values_list(
                "code", "name", "level", "kind", "parent__code", "boundary"
            )
        )

    before = snapshot()
    archive = export(tmp_path)
    collection = json.loads(archive.read("places.geojson"))
    for level in ("grid", "community", "street", "district"):
        Division.objects.filter(level=level).delete()
    setup_district(code="450204")  # a fresh deployment of the same district
    assert load_places(collection) == sum(1 for row in before if row[2] == "grid")
    assert snapshot() == before


def test_export_without_a_district_says_to_set_one_up(tmp_path):
    with pytest.raises(CommandError, match="请先运行 jiceng setup"):
        export(tmp_path)
