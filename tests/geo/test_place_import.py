"""The import of a district's GIS boundaries: GeoJSON and Shapefile, the declared coordinate
system converted to WGS-84, everything checked before anything is written, previewed, audited."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import shapefile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from openpyxl import load_workbook
from shapely.geometry import mapping, shape

from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from jiceng.geo import coords, gis, imports
from jiceng.geo.lookup import grid_index
from jiceng.geo.models import Division, PlaceImport
from jiceng.geo.services import load_real_district, reading_order, tile
from tests.factories import totp_device, user_with_role

pytestmark = pytest.mark.django_db
COMMUNITY = "360602001001"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def yuehu():
    return load_real_district(code="360602")


@pytest.fixture
def admin(yuehu):
    return user_with_role("system_admin", division=yuehu)


def converted(geom, system):
    return mapping(
        __import__("shapely").transform(
            geom, lambda xy: np.column_stack(coords.from_wgs84(system, xy[:, 0], xy[:, 1]))
        )
    )


def feature_collection(items, system="gcj02") -> bytes:
    """items: (code, name, WGS-84 shapely geometry) -> a GeoJSON file in ``system``."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": code, "name": name},
                    "geometry": converted(geom, system),
                }
                for code, name, geom in items
            ],
        },
        ensure_ascii=False,
    ).encode()


def retiled(n: int, seed: int = 7):
    """The community cut anew into ``n`` grids (WGS-84), numbered 001...n."""
    community = shape(Division.objects.get(code=COMMUNITY).boundary)
    cells = reading_order(tile(community, n, np.random.default_rng(seed)))
    return [(f"{COMMUNITY}{i:03d}", f"新网格{i}", c) for i, c in enumerate(cells, start=1)]


