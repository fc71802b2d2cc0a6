"""The onboarding page: what the district has loaded, what is missing, and links that open."""

from __future__ import annotations

import re

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from jiceng.accounts.models import User
from jiceng.cases.models import CaseCategory
from jiceng.core import registry
from jiceng.geo.models import Division
from jiceng.onboarding.services import setup_district
from jiceng.partners.models import Partner
from tests.factories import division, totp_device, user_with_role

pytestmark = pytest.mark.django_db


def as_admin(client, username: str) -> User:
    user = User.objects.get(username=username)
    user.must_change_password = False
    user.save()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return user


@pytest.fixture
def district():
    setup_district(code="320213")
    return Division.objects.get(code="320213")


def lines(html: str) -> dict[str, str]:
    rows = re.findall(r'<tr data-testid="check-([\w.]+)"[^>]*>(.*?)</tr>', html, re.S)
    return {key: re.sub(r"<[^>]+>", " ", body) for key, body in rows}


def test_a_new_district_shows_what_is_missing_with_links_that_open(client, district):
    community = Division.objects.filter(code__startswith="320213", level="community").first()
    grid = division(f"{community.code}001", "第1网格", community)
    grid2 = division(f"{community.code}002", "第2网格", community)
    user_with_role("grid_worker", division=grid)
    CaseCategory.objects.update(default_handler=None)
    categories = CaseCategory.objects.filter(is_active=True).count()
    as_admin(client, "sysadmin")
    response = client.get("/console/onboarding/")
    assert response.status_code == 200
    html = response.content.decode()
    found = lines(html)
    communities = Division.objects.filter(code__startswith="320213", level="community").count()
    assert f"{communities - 1} 个社区或村还没有网格" in " ".join(found["geo.grids"].split())
    assert "1 个网格没有网格员" in " ".join(found["accounts.grid_workers"].split())
    assert f"{communities} 个社区或村没有书记" in " ".join(found["accounts.secretaries"].split())
    assert f"{categories} 个类别没有默认处置单位" in " ".join(found["cases.categories"].split())
    assert "2 个网格没有边界" in " ".join(found["geo.boundaries"].split())
    assert grid2.boundary is None
    # accounts are the security administrator's: said, not linked
    assert "由安全管理员处理" in found["accounts.grid_workers"]
    assert 'href="/accounts/users/"' not in html
    links = set(re.findall(r'<a href="([^"]+)" data-testid="fix-', html))
    assert "/admin/cases/casecategory/" in links
    for url in links:
        assert client.get(url).status_code == 200, url


def test_what_is_done_leaves_its_line_without_links(client, district):
    handler = Partner.objects.create(name="城管局", kind="department", division=district)
    CaseCategory.objects.update(default_handler=handler)
    as_admin(client, "sysadmin")
    html = client.get("/console/onboarding/").content.decode()
    assert "完成" in lines(html)["cases.categories"]
    assert 'data-testid="fix-cases.categories"' not in html


def test_only_the_system_administrator_sees_the_page(client, district):
    as_admin(client, "auditor")
    assert client.get("/console/onboarding/").status_code == 403
    client.force_login(user_with_role("district_staff", division=district))
    assert client.get("/console/onboarding/").status_code == 403
    client.logout()
    assert client.get("/console/onboarding/").status_code == 302


def test_an_app_declares_its_own_line(client, district):
    registry.register_onboarding_check(
        registry.OnboardingCheck(
            "fake.things",
            "假的事项",
            missing=lambda code: 7,
            missing_label="件假的事",
            fixes=(registry.Fix("去某处", "no:such_page", frozenset({"system_admin"})),),
        )
    )
    try:
        as_admin(client, "sysadmin")
        html = client.get("/console/onboarding/").content.decode()
    finally:
        registry.unregister_onboarding_check("fake.things")
    assert "7 件假的事" in " ".join(lines(html)["fake.things"].split())
    assert "去某处" not in html  # a URL that does not exist is left out, not a dead link


def test_the_page_counts_every_line_in_a_bounded_number_of_queries(
    client, district, django_assert_max_num_queries
):
    as_admin(client, "sysadmin")
    with django_assert_max_num_queries(20):
        assert client.get("/console/onboarding/").status_code == 200


def test_the_page_in_english(client, district):
    as_admin(client, "sysadmin")
    client.cookies["django_language"] = "en"
    html = client.get("/console/onboarding/").content.decode()
    assert "Going live" in html and "grids without a grid worker" not in html  # none yet
    assert "communities or villages without a grid" in html
    assert "How to fix" in html
