"""A district's export is importable: the going-live workbooks in the export (``golive/``) are
the import template's own sheets and columns, so a fresh district imports another's export and
holds the same places, units, organizations, members, staff, teams, venues and categories."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openpyxl import load_workbook

from jiceng.accounts.models import RoleAssignment, User
from jiceng.cases.models import CaseCategory
from jiceng.community.models import VolunteerTeam
from jiceng.geo.divisions import load_places
from jiceng.geo.models import Division
from jiceng.imports import excel
from jiceng.imports.export import GOLIVE_FILES
from jiceng.onboarding.export import write_export
from jiceng.partners.models import Partner
from jiceng.party.models import Member, MemberTransfer, PartyOrg
from jiceng.venues.models import OpeningWindow, Venue
from tests.imports.test_unit_import import full_book, run, split, units_first
from tests.registry.conftest import valid_id

pytestmark = pytest.mark.django_db
CODE = "360602"


def snapshot() -> dict[str, list]:
    windows = {}
    for v, d, s, e in OpeningWindow.objects.values_list("venue_id", "weekday", "starts", "ends"):
        windows.setdefault(v, []).append((d, s, e))
    return {
        "places": sorted(
            Division.objects.filter(code__startswith=CODE).values_list(
                "code", "name", "level", "kind", "parent__code", "boundary"
            )
        ),
        "units": sorted(Partner.objects.values_list("name", "kind", "scope_code", "credit_code")),
        "orgs": sorted(
            PartyOrg.objects.values_list(
                "name", "kind", "parent__name", "scope_code", "partner__name", "theme_day"
            )
        ),
        "members": sorted(
            (
                m.name,
                m.org.name,
                m.management_type,
                m.standing,
                m.joined_at,
                m.dues_from,
                m.income_kind,
                m.dues_base,
                m.work_unit,
                m.user.username if m.user else "",
                m.id_number or "",
                m.scope_code,
            )
            for m in Member.objects.select_related("org", "user")
        ),  # fmt: skip
        "staff": sorted(
            RoleAssignment.objects.active()
            .exclude(role__in=("system_admin", "security_admin"))
            .values_list("user__username", "user__full_name", "role", "scope_code", "unit__name")
        ),
        "teams": sorted(
            VolunteerTeam.objects.values_list(
                "name", "community__code", "scope_code", "description", "partner__name"
            )
        ),
        "venues": sorted(
            (
                v.name,
                v.kind,
                v.scope_code,
                v.address,
                v.capacity,
                v.contact_phone,
                v.owner_partner.name if v.owner_partner else "",
                v.approval_required,
                sorted(windows.get(v.pk, [])),
            )
            for v in Venue.objects.select_related("owner_partner")
        ),  # fmt: skip
        "categories": sorted(
            CaseCategory.objects.values_list(
                "code",
                "name",
                "kind",
                "parent__code",
                "default_triage",
                "filing_hours",
                "dispatch_hours",
                "accept_hours",
                "handling_hours",
                "verify_hours",
            )
        ),  # fmt: skip
    }


def leaves_first(qs) -> None:
    while qs.exists():
        parents = set(qs.exclude(parent=None).values_list("parent_id", flat=True))
        qs.exclude(pk__in=parents).delete()


def wipe() -> None:
    """Back to a district with nothing but its administrators (a fresh deployment's state)."""
    OpeningWindow.objects.all().delete()
    Venue.objects.all().delete()
    VolunteerTeam.objects.all().delete()
    MemberTransfer.objects.all().delete()
    Member.objects.all().delete()
    leaves_first(PartyOrg.objects.all())
    admins = ("system_admin", "security_admin")
    RoleAssignment.objects.exclude(role__in=admins).delete()
    User.objects.exclude(role_assignments__role__in=admins).delete()
    Partner.objects.all().delete()
    leaves_first(CaseCategory.objects.filter(code__startswith="99"))
    for level in ("grid", "community", "street"):
        Division.objects.filter(code__startswith=CODE, level=level).delete()


def test_a_fresh_district_imports_another_districts_export_and_holds_the_same(
    sysadmin, secadmin, tmp_path
):
    book = full_book()
    for i, row in enumerate(book["党员"]):  # members with their ID numbers
        row.extend([""] * (9 - len(row)))
        row.append(valid_id(f"19{60 + i}0101"))
    staff, rest = split(book)
    units_first(sysadmin)
    assert run(secadmin, staff).status == "done"
    assert run(sysadmin, rest).status == "done"
    before = snapshot()
    assert all(before.values()) and len(before["members"]) == 3

    path = tmp_path / "export.zip"
    result = write_export(district=CODE, path=path, whole=True)
    archive = zipfile.ZipFile(path)
    assert [name for name, _sheets in GOLIVE_FILES] == sorted(
        n for n in archive.namelist() if n.startswith("golive/")
    )
    assert result.files["golive/3-people-and-places.xlsx"]["rows"] >= 4 + 3 + 1 + 1
    places = json.loads(archive.read("places.geojson"))

    wipe()
    assert not Member.objects.exists() and not Partner.objects.exists()
    assert Division.objects.filter(code__startswith=CODE).count() == 1
    load_places(places)
    for name, _sheets in GOLIVE_FILES:
        by = secadmin if "security-admin" in name else sysadmin
        upload = SimpleUploadedFile(name.split("/")[1], archive.read(name))
        with TestCase.captureOnCommitCallbacks(execute=True):
            job = excel.import_submit(upload=upload, by=by)
        job.refresh_from_db()
        assert job.status == "done" and not job.errors, (name, job.message, job.errors[:3])
    after = snapshot()
    for key in before:
        assert after[key] == before[key], key


def test_a_masked_export_shows_no_id_or_phone_number_in_clear(sysadmin, secadmin, tmp_path):
    number = valid_id("19700505")
    rest = split(full_book())[1]
    rest["党员"] = [["孙有号", "公园社区第一党支部", "", "", "2001-07-01", "", "", "", "", number]]
    assert run(sysadmin, rest).status == "done"
    write_export(district=CODE, path=tmp_path / "masked.zip")
    archive = zipfile.ZipFile(tmp_path / "masked.zip")
    data = archive.read("golive/3-people-and-places.xlsx")
    book = load_workbook(io.BytesIO(data), read_only=True)
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert number not in cells and "07016221234" not in cells
    assert any(isinstance(c, str) and c.startswith(number[:6]) and "*" in c for c in cells)
    assert book.sheetnames == ["党组织", "党员", "志愿服务队", "场地", "事件类别"]
    assert [c.value for c in next(book["党员"].rows)] == excel.BY_NAME["党员"].headers
