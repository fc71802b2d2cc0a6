"""Demonstration sites: the district's staff add and change them (audited, photos checked), the
street and community staff read them, nobody else; refused input changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from jiceng.core.models import AuditEntry
from jiceng.dashboard.models import DemoSite, DemoSitePhoto

pytestmark = pytest.mark.django_db


def photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "JPEG")
    return SimpleUploadedFile("a.jpg", buf.getvalue(), content_type="image/jpeg")


def form(cast, **over):
    data = {
        "name": "公园社区党建引领红色物业",
        "domain": "governance",
        "level": "community",
        "division": cast["community"].pk,
        "story": "物业、业委会、社区三方联席，每月一次。",
        "year": 2025,
        "is_active": "on",
    }
    data.update(over)
    return data


def test_the_district_adds_a_site_with_a_photo_and_an_audit_entry(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast["district_staff"])
    r = client.post(reverse("sites:new"), {**form(cast), "photos": photo()})
    assert r.status_code == 302, r.content.decode()[:2000]
    site = DemoSite.objects.get()
    assert site.scope_code == "360602001001" and site.created_by == cast["district_staff"]
    assert DemoSitePhoto.objects.filter(site=site).count() == 1
    assert AuditEntry.objects.filter(action="site.create", object_id=str(site.pk)).exists()
    page = client.get(reverse("sites:detail", args=[site.pk])).content.decode()
    image = DemoSitePhoto.objects.get().image
    assert image.url in page
    assert client.get(image.url).status_code == 200
    client.force_login(cast["outsider"])
    assert client.get(image.url).status_code == 404
    r = client.post(reverse("sites:edit", args=[site.pk]), form(cast, name="红色物业（新）"))
    assert r.status_code == 404


def test_a_wrong_level_for_the_place_is_refused_and_nothing_is_written(client, cast):
    client.force_login(cast["district_staff"])
    r = client.post(reverse("sites:new"), form(cast, level="street"))
    assert r.status_code == 400 and "应选一个街道" in r.content.decode()
    assert "公园社区党建引领红色物业" in r.content.decode()  # what was typed is kept
    r = client.post(reverse("sites:new"), form(cast, lon="117.1"))
    assert r.status_code == 400 and "经度和纬度" in r.content.decode()
    assert not DemoSite.objects.exists() and not AuditEntry.objects.filter(action="site.create")


def test_street_staff_read_the_sites_but_do_not_keep_them(client, cast):
    site = DemoSite.objects.create(
        name="江边街道", domain="organization", level="street", division=cast["street"]
    )
    client.force_login(cast["street_staff"])
    html = client.get(reverse("sites:list")).content.decode()
    assert "江边街道" in html and 'data-testid="site-new"' not in html
    assert client.get(reverse("sites:detail", args=[site.pk])).status_code == 200
    assert client.get(reverse("sites:new")).status_code == 403
    assert client.get(reverse("sites:edit", args=[site.pk])).status_code == 403
    client.force_login(cast["district_staff"])
    r = client.post(
        reverse("sites:edit", args=[site.pk]),
        form(cast, name="江边街道（示范）", level="street", division=cast["street"].pk),
    )
    assert r.status_code == 302
    site.refresh_from_db()
    assert site.name == "江边街道（示范）"
    assert AuditEntry.objects.filter(action="site.update").count() == 1


def test_the_sites_list_keeps_to_its_query_budget(client, cast, django_assert_max_num_queries):
    for i in range(30):
        DemoSite.objects.create(
            name=f"示范点{i}", domain="services", level="community", division=cast["community"]
        )
    client.force_login(cast["district_staff"])
    with django_assert_max_num_queries(10):
        assert client.get(reverse("sites:list")).status_code == 200
