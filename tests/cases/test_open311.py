"""GeoReport v2 as a client that follows the spec sees it: form-encoded POSTs, JSON and XML,
the spec's field names, status values and error format."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from jiceng.cases.models import OPEN311_HASH_KIND, Case, Open311Key
from jiceng.core.fields import lookup_hash
from jiceng.geo.models import Division
from jiceng.geo.services import load_real_district
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "service_name",
    "service_code",
    "requested_datetime",
    "updated_datetime",
    "lat",
    "long",
}


@pytest.fixture
def district():
    load_real_district(code="360602")
    return Division.objects.get(code="360602001001001")


@pytest.fixture
def api_key(db):
    """A key made before keys were hashed, as the migration leaves it: its HMAC only."""
    return Open311Key.objects.create(
        name="12345热线",
        key_hash=lookup_hash(OPEN311_HASH_KIND, "k-12345"),
        account=UserFactory(username="hotline"),
    )


def post(client, **fields):
    return client.post(f"{BASE}/requests.json", fields)  # application/x-www-form-urlencoded


def test_service_list_in_json_and_xml(client):
    services = client.get(f"{BASE}/services.json").json()
    manhole = next(s for s in services if s["service_code"] == "0101")
    assert manhole["service_name"] == "井盖破损或缺失"
    assert manhole["metadata"] is False and manhole["type"] == "realtime"
    assert all(len(s["service_code"]) == 4 for s in services)  # leaves only
    root = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services"
    assert {s.findtext("service_code") for s in root.iter("service")} == {
        s["service_code"] for s in services
    }
    assert client.get(f"{BASE}/services/0101.json").json() == {
        "service_code": "0101",
        "attributes": [],
    }


def test_posting_a_request_gives_its_id_and_reading_it_back(client, district, api_key):
    response = post(
        client,
        api_key="k-12345",
        service_code="0101",
        lat=district.centroid_lat,
        long=district.centroid_lon,
        description="井盖缺失",
        address_string="公园路 1 号",
    )
    assert response.status_code == 201
    [created] = response.json()
    case = Case.objects.get(number=created["service_request_id"])
    assert (case.source, case.scope_code, case.reporter.username) == (
        "open311",
        district.code,
        "hotline",
    )
    [public] = client.get(f"{BASE}/requests/{case.number}.json").json()
    assert set(public) >= REQUEST_FIELDS
    assert public["status"] == "open" and public["description"] is None  # personal details withheld
    [full] = client.get(f"{BASE}/requests/{case.number}.json", {"api_key": "k-12345"}).json()
    assert full["description"] == "井盖缺失"
    xml = ET.fromstring(client.get(f"{BASE}/requests/{case.number}.xml").content)
    assert xml.tag == "service_requests" and xml.find("request/status").text == "open"


def test_request_queries_filter_by_status_and_service(client, district, api_key):
    for code in ("0101", "1101"):
        post(
            client,
            api_key="k-12345",
            service_code=code,
            lat=district.centroid_lat,
            long=district.centroid_lon,
            description="x",
        )
    Case.objects.filter(category__code="1101").update(status="closed")
    assert [
        r["service_code"] for r in client.get(f"{BASE}/requests.json", {"status": "open"}).json()
    ] == ["0101"]
    assert [
        r["status"] for r in client.get(f"{BASE}/requests.json", {"service_code": "1101"}).json()
    ] == ["closed"]


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({}, 403, "api_key"),
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"api_key": "k-12345", "lat": "28.2", "long": "117.0"}, 400, "service_code"),
        ({"api_key": "k-12345", "service_code": "0101"}, 400, "address_string"),
        (
            {"api_key": "k-12345", "service_code": "9999", "lat": "28.2", "long": "117.0"},
            404,
            "未知",
        ),
        (
            {"api_key": "k-12345", "service_code": "0101", "lat": "39.9", "long": "116.0"},
            400,
            "不在本区",
        ),
    ],
)
def test_errors_use_the_spec_format_and_change_nothing(
    client, district, api_key, fields, code, words
):
    response = post(client, description="x", **fields)
    assert response.status_code == code
    [error] = response.json()
    assert error["code"] == code and words in error["description"]
    assert not Case.objects.exists()
    xml = client.post(f"{BASE}/requests.xml", {"description": "x", **fields})
    assert ET.fromstring(xml.content).find("error/code").text == str(code)


def test_unknown_ids_formats_and_statuses(client):
    assert client.get(f"{BASE}/requests/nope.json").status_code == 404
    assert client.get(f"{BASE}/services.csv").status_code == 400
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400


def test_a_token_finds_its_request_and_media_come_with_it(
    client, district, api_key, settings, tmp_path
):
    """A spec client that keeps only the token asks /tokens/{token} for the request id; a photo
    posted as multipart "media" is checked like any upload and given to the key as media_url."""
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 30, 40)).save(buf, "PNG")
    buf.seek(0)
    buf.name = "manhole.png"
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": "k-12345",
            "service_code": "0101",
            "lat": district.centroid_lat,
            "long": district.centroid_lon,
            "description": "井盖缺失",
            "media": buf,
        },
    )
    assert response.status_code == 201, response.content
    [created] = response.json()
    [found] = client.get(f"{BASE}/tokens/{created['token']}.json").json()
    assert found == {"service_request_id": created["service_request_id"], "token": created["token"]}
    xml = ET.fromstring(client.get(f"{BASE}/tokens/{created['token']}.xml").content)
    assert xml.find("request/service_request_id").text == created["service_request_id"]
    number = created["service_request_id"]
    # The photo is personal data: the key that sent it gets a short-lived signed link that
    # opens without a session; a public reader gets no link at all.
    [keyed] = client.get(f"{BASE}/requests/{number}.json", {"api_key": "k-12345"}).json()
    assert keyed["media_url"].startswith("http://testserver/files/s/")
    photo = client.get(keyed["media_url"].removeprefix("http://testserver"))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content)[:3] == b"\xff\xd8\xff"
    listed = client.get(f"{BASE}/requests.json", {"api_key": "k-12345"}).json()
    assert listed[0]["media_url"].startswith("http://testserver/files/s/")
    [public] = client.get(f"{BASE}/requests/{number}.json").json()
    assert public["media_url"] is None
    assert client.get(f"{BASE}/requests.json").json()[0]["media_url"] is None
    forged = keyed["media_url"].removeprefix("http://testserver")[:-6] + "AAAAA/"
    assert client.get(forged).status_code == 404
    from jiceng.cases.models import CasePhoto

    stored = CasePhoto.objects.get(case__number=number).image.name
    assert client.get(f"/files/{stored}").status_code == 404  # no session, no photo
    missing = client.get(f"{BASE}/tokens/nope.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_a_non_image_media_is_refused_in_the_spec_format(client, district, api_key):
    import io

    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "report.png"
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": "k-12345",
            "service_code": "0101",
            "lat": district.centroid_lat,
            "long": district.centroid_lon,
            "media": fake,
        },
    )
    assert response.status_code == 400
    assert "图片" in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_description_is_optional_as_in_the_spec(client, district, api_key):
    response = post(
        client,
        api_key="k-12345",
        service_code="0101",
        lat=district.centroid_lat,
        long=district.centroid_lon,
    )
    assert response.status_code == 201
    assert Case.objects.get().description == "井盖破损或缺失（未附描述）"


def test_an_address_string_alone_is_placed_through_the_register_and_phone_kept(
    client, district, api_key
):
    from tests.registry.conftest import make_building

    building = make_building(district, name="2栋", address="公园路8号")
    response = post(
        client,
        api_key="k-12345",
        service_code="0101",
        description="井盖缺失",
        address_string="公园路8号",
        phone="13700137000",
    )
    assert response.status_code == 201
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.scope_code == building.grid.code and case.contact_phone == "13700137000"
    unknown = post(
        client, api_key="k-12345", service_code="0101", description="x", address_string="火星路1号"
    )
    assert unknown.status_code == 400 and Case.objects.count() == 1


def test_a_key_gets_no_photo_link_of_a_request_another_account_sent(
    client, district, api_key, settings, tmp_path, django_assert_max_num_queries
):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    Open311Key.objects.create(
        name="网格通", key_hash=lookup_hash(OPEN311_HASH_KIND, "k-other"),
        account=UserFactory(username="gridapp"),
    )  # fmt: skip
    for _ in range(3):
        buf = io.BytesIO()
        Image.new("RGB", (400, 300), (20, 30, 200)).save(buf, "PNG")
        buf.seek(0)
        buf.name = "pothole.png"
        sent = client.post(
            f"{BASE}/requests.json",
            {"api_key": "k-other", "service_code": "0101", "lat": district.centroid_lat,
             "long": district.centroid_lon, "description": "路面坑洞", "media": buf},
        )  # fmt: skip
        assert sent.status_code == 201, sent.content
    with django_assert_max_num_queries(6):  # no query per request for its photo
        listed = client.get(f"{BASE}/requests.json", {"api_key": "k-12345"}).json()
    assert len(listed) == 3 and all(r["media_url"] is None for r in listed)
    own = client.get(f"{BASE}/requests.json", {"api_key": "k-other"}).json()
    assert all(r["media_url"].startswith("http://testserver/files/s/") for r in own)
