"""Issue 20's "done when": each of the five case-study districts is set up from the shipped
national division data, its grids come in from a GeoJSON in GCJ-02 (made here from generated
grids), its organizations, members and staff from one Excel workbook, and one of the imported
grid workers logs in and reports a case that lands in the right grid."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.test import TestCase
from shapely.geometry import mapping

from jiceng.accounts.models import User
from jiceng.cases.models import Case, CaseCategory
from jiceng.geo import coords, imports
from jiceng.geo.models import Division
from jiceng.geo.services import OUTLINES, outline, reading_order, tile
from jiceng.imports import excel
from jiceng.party.models import Member, PartyOrg
from tests.imports.conftest import upload, workbook

pytestmark = pytest.mark.django_db
PASSWORD = "Golive-2026-grid!"


def generated_places(district: Division, rng):
    """The first street's outline, its communities and two grids in each (WGS-84)."""
    lon, lat, hw, hh = OUTLINES[district.code]
    district_shape = outline(lon, lat, hw, hh)
    streets = list(Division.objects.filter(parent=district).order_by("code"))
    street_cells = reading_order(tile(district_shape, len(streets), rng))
    street, street_shape = streets[0], street_cells[0]
    communities = list(Division.objects.filter(parent=street).order_by("code"))
    features = [(street.code, street.name, street_shape)]
    grids = []
    for community, cell in zip(
        communities, reading_order(tile(street_shape, len(communities), rng)), strict=True
    ):
        features.append((community.code, community.name, cell))
        for n, grid in enumerate(reading_order(tile(cell, 2, rng)), start=1):
            grids.append((f"{community.code}{n:03d}", f"{community.name}第{n}网格", grid))
    return street, communities, features + grids, grids


def gcj02_geojson(features) -> bytes:
    def to_gcj(geom):
        return shapely.transform(
            geom, lambda xy: np.column_stack(coords.from_wgs84("gcj02", xy[:, 0], xy[:, 1]))
        )

    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"编码": c, "名称": n},
                    "geometry": mapping(to_gcj(g)),
                }
                for c, n, g in features
            ],
        },
        ensure_ascii=False,
    ).encode()


@pytest.mark.parametrize("code", ["360602", "330212", "610822", "450204", "320213"])
def test_a_case_study_district_goes_live_and_an_imported_grid_worker_reports_a_case(
    client, code, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("setup", district=code, stdout=open("/dev/null", "w"))  # noqa: SIM115
    district = Division.objects.get(code=code)
    assert district.boundary is None and not Division.objects.filter(level="grid").exists()
    sysadmin = User.objects.get(username="sysadmin")
    secadmin = User.objects.get(username="secadmin")

    # 1. the GIS office's grids, in GCJ-02
    street, communities, features, grids = generated_places(district, np.random.default_rng(1))
    job = imports.place_import_submit(
        by=sysadmin, upload=upload(gcj02_geojson(features), "grids.geojson"), system="gcj02"
    )
    assert job.status == "checked" and job.errors == [], (job.message, job.errors[:3])
    job = imports.place_import_apply(job=job, by=sysadmin)
    assert job.created == len(grids) and job.updated == 1 + len(communities)

    # 2. the organizations, members and staff, in one workbook
    community = communities[0]
    grid_code = grids[0][0]
    book = {
        "党组织": [
            [f"中共{street.name}工作委员会", "党工委", "", street.code, "", ""],
            [f"中共{community.name}委员会", "党委", f"中共{street.name}工作委员会", community.code, "", ""],
            [f"{community.name}第一党支部", "党支部", f"中共{community.name}委员会", community.code, "", ""],
        ],
        "工作人员": [
            ["周网格", "zhouwg", "网格员", grid_code, "", PASSWORD],
            ["吴书记", "wusj", "社区党委书记", community.code, "", ""],
        ],
        "党员": [
            ["吴书记", f"{community.name}第一党支部", "直管党员", "正式党员", "1996-07-01", "", 6000, "", "wusj"],
            ["郑老党员", f"{community.name}第一党支部", "退休党员（双管）", "正式党员", "1970-07-01", "离退休（养老金）", 3800, "", ""],
        ],
    }  # fmt: skip
    # the accounts by the security administrator (三员分立), the rest by the system administrator
    for by, sheets in ((secadmin, {"工作人员": book.pop("工作人员")}), (sysadmin, book)):
        with TestCase.captureOnCommitCallbacks(execute=True):
            run = excel.import_submit(upload=upload(workbook(sheets)), by=by)
        run.refresh_from_db()
        assert run.status == "done", (run.message, run.errors[:3])
    assert PartyOrg.objects.filter(scope_code__startswith=code).count() == 3
    assert Member.objects.filter(scope_code__startswith=code).count() == 2

    # 3. the grid worker logs in (a first password is changed first) and reports from the spot
    response = client.post("/accounts/login/", {"username": "zhouwg", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/cases/report/").url.startswith("/accounts/password/")  # first, a password
    new = "Zhou-own-password-42"
    changed = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert changed.status_code == 302, changed.content.decode()[:500]
    spot = grids[0][2].representative_point()  # the phone's GPS: WGS-84
    category = CaseCategory.objects.get(code="0101")  # 井盖破损或缺失
    reported = client.post(
        "/cases/report/",
        {"category": category.code, "description": "井盖缺失，夜间有危险",
         "lon": f"{spot.x:.7f}", "lat": f"{spot.y:.7f}"},
    )  # fmt: skip
    body = reported.content.decode()
    assert reported.status_code == 302, body[body.find("error") - 200 : body.find("error") + 600]
    case = Case.objects.get(reporter__username="zhouwg")
    assert case.scope_code == grid_code
    # the file's own (GCJ-02) coordinates of that spot lie hundreds of metres away
    glon, glat = coords.wgs84_to_gcj02(spot.x, spot.y)
    assert abs(float(glon) - spot.x) + abs(float(glat) - spot.y) > 0.001
