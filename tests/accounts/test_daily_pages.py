"""Issue 19's dead ends on the pages each role opens every day: the member home's markup, the
grid worker's report link, buttons that answered 403, and ending a role without a second look."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

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
