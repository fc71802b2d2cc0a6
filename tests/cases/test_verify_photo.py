"""A grid worker verifies a fix on site with a photo (issue 19): required where the category says
so (city-management components and events), optional for residents' demands."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.cases.models import Case, CaseCategory, CasePhoto
from tests.cases.conftest import make_case, site_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def verify(client, case, action="verify_ok", **extra):
    return client.post(
        reverse("cases:act", args=[case.number, action]),
        {"version": case.version, "note": "现场已修复", **extra},
    )


def test_the_verify_form_asks_for_a_photo_taken_on_site(client, cast, category):
    case = make_case(cast, category, status="handled")
    client.force_login(cast["grid_worker"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="verify-photos-verify_ok"' in page
    field = page.split('data-testid="verify-photos-verify_ok"')[1].split(">")[0]
    assert "required" in field
    assert 'capture="environment"' in page


def test_verifying_a_manhole_without_a_photo_is_refused_and_nothing_changes(client, cast, category):
    assert category.verify_photo_required  # 井盖破损或缺失, a component
    case = make_case(cast, category, status="handled")
    client.force_login(cast["grid_worker"])
    response = verify(client, case)
    assert response.status_code == 400
    assert "请上传至少一张照片" in response.content.decode()
    assert "现场已修复" in response.content.decode()  # what was written stays in the form
    case.refresh_from_db()
    assert case.status == "handled" and case.events.count() == 0


def test_verifying_with_a_photo_closes_the_case_and_keeps_the_photo(client, cast, category):
    case = make_case(cast, category, status="handled")
    client.force_login(cast["grid_worker"])
    response = verify(client, case, photos=[site_photo()])
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"
    photo = CasePhoto.objects.get(case=case)
    assert (photo.kind, photo.uploaded_by) == ("verify", cast["grid_worker"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "核查照片" in page and photo.image.url in page


def test_a_failed_verification_needs_its_photo_too(client, cast, category):
    case = make_case(cast, category, status="handled")
    client.force_login(cast["grid_worker"])
    assert verify(client, case, "verify_fail").status_code == 400
    assert verify(client, case, "verify_fail", photos=[site_photo()]).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.rework_count) == ("in_progress", 1)


def test_a_residents_demand_is_verified_without_a_photo(client, cast):
    dispute = CaseCategory.objects.get(code="2101")  # 邻里纠纷
    assert not dispute.verify_photo_required
    case = make_case(cast, dispute, status="handled")
    client.force_login(cast["grid_worker"])
    assert verify(client, case).status_code == 302
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_the_refusal_reads_in_english(client, cast, category):
    case = make_case(cast, category, status="handled")
    client.force_login(cast["grid_worker"])
    client.cookies["django_language"] = "en"
    body = verify(client, case).content.decode()
    assert "needs a photo taken on site" in body
