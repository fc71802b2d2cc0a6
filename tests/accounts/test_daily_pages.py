"""Issue 19's dead ends on the pages each role opens every day: the member home's markup, the
grid worker's report link, buttons that answered 403, and ending a role without a second look."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from jiceng.accounts.models import RoleAssignment
from tests.factories import partner, user_with_role

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The title's raw text and where each data-testid element sits (inside <head> or <body>)."""

    def __init__(self) -> None:
        super().__init__()
        self.title, self.in_title, self.in_body = "", False, False
        self.body_testids: list[str] = []
        self.head_testids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self.in_title = True
        elif self.in_title:
            self.title += f"<{tag}>"
        if tag == "body":
            self.in_body = True
        if "data-testid" in attrs:
            (self.body_testids if self.in_body else self.head_testids).append(attrs["data-testid"])

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data


def _parse(body: str) -> _Page:
    page = _Page()
    page.feed(body)
    return page


# --- the member home ---------------------------------------------------------------------------


def test_the_member_home_has_a_plain_title_and_its_links_once_in_the_body(client, places):
    from jiceng.party.models import PartyOrg
    from tests.party.conftest import member_user

    branch = PartyOrg.objects.create(
        name="公园社区第1网格党支部", kind="branch", division=places["grid1"]
    )
    member = member_user(branch, "艾丽")
    client.force_login(member.user)
    body = client.get(reverse("member_home")).content.decode()
    page = _parse(body)
    assert page.title.strip() == "党员之家"
    assert page.head_testids == []
    assert page.body_testids.count("member-links") == 1
    # The body's class is the phone layout alone, not a navigation's markup.
    assert re.search(r'<body class="mobile">', body)


# --- the grid worker reports first -------------------------------------------------------------


def test_the_grid_workers_home_and_navigation_lead_with_reporting_a_problem(client, places):
    worker = user_with_role("grid_worker", division=places["grid1"])
    client.force_login(worker)
    body = client.get(reverse("console:home")).content.decode()
    report = reverse("cases:report")
    assert re.search(rf'<a class="button primary" href="{report}" data-testid="report-link">', body)
    nav = re.findall(r'href="([^"]+)" data-nav="([a-z_]+)"', body)
    assert nav[0] == (report, "report")
    assert client.get(report).status_code == 200


def test_staff_who_do_not_report_are_not_offered_the_report_link(client, places):
    secretary = user_with_role("community_secretary", division=places["community"])
    client.force_login(secretary)
    body = client.get(reverse("console:home")).content.decode()
    assert 'data-testid="report-link"' not in body and 'data-nav="report"' not in body


# --- a unit's staff open what they are shown ---------------------------------------------------


def _links(body: str) -> list[str]:
    """The page's own links inside the content (the buttons and actions a user would press)."""
    main = body.split('<main class="page">', 1)[1]
    return [u for u in re.findall(r'href="(/[^"]*)"', main) if not u.startswith("/static/")]


@pytest.mark.parametrize(
    "role,kind", [("department_staff", "department"), ("partner_staff", "enterprise")]
)
def test_a_units_staff_open_every_button_of_the_case_inbox(client, places, role, kind):
    unit = partner("城市管理局" if kind == "department" else "江边供电所", kind, places["district"])
    client.force_login(user_with_role(role, unit=unit))
    inbox = client.get(reverse("cases:inbox"))
    assert inbox.status_code == 200
    links = _links(inbox.content.decode())
    assert reverse("cases:metrics") in links
    for url in links:
        assert client.get(url).status_code == 200, url


def test_a_department_sees_its_own_units_figures_and_no_place_to_choose(client, places):
    unit = partner("城市管理局", "department", places["district"])
    client.force_login(user_with_role("department_staff", unit=unit))
    body = client.get(reverse("cases:metrics")).content.decode()
    assert 'data-testid="figures"' in body and "城市管理局" in body
    assert 'name="scope"' not in body and 'name="by"' not in body


def test_partner_staff_open_the_points_ranking_they_are_shown_for_their_own_organization(
    client, places
):
    from jiceng.party.models import PartyOrg
    from tests.party.conftest import make_member

    unit = partner("江边供电所", "enterprise", places["community"])
    staff = user_with_role("partner_staff", unit=unit)
    ours = PartyOrg.objects.create(
        name="江边供电所党支部", kind="branch", division=places["community"], partner=unit
    )
    PartyOrg.objects.create(name="公园社区第1网格党支部", kind="branch", division=places["grid1"])
    make_member(ours, "甲")
    client.force_login(staff)
    home = client.get(reverse("party:home")).content.decode()
    ranking = reverse("points:ranking")
    assert f'href="{ranking}"' in home
    page = client.get(ranking)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'<option value="{ours.pk}" selected>' in body
    assert "公园社区第1网格党支部" not in body and "本辖区全部" not in body


def test_partner_staff_whose_unit_has_no_party_organization_are_told_so(client, places):
    unit = partner("江边物流公司", "enterprise", places["community"])
    client.force_login(user_with_role("partner_staff", unit=unit))
    page = client.get(reverse("points:ranking"))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="no-org"' in body
    assert '<select name="org">' not in body  # no empty picker


# --- ending a role takes a second look ---------------------------------------------------------


@pytest.fixture
def secretary_and_worker(places):
    return (
        user_with_role("community_secretary", division=places["community"]),
        user_with_role("grid_worker", division=places["grid1"], full_name="王小明"),
    )


def test_ending_a_role_first_asks_and_ends_it_only_when_confirmed(client, secretary_and_worker):
    secretary, worker = secretary_and_worker
    assignment = RoleAssignment.objects.get(user=worker)
    url = reverse("accounts:role_end", args=[assignment.pk])
    client.force_login(secretary)
    users = client.get(reverse("accounts:users")).content.decode()
    assert f'href="{url}" data-testid="role-end"' in users
    for first in (client.get(url), client.post(url)):
        assert first.status_code == 200
        body = first.content.decode()
        assert "确定终止 王小明 的“网格员”角色吗？" in body and 'name="confirm" value="1"' in body
        assignment.refresh_from_db()
        assert assignment.ended_at is None
    done = client.post(url, {"confirm": "1"}, follow=True)
    assert "已终止该角色分配。" in done.content.decode()
    assignment.refresh_from_db()
    assert assignment.ended_at is not None and assignment.ended_by == secretary


def test_the_confirmation_of_an_assignment_elsewhere_is_not_found(client, places):
    secretary = user_with_role("community_secretary", division=places["community"])
    theirs = user_with_role("grid_worker", division=places["grid_n"])
    assignment = RoleAssignment.objects.get(user=theirs)
    client.force_login(secretary)
    url = reverse("accounts:role_end", args=[assignment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "1"}).status_code == 404
    assignment.refresh_from_db()
    assert assignment.ended_at is None


def test_the_confirmation_and_the_report_link_read_in_english(client, secretary_and_worker, places):
    secretary, worker = secretary_and_worker
    assignment = RoleAssignment.objects.get(user=worker)
    client.cookies["django_language"] = "en"
    client.force_login(secretary)
    url = reverse("accounts:role_end", args=[assignment.pk])
    body = client.get(url).content.decode()
    assert "End the role “Grid worker” of 王小明?" in body and "Yes, end it" in body
    client.force_login(worker)
    body = client.get(reverse("console:home")).content.decode()
    assert ">Report a problem</a>" in body
