"""Assessment in the browser, on the demo: the district's staff walk from last year's ranking to
one community's score, to an item, to the records behind it, on a desktop and a 390 px phone, in
Chinese and English; nothing scrolls sideways and the pages keep their Content-Security-Policy.
Screenshots go to tests/browser/screenshots/ (or $JICENG_SHOTS)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.browser.conftest import PHONE, SCREENSHOTS, log_in

SIZES = {
    "phone": {**PHONE, "device_scale_factor": 1},
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


def _check(page, size, lang, folder, name):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (name, size, lang, overflow)
    assert page.evaluate("window.__csp") == [], (name, size, lang)
    page.screenshot(path=str(folder / f"assessment-{name}-{size}-{lang}.png"), full_page=True)


def _open(browser, options, lang, base, who):
    """A browser of this size in this language, logged in as ``who``, listening for errors."""
    context = browser.new_context(**options)
    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = context.new_page()
    page.add_init_script(LISTEN)
    log_in(page, base, who)
    return context, page


def test_from_the_ranking_to_the_records_behind_a_score(demo, live_server, browser):
    folder = Path(os.environ.get("JICENG_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    for size, options in SIZES.items():
        for lang in ("zh-hans", "en"):
            context, page = _open(browser, options, lang, base, demo["district_staff"])
            page.goto(f"{base}/console/assessment/")
            page.click("[data-testid=rounds] a")
            page.wait_for_selector("[data-testid=ranking]")
            _check(page, size, lang, folder, "ranking")
            first = page.locator("[data-testid=ranking] tbody a").first
            name = first.inner_text()
            first.click()
            page.wait_for_selector("[data-testid=breakdown]")
            assert name in page.inner_text("h1")
            total = page.inner_text("[data-testid=total]")
            _check(page, size, lang, folder, "score")
            page.click("[data-testid=breakdown] a >> nth=0")
            page.wait_for_selector("[data-testid=points]")
            assert total in page.inner_text("[data-testid=back]")
            _check(page, size, lang, folder, "item")
            records = page.locator("[data-testid=records]")
            assert records.count() == 1, (size, lang)
            records.click()
            page.wait_for_load_state()
            assert "/console/" in page.url and page.locator("h1").count() == 1
            context.close()


def test_a_member_grades_the_secretarys_work_report_on_a_phone(demo, live_server, browser):
    """The demo member finds the secretary's 述职评议 on the phone's 评议评价 page, reads the
    report, picks a grade and submits; the page then shows the grade given and no form. Zh and
    en at 390 px (the vote is taken back between the two runs)."""
    from jiceng.assessment.models import Appraisal, AppraisalVote

    folder = Path(os.environ.get("JICENG_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    login = demo["member"]
    report = Appraisal.objects.get(kind="report")
    for lang, grade in (("zh-hans", "好"), ("en", "Fairly good")):
        AppraisalVote.objects.filter(appraisal=report, rater__username=login.username).delete()
        context = browser.new_context(**SIZES["phone"])
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        page = context.new_page()
        page.add_init_script(LISTEN)
        log_in(page, base, login)
        page.goto(f"{base}/m/assessment/")
        page.wait_for_selector("[data-testid=to-vote]")
        _check(page, "phone", lang, folder, "m-home")
        page.click(f"[data-testid=to-vote] a[href='/m/assessment/appraisals/{report.pk}/']")
        page.wait_for_selector("[data-testid=vote-form]")
        assert page.locator("[data-testid=report]").count() == 1
        _check(page, "phone", lang, folder, "m-vote")
        page.get_by_label(grade, exact=True).check()
        page.click("[data-testid=vote-form] button")
        page.wait_for_selector("[data-testid=voted]")
        assert grade in page.inner_text("[data-testid=voted]")
        assert page.locator("[data-testid=vote-form]").count() == 0
        _check(page, "phone", lang, folder, "m-voted")
        context.close()
    assert (
        AppraisalVote.objects.filter(appraisal=report, rater__username=login.username).count() == 1
    )


def test_a_handling_units_hotline_score_opens_the_cases_it_handled(demo, live_server, browser):
    """Last year's hotline three rates of the handling units: the district opens a unit's score,
    its resolution item and the cases counted (the inbox filtered by the unit and the year); the
    department's own staff read their department's score. Desktop and 390 px phone, zh and en."""
    from jiceng.accounts.models import User
    from jiceng.assessment.models import Result, Round

    folder = Path(os.environ.get("JICENG_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    rnd = Round.objects.get(scheme__key="hotline_handlers")
    department = demo["department_staff"]
    units = User.objects.get(username=department.username).unit_ids
    own = Result.objects.filter(round=rnd, subject_ref__in=[f"unit:{u}" for u in units]).first()
    for size, options in SIZES.items():
        for lang in ("zh-hans", "en"):
            context, page = _open(browser, options, lang, base, demo["district_staff"])
            page.goto(f"{base}/console/assessment/rounds/{rnd.pk}/")
            page.wait_for_selector("[data-testid=ranking]")
            _check(page, size, lang, folder, "units-ranking")
            page.locator("[data-testid=ranking] tbody a").first.click()
            page.wait_for_selector("[data-testid=breakdown]")
            _check(page, size, lang, folder, "unit-score")
            page.click("[data-testid=breakdown] a >> nth=1")  # the resolution rate
            page.wait_for_selector("[data-testid=counted]")
            _check(page, size, lang, folder, "unit-item")
            page.click("[data-testid=records]")
            page.wait_for_selector("[data-testid=handler-filter]")
            assert page.locator("[data-testid=inbox] tbody tr").count() >= 1
            _check(page, size, lang, folder, "unit-cases")
            context.close()
    if own is not None:
        context = browser.new_context(**SIZES["phone"])
        page = context.new_page()
        log_in(page, base, department)
        page.goto(f"{base}/console/assessment/results/{own.pk}/")
        page.wait_for_selector("[data-testid=breakdown]")
        assert own.subject_name in page.inner_text("h1")
        context.close()