def upload(data: bytes, name="grids.geojson"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def submit(admin, data, system="gcj02", name="grids.geojson"):
    return imports.place_import_submit(by=admin, upload=upload(data, name), system=system)


def test_a_gcj02_file_is_converted_so_that_a_phones_gps_point_lands_in_the_right_grid(admin):
    before = Division.objects.filter(parent__code=COMMUNITY).count()
    items = retiled(before + 1)
    job = submit(admin, feature_collection(items, "gcj02"))
    assert job.status == PlaceImport.Status.CHECKED and job.errors == []
    # checked, not yet written
    assert not Division.objects.filter(code=items[-1][0]).exists()
    job = imports.place_import_apply(job=job, by=admin)
    assert (job.created, job.updated) == (1, before)
    for code, _name, geom in items:
        gps = geom.representative_point()  # what a phone reports: WGS-84
        assert grid_index().locate(gps.x, gps.y) == code
    # the GCJ-02 coordinates the file held are hundreds of metres off: taken as they were,
    # some phone points would have landed in a neighbouring grid or outside
    off = 0
    for code, _name, geom in items:
        p = geom.representative_point()
        glon, glat = coords.wgs84_to_gcj02(p.x, p.y)
        off += grid_index().locate(float(glon), float(glat)) != code
    assert off > 0
    assert AuditEntry.objects.filter(action="geo.place_import", object_id=str(job.pk)).exists()


def test_importing_the_same_file_again_changes_nothing(admin):
    data = feature_collection(retiled(5), "bd09")
    first = imports.place_import_apply(job=submit(admin, data, "bd09"), by=admin)
    stamps = dict(Division.objects.filter(parent__code=COMMUNITY).values_list("code", "updated_at"))
    again = imports.place_import_apply(job=submit(admin, data, "bd09"), by=admin)
    assert first.created + first.updated == 5
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert (
        dict(Division.objects.filter(parent__code=COMMUNITY).values_list("code", "updated_at"))
        == stamps
    )


def test_a_shapefile_in_a_zip_reads_as_the_geojson_does(admin):
    items = retiled(4)
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(
        shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding="gbk"
    ) as w:
        w.field("WGBM", "C", 20)
        w.field("WGMC", "C", 50)
        for code, name, geom in items:
            w.record(code, name)
            w.shape(converted(geom, "wgs84"))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("grids.shp", shp.getvalue())
        z.writestr("grids.shx", shx.getvalue())
        z.writestr("grids.dbf", dbf.getvalue())
    job = submit(admin, archive.getvalue(), "wgs84", "grids.zip")
    assert job.status == "checked" and job.errors == [], job.errors
    imports.place_import_apply(job=job, by=admin)
    assert Division.objects.get(code=items[0][0]).name == "新网格1"


def test_a_file_in_a_wrong_coordinate_system_is_caught_and_nothing_is_written(admin):
    """BD-09 coordinates declared as WGS-84: about a kilometre off, grids leave their community."""
    before = {
        c: b
        for c, b in Division.objects.filter(parent__code=COMMUNITY).values_list("code", "boundary")
    }
    job = submit(admin, feature_collection(retiled(5), "bd09"), system="wgs84")
    assert job.errors
    assert any("之外" in e["reason"] for e in job.errors)
    with pytest.raises(UserError, match="没有导入任何图形"):
        imports.place_import_apply(job=job, by=admin)
    assert (
        dict(Division.objects.filter(parent__code=COMMUNITY).values_list("code", "boundary"))
        == before
    )


def test_a_file_outside_the_district_is_refused_whole(admin):
    beijing = shape(
        {
            "type": "Polygon",
            "coordinates": [[(116.40, 39.90), (116.41, 39.90), (116.41, 39.91), (116.40, 39.90)]],
        }
    )
    job = submit(admin, feature_collection([(f"{COMMUNITY}001", "x", beijing)], "wgs84"), "wgs84")
    assert job.status == PlaceImport.Status.REFUSED
    assert "不在本区" in job.message and "坐标系" in job.message
    assert AuditEntry.objects.filter(
        action="geo.place_import_check", object_id=str(job.pk)
    ).exists()


def test_projected_coordinates_and_bad_codes_are_one_report_row_each(admin, client):
    items = retiled(3)
    metres = shape(
        {
            "type": "Polygon",
            "coordinates": [
                [(500000, 3120000), (500100, 3120000), (500100, 3120100), (500000, 3120000)]
            ],
        }
    )
    doc = json.loads(feature_collection(items, "wgs84"))
    doc["features"][1]["properties"]["code"] = "36060200100100"  # 14 digits
    doc["features"][2]["properties"]["code"] = "330212001001001"  # another district
    doc["features"].append(
        {"type": "Feature", "properties": {"code": f"{COMMUNITY}009"}, "geometry": mapping(metres)}
    )
    doc["features"].append(
        {
            "type": "Feature",
            "properties": {"code": f"{COMMUNITY}010"},
            "geometry": {"type": "Point", "coordinates": [117, 28]},
        }
    )
    job = submit(admin, json.dumps(doc).encode(), "wgs84")
    rows = {e["row"] for e in job.errors}
    assert {2, 3, 4, 5} <= rows  # (row 1 overlaps the grids rows 2 and 3 would have replaced)
    reasons = " ".join(e["reason"] for e in job.errors)
    assert (
        "15 位" in reasons
        and "不是本区" in reasons
        and "投影坐标" in reasons
        and "不是面" in reasons
    )
    book = load_workbook(io.BytesIO(imports.report_bytes(job)), read_only=True)
    assert len(list(book.worksheets[0].iter_rows(values_only=True))) == 1 + len(job.errors) + len(
        job.warnings
    )


def test_overlapping_grids_are_refused_and_a_gap_is_a_warning(admin):
    items = retiled(3)
    code, name, geom = items[0]
    items[0] = (
        code,
        name,
        geom.buffer(0.002).intersection(shape(Division.objects.get(code=COMMUNITY).boundary)),
    )
    items = items[:1] + items[1:2]  # grid 3 left out: a gap
    job = submit(admin, feature_collection(items, "wgs84"), "wgs84")
    assert any("重叠" in e["reason"] for e in job.errors)
    assert any("不在任何网格内" in w["reason"] for w in job.warnings)


def test_only_the_valid_places_when_the_person_chooses_so(admin):
    items = retiled(4)
    doc = json.loads(feature_collection(items, "wgs84"))
    doc["features"][3]["properties"]["code"] = "abc"
    job = submit(admin, json.dumps(doc).encode(), "wgs84")
    assert [e["row"] for e in job.errors] == [4]
    job = imports.place_import_apply(job=job, by=admin, valid_only=True)
    assert job.skipped == 1 and job.created + job.updated + job.unchanged == 3
    assert Division.objects.get(code=items[0][0]).name == "新网格1"


def test_a_grid_without_a_code_joins_the_community_it_lies_in(admin):
    existing = Division.objects.filter(parent__code=COMMUNITY).count()
    inner = shape(Division.objects.get(code=f"{COMMUNITY}001").boundary).buffer(-0.0003)
    job = submit(admin, feature_collection([("", "楼院网格", inner)], "wgs84"), "wgs84")
    # it overlaps grid 001, which the file does not replace
    assert any("重叠" in e["reason"] for e in job.errors)
    assert job.errors[0]["column"] == f"{COMMUNITY}{existing + 1:03d}"


def test_pages_upload_preview_confirm_for_the_system_administrator(client, admin, yuehu):
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(admin).persistent_id
    session.save()
    assert client.get("/console/geo/import/").status_code == 200
    response = client.post(
        "/console/geo/import/",
        {"file": upload(feature_collection(retiled(4), "gcj02")), "system": "gcj02"},
    )
    job = PlaceImport.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/import/{job.pk}/")
    page = client.get(response.url).content.decode()
    assert page.count("<path") == 4 and 'data-testid="confirm"' in page
    assert Division.objects.get(code=f"{COMMUNITY}001").name != "新网格1"
    assert client.post(response.url, {}).status_code == 302
    assert Division.objects.get(code=f"{COMMUNITY}001").name == "新网格1"
    # a file that is not one: the form again with the reason, nothing kept as checked
    bad = client.post("/console/geo/import/", {"file": upload(b"hello"), "system": "wgs84"})
    assert bad.status_code == 302
    assert PlaceImport.objects.order_by("-pk").first().status == "refused"
    client.cookies["django_language"] = "en"
    assert client.get("/console/geo/import/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_the_list_of_recent_imports_keeps_to_a_query_budget(
    client, admin, django_assert_max_num_queries
):
    for _ in range(4):
        submit(admin, feature_collection(retiled(2), "wgs84"), "wgs84")
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(admin).persistent_id
    session.save()
    with django_assert_max_num_queries(12):
        page = client.get("/console/geo/import/")
    assert page.content.decode().count("/console/geo/import/") >= 5


def test_a_grid_worker_cannot_open_the_import(client, yuehu):
    worker = user_with_role("grid_worker", division=Division.objects.get(code=f"{COMMUNITY}001"))
    client.force_login(worker)
    assert client.get("/console/geo/import/").status_code == 403


def test_files_are_removed_after_the_keeping_period(admin, settings):
    settings.JICENG_IMPORT_KEEP_DAYS = 30
    job = submit(admin, feature_collection(retiled(2), "wgs84"), "wgs84")
    path = Path(job.path)
    assert path.exists()
    assert imports.purge_files() == 0
    PlaceImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert imports.purge_files() == 1
    assert not path.exists()
    job.refresh_from_db()
    assert job.path == "" and job.purged_at is not None
    with pytest.raises(UserError, match="删除"):
        imports.place_import_apply(job=job, by=admin)


def test_checking_reads_only_polygons_in_longitude_and_latitude():
    with pytest.raises(UserError):
        gis.read_file(
            b'{"type": "FeatureCollection", "features": [], "crs": {"type": "name", "properties": {"name": "EPSG:4547"}}}',
            "x.geojson",
        )
    with pytest.raises(UserError, match="没有任何图形"):
        gis.read_file(b'{"type": "FeatureCollection", "features": []}', "x.geojson")
