"""Uploaded files: image bombs are refused by their pixel count before anything is decoded, and
every stored photo (case, wish, meeting) is served only to a viewer who may see its record."""

from __future__ import annotations

import functools
import io
import re
import struct
import time
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from jiceng.cases import services as case_services
from jiceng.cases.models import Case, CasePhoto
from jiceng.community import wishes
from jiceng.community.models import Wish
from jiceng.core.errors import UserError
from jiceng.core.photos import prepare_photos
from jiceng.party import meetings as party_meetings
from jiceng.party.models import MeetingPhoto, PartyOrg
from tests.conftest import restore_starter_categories
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

NOT_FOUND = "没有找到，或不在您可以查看的范围内。"


@functools.cache
def bomb_png(side: int = 10_900) -> bytes:
    """A PNG that claims side x side black-and-white pixels: a few kilobytes on the wire, 119
    million pixels (and 360 MB as RGB) once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes((side + 7) // 8)  # filter byte + one bit per pixel
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    idat = zlib.compress(row * side, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg(name: str = "photo.jpg", size=(800, 600)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def img_srcs(html: str) -> list[str]:
    return re.findall(r'<img[^>]*\ssrc="([^"]+)"', html)


def assert_image(response) -> None:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG"


def assert_not_found(response) -> None:
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ACCEL_REDIRECT = ""
    return settings.MEDIA_ROOT


@pytest.fixture
def cast(places):
    restore_starter_categories()
    committee = PartyOrg.objects.create(
        name="中共公园社区委员会", kind="committee", division=places["community"]
    )
    return {
        "places": places,
        "committee": committee,
        "resident": user_with_role("resident", division=places["grid1"]),
        "neighbour_resident": user_with_role("resident", division=places["grid_n"]),
        "secretary": user_with_role("community_secretary", division=places["community"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "nobody": UserFactory(),
    }


@pytest.fixture
def case_with_photo(cast):
    return case_services.case_report(
        by=cast["resident"], category="0101", description="井盖缺失", photos=[jpeg()]
    )


# --- hole 3: image bombs ----------------------------------------------------------------------


def test_an_image_bomb_is_refused_by_its_pixel_count_before_it_is_decoded():
    data = bomb_png()
    assert len(data) < 64 * 1024  # tiny on the wire
    started = time.monotonic()
    with pytest.raises(UserError) as refused:
        prepare_photos([SimpleUploadedFile("bomb.png", data, content_type="image/png")])
    assert time.monotonic() - started < 1.0  # decoding it took 13 s
    assert "第 1 张照片“bomb.png”像素过多（上限 50 百万像素）" in refused.value.message
    assert refused.value.field == "photos"


def test_the_refusal_of_an_image_bomb_reads_in_english_too():
    with translation.override("en"), pytest.raises(UserError) as refused:
        prepare_photos([SimpleUploadedFile("bomb.png", bomb_png(), content_type="image/png")])
    assert "Photo 1 “bomb.png” has too many pixels (at most 50 megapixels)" in str(
        refused.value.message
    )


def test_pillow_itself_raises_at_the_limit_anywhere_in_the_process():
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(bomb_png()))


def test_a_large_real_phone_photo_still_passes():
    """A 48-megapixel photo (8000 x 6000) is under the limit and is resized, not refused."""
    out = io.BytesIO()
    Image.new("L", (8000, 6000)).save(out, "JPEG", quality=20)
    [prepared] = prepare_photos([SimpleUploadedFile("big.jpg", out.getvalue())])
    with Image.open(prepared) as image:
        assert max(image.size) == 1600


def test_a_report_with_an_image_bomb_is_refused_quickly_and_nothing_is_written(client, cast, media):
    client.force_login(cast["resident"])
    assert client.get("/cases/report/").status_code == 200  # the form, as the resident opens it
    photos = [jpeg(), SimpleUploadedFile("bomb.png", bomb_png(), "image/png")]
    started = time.monotonic()
    response = client.post(
        "/cases/report/", {"category": "0101", "description": "井盖缺失", "photos": photos}
    )
    assert time.monotonic() - started < 3.0  # decoding it took 13 s
    assert "第 2 张照片“bomb.png”像素过多" in response.content.decode()
    assert not Case.objects.exists() and not CasePhoto.objects.exists()
    assert stored_files(media) == []


def test_a_wish_with_an_image_bomb_is_refused_and_nothing_is_written(cast, media):
    bomb = SimpleUploadedFile("bomb.png", bomb_png(), "image/png")
    with pytest.raises(UserError, match="像素过多"):
        wishes.wish_post(by=cast["resident"], title="一个书包", value="80", photo=bomb)
    assert not Wish.objects.exists() and stored_files(media) == []


def test_photos_over_the_total_size_of_a_request_are_refused(monkeypatch):
    monkeypatch.setattr("jiceng.core.photos.MAX_TOTAL_BYTES", 1000)
    with pytest.raises(UserError, match="照片合计超过"):
        prepare_photos([jpeg("1.jpg"), jpeg("2.jpg")])


def test_a_request_over_the_size_limit_is_refused_before_it_is_read(client, cast, settings):
    settings.MAX_REQUEST_BYTES = 10_000
    client.force_login(cast["resident"])
    response = client.post(
        "/cases/report/",
        {"category": "0101", "description": "井盖缺失", "photos": [jpeg(size=(1600, 1200))]},
    )
    assert response.status_code == 413
    assert "上传的内容过大" in response.content.decode()
    assert not Case.objects.exists()


def test_too_many_files_in_one_request_are_refused_with_a_message(client, cast, media):
    client.force_login(cast["resident"])
    response = client.post(
        "/cases/report/",
        {
            "category": "0101",
            "description": "井盖缺失",
            "photos": [jpeg(f"{i}.jpg") for i in range(21)],
        },
    )
    assert response.status_code == 400
    assert "一次最多上传 20 个文件" in response.content.decode()
    assert not Case.objects.exists() and stored_files(media) == []


# --- hole 10: photos only for whoever may see their record ------------------------------------


def test_a_case_photo_shows_to_those_who_may_see_the_case_and_to_no_one_else(
    client, cast, case_with_photo
):
    url = case_with_photo.photos.get().image.url
    assert url.startswith("/files/cases/")
    for who in ("resident", "secretary"):
        client.force_login(cast[who])
        assert_image(client.get(url))
    for who in ("neighbour_resident", "outsider", "nobody"):
        client.force_login(cast[who])
        assert_not_found(client.get(url))
    client.logout()
    assert_not_found(client.get(url))


def test_the_img_of_a_case_page_answers_with_the_image_for_the_owner_and_404_for_an_outsider(
    client, cast, case_with_photo
):
    client.force_login(cast["resident"])
    page = client.get(f"/cases/{case_with_photo.number}/")
    [src] = img_srcs(page.content.decode())
    assert_image(client.get(src))
    client.force_login(cast["outsider"])
    assert_not_found(client.get(src))


def test_a_file_under_no_declared_folder_and_any_other_path_are_not_found(
    client, cast, case_with_photo, media
):
    stray = media / "registry-imports" / "people.xlsx"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"PK\x03\x04 a workbook")
    district = user_with_role("district_staff", division=cast["places"]["district"])
    client.force_login(district)
    photo = case_with_photo.photos.get().image.name
    assert_image(client.get(f"/files/{photo}"))
    for path in (
        "/files/registry-imports/people.xlsx",  # stored, but no app vouches for it
        "/files/cases/2020/01/none.jpg",  # no such record
        f"/files/cases/../{photo}",  # not a clean name
        "/files/%2e%2e/%2e%2e/settings.py",
        f"/media/{photo}",  # the old public folder is gone
    ):
        response = client.get(path)
        assert response.status_code == 404, path


def test_behind_nginx_the_view_checks_and_nginx_sends_the_file(
    client, cast, case_with_photo, settings
):
    settings.MEDIA_ACCEL_REDIRECT = "/protected/"
    name = case_with_photo.photos.get().image.name
    client.force_login(cast["resident"])
    response = client.get(f"/files/{name}")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{name}"
    assert response["Content-Type"] == "image/jpeg" and response.content == b""
    client.force_login(cast["outsider"])
    response = client.get(f"/files/{name}")
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_a_wish_photo_shows_on_its_page_to_the_poster_and_the_community_only(client, cast):
    wish = wishes.wish_post(by=cast["resident"], title="一个书包", value="80", photo=jpeg())
    client.force_login(cast["resident"])
    page = client.get(f"/m/services/wishes/{wish.pk}/")
    [src] = img_srcs(page.content.decode())
    assert src == wish.photo.url
    assert_image(client.get(src))
    client.force_login(cast["secretary"])
    assert_image(client.get(src))
    for who in ("neighbour_resident", "outsider"):  # a wish waiting for review is not public
        client.force_login(cast[who])
        assert_not_found(client.get(src))


def test_a_meeting_photo_shows_to_the_meetings_readers_only(client, cast):
    starts = timezone.now() - timedelta(hours=1)
    meeting = party_meetings.meeting_create(
        by=cast["secretary"],
        org=cast["committee"],
        kind="general_meeting",
        title="党员大会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    party_meetings.meeting_add_photos(by=cast["secretary"], meeting=meeting, files=[jpeg()])
    client.force_login(cast["secretary"])
    page = client.get(f"/console/party/meetings/{meeting.pk}/")
    [src] = img_srcs(page.content.decode())
    assert src == MeetingPhoto.objects.get().image.url
    assert_image(client.get(src))
    for who in ("outsider", "resident"):
        client.force_login(cast[who])
        assert_not_found(client.get(src))


def test_the_system_check_refuses_uploads_inside_a_public_static_folder(settings, tmp_path):
    from jiceng.core.checks import uploads_are_not_in_a_public_folder

    assert uploads_are_not_in_a_public_folder(None) == []
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "static" / "media"
    [error] = uploads_are_not_in_a_public_folder(None)
    assert error.id == "jiceng.uploads.E001" and "served to anyone" in error.msg
