"""In the demo, in a real browser: the photo of a case the resident reports, the delivery photo
of their wish and a meeting's photo all show (no broken image), and another resident's browser
gets 404 for the case photo."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.browser.conftest import PHONE, demo, log_in  # noqa: F401 - demo is a fixture

pytestmark = pytest.mark.browser

BROKEN_IMAGES = """() => Array.from(document.images)
    .filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src)"""


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ACCEL_REDIRECT = ""
    # Django's live server answers MEDIA_URL from MEDIA_ROOT itself, before any view, as if
    # uploads were public; here they must go through the app's check, as in production.
    from django.test.testcases import _MediaFilesHandler

    monkeypatch.setattr(_MediaFilesHandler, "_should_handle", lambda self, path: False)


def images_of(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    return page.evaluate("() => Array.from(document.images).map(img => img.src)")


def test_case_wish_and_meeting_photos_show_in_the_demo(demo, live_server, browser, tmp_path):  # noqa: F811
    from jiceng.accounts.models import User
    from jiceng.community.models import Wish
    from jiceng.demo.builder import DemoLogin
    from jiceng.party import meetings as party_meetings
    from jiceng.party.permissions import visible_meetings

    base = live_server.url
    picture = tmp_path / "井盖.jpg"
    Image.new("RGB", (1200, 900), (30, 90, 200)).save(picture, "JPEG")

    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, base, demo["resident"])
    page.click("[data-testid=report-link]")
    page.select_option("select[name=category]", label="井盖破损或缺失")
    page.fill("textarea[name=description]", "小区北门井盖缺失")
    page.set_input_files("input[name=photos]", str(picture))
    page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_url("**/cases/*/")
    case_photos = [src for src in images_of(page) if "/files/cases/" in src]
    assert len(case_photos) == 1
    assert page.evaluate(BROKEN_IMAGES) == []

    wish = Wish.objects.get(poster__username=demo["resident"].username, status="confirmed")
    page.goto(f"{base}/m/services/wishes/{wish.pk}/")
    assert any("/files/wishes/" in src for src in images_of(page))
    assert page.evaluate(BROKEN_IMAGES) == []
    context.close()

    # Another resident of the district, in their own browser: the case photo is not found.
    other = User.objects.filter(username__startswith="r0").exclude(username="resident").first()
    other.set_password("Jiceng@2026")
    other.save()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, base, DemoLogin("resident", other.username, ""))
    assert page.request.get(case_photos[0]).status == 404
    context.close()

    secretary = User.objects.get(username=demo["community_secretary"].username)
    meeting = visible_meetings(secretary).filter(starts_at__lt=timezone.now()).first()
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 16, 46)).save(out, "JPEG")
    party_meetings.meeting_add_photos(
        by=secretary,
        meeting=meeting,
        files=[SimpleUploadedFile("会议.jpg", out.getvalue(), content_type="image/jpeg")],
    )
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, base, demo["community_secretary"])
    page.goto(f"{base}/console/party/meetings/{meeting.pk}/")
    assert any("/files/meetings/" in src for src in images_of(page))
    assert page.evaluate(BROKEN_IMAGES) == []
    context.close()
