"""Browser: a first secretary reports progress on a phone; the street's supervisor opens a
supervision and a rectification item on a desktop; the community's secretary closes it with a
photo on a phone; the street verifies; the project's progress changes on the public page (no
login). In Chinese and English; no phone page scrolls sideways; screenshots in
tests/browser/screenshots/projects-*.png."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from PIL import Image

from jiceng.projects import services
from jiceng.projects.kinds import load_kinds
from jiceng.projects.models import ProjectKind, Rectification
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.browser


def log_in(page, base, user, lang):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form .primary").first.click()
    page.wait_for_load_state()


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_report_supervise_rectify_verify_and_the_public_page(
    transactional_db, live_server, browser, places, tmp_path, settings, lang
):
    settings.MEDIA_ROOT = tmp_path
    load_kinds(ProjectKind)
    secretary = user_with_role(
        "community_secretary", division=places["community"], full_name="王书记"
    )
    first = user_with_role("member", division=places["community"], full_name="李第一书记")
    street = user_with_role("street_staff", division=places["street"], full_name="赵督查")
    year = timezone.localdate().year
    kinds = {k.code: k for k in ProjectKind.objects.all()}
    root = services.project_create(
        by=secretary,
        kind=kinds["secretary"],
        place=places["community"],
        title="美好家园",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        owner=secretary,
    )
    project = services.project_create(
        by=secretary,
        kind=kinds["first_secretary"],
        place=places["community"],
        title="一老一小服务",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        owner=first,
        parent=root,
        weight=3,
    )
    other = services.project_create(
        by=secretary,
        kind=kinds["secretary"],
        place=places["community"],
        title="楼道整治",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        owner=secretary,
        parent=root,
    )
    services.milestone_add(
        by=secretary, project=project, title="助餐点开张", due_on=date(year, 12, 1)
    )
    services.report_progress(
        by=secretary,
        project=other,
        month=timezone.localdate(),
        text="x",
        progress=20,
        health="on_track",
    )
    base = live_server.url
    shots = SCREENSHOTS
    shots.mkdir(exist_ok=True)
    suffix = "zh" if lang == "zh-hans" else "en"
    phone = browser.new_context(**PHONE).new_page()
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    public_url = f"{base}/m/projects/open/{places['community'].code}/"

    # The public page before: 0 × 3 + 20 × 1 over 4 = 5.0
    phone.goto(public_url)
    assert "5.0%" in phone.locator("[data-testid=public-projects]").inner_text()

    # 1. The first secretary reports on the phone.
    log_in(phone, base, first, lang)
    phone.goto(f"{base}/m/projects/")
    no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / f"projects-phone-home-{suffix}.png"), full_page=True)
    phone.click(f"[data-testid=report-{project.pk}]")
    phone.fill("input[name=month]", timezone.localdate().replace(day=1).isoformat())
    phone.fill("input[name=progress]", "60")
    phone.select_option("select[name=health]", "at_risk")
    phone.fill("textarea[name=text]", "助餐点完成装修")
    no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / f"projects-phone-report-{suffix}.png"), full_page=True)
    phone.locator("[data-testid=report-form] button.primary").click()
    phone.wait_for_url(f"{base}/m/projects/")
    project.refresh_from_db()
    assert project.progress == 60

    # 2. The street's supervisor opens a supervision and a rectification item.
    log_in(desktop, base, street, lang)
    desktop.goto(f"{base}/console/projects/")
    desktop.screenshot(path=str(shots / f"projects-console-tree-{suffix}.png"), full_page=True)
    desktop.goto(f"{base}/console/projects/{project.pk}/")
    desktop.fill("[data-testid=supervise-form] input[name=title]", "月度督查")
    desktop.locator("[data-testid=supervise-form] button").click()
    desktop.wait_for_load_state()
    desktop.locator("[data-testid=item-form] summary").click()
    desktop.fill("[data-testid=item-form] input[name=text]", "补齐项目公示牌")
    desktop.select_option("[data-testid=item-form] select[name=owner]", str(secretary.pk))
    desktop.fill(
        "[data-testid=item-form] input[name=deadline]",
        (timezone.localdate() + timedelta(days=5)).isoformat(),
    )
    desktop.locator("[data-testid=item-form] button.primary").click()
    desktop.wait_for_load_state()
    item = Rectification.objects.get()
    supervision_url = desktop.url

    # 3. The community closes it with a photo, on a phone.
    photo = tmp_path / "after.png"
    Image.new("RGB", (800, 600), (40, 120, 60)).save(photo, "PNG")
    log_in(phone, base, secretary, lang)
    phone.goto(supervision_url)
    no_sideways_scroll(phone)
    form = phone.locator(f"[data-testid=close-{item.pk}]")
    form.locator("input[name=note]").fill("公示牌已更新")
    form.locator("input[name=photo]").set_input_files(str(photo))
    form.locator("button.primary").click()
    phone.wait_for_load_state()
    no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / f"projects-phone-rectify-{suffix}.png"), full_page=True)
    item.refresh_from_db()
    assert item.status == "submitted" and item.photo.name

    # 4. The street verifies.
    desktop.goto(supervision_url)
    desktop.locator(f"[data-testid=verify-{item.pk}] button.primary").click()
    desktop.wait_for_load_state()
    desktop.screenshot(
        path=str(shots / f"projects-console-supervision-{suffix}.png"), full_page=True
    )
    item.refresh_from_db()
    assert item.status == "verified"

    # 5. The public page: (60 × 3 + 20 × 1) / 4 = 50.0
    anon = browser.new_context(**PHONE).new_page()
    anon.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    anon.goto(public_url)
    text = anon.locator("[data-testid=public-projects]").inner_text()
    assert "50.0%" in text and "60.0%" in text
    no_sideways_scroll(anon)
    anon.screenshot(path=str(shots / f"projects-phone-public-{suffix}.png"), full_page=True)
