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


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_commitment_exchange_self_report_scores_and_a_proposal_on_a_phone(
    transactional_db, live_server, browser, places, settings, tmp_path, lang
):
    """The first secretary writes the year's commitment, a quarter's exchange and the
    self-report on a phone; the community and the street score on the console (the grade
    follows); a resident proposes at a 实事's 征集 from the public page. No phone page scrolls
    sideways."""
    settings.MEDIA_ROOT = tmp_path
    load_kinds(ProjectKind)
    secretary = user_with_role(
        "community_secretary", division=places["community"], full_name="王书记"
    )
    first = user_with_role("member", division=places["community"], full_name="李第一书记")
    street = user_with_role("street_staff", division=places["street"], full_name="赵督查")
    resident = user_with_role("resident", division=places["grid1"], full_name="艾丽")
    today = timezone.localdate()
    practical = services.project_create(
        by=secretary,
        kind=ProjectKind.objects.get(code="practical"),
        place=places["community"],
        title="明年为民实事征集",
        starts_on=today.replace(day=1),
        ends_on=date(today.year + 1, 12, 31),
        owner=secretary,
    )
    base = live_server.url
    shots = SCREENSHOTS
    shots.mkdir(exist_ok=True)
    suffix = "zh" if lang == "zh-hans" else "en"
    phone = browser.new_context(**PHONE).new_page()
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

    # 1. The first secretary's commitment, on the phone.
    log_in(phone, base, first, lang)
    phone.goto(f"{base}/m/projects/")
    phone.click("[data-testid=commitments-link]")
    no_sideways_scroll(phone)
    phone.fill(
        "[data-testid=commitment-form] textarea[name=letter]", "扎根社区，办好一老一小实事。"
    )
    phone.fill("[data-testid=commitment-form] textarea[name=tasks]", "建立助餐点\n开设四点半课堂")
    phone.screenshot(path=str(shots / f"projects-phone-commitments-{suffix}.png"), full_page=True)
    phone.locator("[data-testid=commitment-form] button.primary").click()
    phone.wait_for_load_state()
    assert phone.locator("[data-testid=tasks] li").count() == 2
    phone.locator("[data-testid=exchange-form] summary").click()
    quarter = (today.month - 1) // 3 + 1
    phone.select_option("[data-testid=exchange-form] select[name=quarter]", str(quarter))
    phone.fill("[data-testid=exchange-form] input[name=held_on]", today.isoformat())
    phone.fill(
        "[data-testid=exchange-form] textarea[name=summary]", "汇报助餐点选址，听取街道意见。"
    )
    phone.locator("[data-testid=exchange-form] button.primary").click()
    phone.wait_for_load_state()
    assert "汇报助餐点选址" in phone.locator("[data-testid=exchanges]").inner_text()
    phone.fill("[data-testid=self-report-form] textarea", "全年完成承诺事项两项。")
    phone.locator("[data-testid=self-report-form] button.primary").click()
    phone.wait_for_load_state()
    no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / f"projects-phone-commitment-{suffix}.png"), full_page=True)
    commitment_url = phone.url.replace("/m/projects/", "/console/projects/")

    # 2. The community's score, then the street's: the grade follows.
    for who, field, score in ((secretary, "community_score", "86"), (street, "street_score", "90")):
        log_in(desktop, base, who, lang)
        desktop.goto(commitment_url)
        desktop.fill(f"[data-testid={field}-form] input[name={field}-score]", score)
        desktop.locator(f"[data-testid={field}-form] button.primary").click()
        desktop.wait_for_load_state()
    assert desktop.locator("[data-testid=grade] .tag").inner_text() in ("称职", "Competent")
    desktop.screenshot(
        path=str(shots / f"projects-console-commitment-{suffix}.png"), full_page=True
    )
    desktop.goto(f"{base}/console/projects/commitments/")
    desktop.screenshot(
        path=str(shots / f"projects-console-commitments-{suffix}.png"), full_page=True
    )
    # the console's list on a phone-sized screen stacks its table
    log_in(phone, base, street, lang)
    phone.goto(f"{base}/console/projects/commitments/")
    no_sideways_scroll(phone)
    phone.goto(commitment_url)
    no_sideways_scroll(phone)

    # 3. A resident proposes at the 实事's 征集, from the public page.
    log_in(phone, base, resident, lang)
    phone.goto(f"{base}/m/projects/open/{places['community'].code}/")
    phone.click(f"[data-testid=propose-{practical.pk}]")
    phone.fill("[data-testid=proposal-form] textarea[name=text]", "小区门口增设非机动车停放区")
    phone.locator("[data-testid=proposal-form] button.primary").click()
    phone.wait_for_load_state()
    assert "小区门口增设非机动车停放区" in phone.locator("[data-testid=my-proposals]").inner_text()
    no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / f"projects-phone-proposal-{suffix}.png"), full_page=True)
