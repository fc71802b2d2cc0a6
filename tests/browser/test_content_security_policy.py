"""The pages pass their own Content-Security-Policy: no script, style or resource is refused.

A listener installed before any page script records every `securitypolicyviolation` event, and
the console's "Refused to ..." messages are kept too; each role walks its home, every page its
navigation offers, and the pages that carry inline scripts (report form, case map, QR screens).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                    " at " + e.sourceFile + ":" + e.lineNumber);
});
"""

# role -> pages besides its home and its navigation
EXTRA = {
    "resident": ["/cases/report/", "/cases/mine/", "/m/services/", "/m/venues/"],
    "member": ["/points/me/"],
    "community_secretary": ["/cases/inbox/", "/console/party/orgs/", "/console/registry/import/"],
    "system_admin": ["/admin/", "/admin/cases/casecategory/", "/admin/cases/casecategory/add/"],
    "security_admin": ["/accounts/users/"],
    "audit_admin": ["/console/audit/"],
}


@pytest.fixture
def watched(desktop):
    """A page that records CSP violations: events and console messages alike."""
    seen: list[str] = []
    desktop.add_init_script(LISTEN)
    desktop.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )

    def violations() -> list[str]:
        events = desktop.evaluate("window.__csp || []")
        return events + seen

    desktop.violations = violations
    return desktop


def visit(page, url: str) -> list[str]:
    response = page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(50)  # events are dispatched after the refusal, in a task of their own
    assert response.status < 500, (url, response.status)
    assert response.headers.get("content-security-policy"), url
    return [f"{url}: {v}" for v in page.violations()]


@pytest.mark.parametrize("role", sorted(EXTRA))
def test_the_main_pages_of_each_role_pass_the_content_security_policy(
    role, demo, live_server, watched
):
    base = live_server.url
    log_in(watched, base, demo[role])
    paths = [watched.url.removeprefix(base)]
    paths += watched.locator("[data-nav]").evaluate_all("els => els.map(e => e.pathname)")
    paths += EXTRA[role]
    if role == "community_secretary":
        # A case's page (its map carries an inline style) and a meeting's QR screen.
        from jiceng.accounts.models import User
        from jiceng.cases.models import Case
        from jiceng.community.models import Activity
        from jiceng.party.models import Meeting
        from jiceng.registry.models import ImportJob

        user = User.objects.get(username=demo[role].username)
        case = Case.objects.visible_to(user).order_by("number").first()
        meeting = Meeting.objects.visible_to(user).order_by("pk").first()
        activity = Activity.objects.visible_to(user).order_by("pk").first()
        job = ImportJob.objects.create(
            by=user, file_name="人口.xlsx", path="-", status="running", total=10, processed=3
        )
        paths += [
            f"/cases/{case.number}/",
            f"/console/party/meetings/{meeting.pk}/qr/",
            f"/console/services/activities/{activity.pk}/qr/",
            f"/console/registry/import/{job.pk}/",  # polls its progress from a nonced script
        ]
    problems: list[str] = []
    for path in dict.fromkeys(paths):
        problems += visit(watched, f"{base}{path}")
    if role == "community_secretary":
        # The import page's script runs: it polls and shows the progress the task made since.
        ImportJob.objects.filter(pk=job.pk).update(processed=7)
        progress = watched.locator("[data-testid=progress]")
        watched.wait_for_function("el => el.value === 70", arg=progress.element_handle())
        problems += [f"after polling: {v}" for v in watched.violations()]
    assert problems == []


def test_the_pin_map_of_the_report_form_still_works_under_the_policy(demo, live_server, phone):
    """The inline script of the report form runs (it carries the response's nonce)."""
    phone.add_init_script(LISTEN)
    log_in(phone, live_server.url, demo["resident"])
    phone.goto(f"{live_server.url}/cases/report/")
    box = phone.locator("#pin-box")
    assert box.is_visible(), "the script that reveals the map did not run"
    box.locator("svg").click(position={"x": 40, "y": 40})
    assert phone.locator("input[name=lon]").input_value() != ""
    assert phone.evaluate("window.__csp") == []
