"""With English chosen, the party and points pages speak English: nothing Chinese is left in
headings, labels, buttons and placeholders except the data the users typed (names of people,
organizations and places, meeting titles, reasons)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.geo.models import Division
from jiceng.party import meetings, services
from jiceng.party.models import Member, PartyOrg
from tests.conftest import table_headers
from tests.party.conftest import member_user

pytestmark = pytest.mark.django_db

# Han ideographs, CJK punctuation (、。「」) and full-width forms (（）：，)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


class VisibleText(HTMLParser):
    """What a reader sees: text outside <script>/<style>, plus placeholders, titles and alts."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "alt", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def leftover_chinese(html: str) -> list[str]:
    """The visible text pieces that still hold Chinese once every data string is taken out."""
    parser = VisibleText()
    parser.feed(html)
    data = [
        *Division.objects.values_list("name", flat=True),
        *PartyOrg.objects.values_list("name", flat=True),
        *Member.objects.values_list("name", flat=True),
        *User.objects.values_list("full_name", flat=True),
        *User.objects.values_list("username", flat=True),
        *DATA,
    ]
    data = sorted({d for d in data if d}, key=len, reverse=True)
    left = []
    for part in parser.parts:
        for value in data:
            part = part.replace(value, "")
        if CJK.search(part):
            left.append(part.strip())
    return left


# The meeting data the fixture types, and the switch back to Chinese, named in Chinese on purpose.
DATA = ["九月主题党日", "支部党员大会", "党群服务中心", "出差", "中文"]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def party_life(party):
    """A held meeting (one member checked in, one on leave), a planned theme party day, dues
    in arrears for one member and paid for another, and points from the check-in."""
    now = timezone.now()
    held = meetings.meeting_create(
        by=party["secretary"],
        org=party["branch"],
        kind="general_meeting",
        title="支部党员大会",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        place="党群服务中心",
    )
    meetings.meeting_checkin(by=party["alice"].user, code=meetings.checkin_code(held))
    meetings.attendance_record(
        by=party["secretary"], meeting=held, member=party["bob"], present=False, reason="出差"
    )
    planned = meetings.meeting_create(
        by=party["secretary"],
        org=party["branch"],
        kind="theme_day",
        title="九月主题党日",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        place="党群服务中心",
    )
    this_month = timezone.localdate().replace(day=1)
    services.dues_pay(by=party["secretary"], member=party["alice"], month=this_month)
    in_service = member_user(
        party["branch"], "丁一", management_type="in_service", joined_at=date(2015, 7, 1)
    )
    services.registration_submit(
        by=in_service.user, community=party["places"]["community"], member=in_service
    )
    return {"held": held, "planned": planned, "in_service": in_service}


def assert_english(response):
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    assert leftover_chinese(response.content.decode()) == []


def test_the_party_home_page_in_english(english, party, party_life):
    english.force_login(party["secretary"])
    response = english.get(reverse("party:home"))
    assert_english(response)
    body = response.content.decode()
    assert "Dues warnings" in body and "unpaid for three months or more in a row" in body


def test_a_meeting_page_in_english(english, party, party_life):
    english.force_login(party["secretary"])
    response = english.get(reverse("party:meeting", args=[party_life["held"].pk]))
    assert_english(response)
    body = response.content.decode()
    assert "Branch general meeting: " in body
    assert "Present (QR check-in)" in body and "Leave of absence" in body
    assert "Save the minutes" in body and "Mark as present" in body


def test_the_meetings_list_in_english_counts_who_checked_in(english, party, party_life):
    """签到 heads the number of members who checked in here; on an activity's page it is each
    participant's Check-in time."""
    english.force_login(party["secretary"])
    response = english.get(reverse("party:meetings"))
    assert_english(response)
    assert "Checked in" in table_headers(response.content.decode(), "meetings")


def test_the_members_own_page_in_english(english, party, party_life):
    english.force_login(party_life["in_service"].user)
    response = english.get(reverse("party:mine"))
    assert_english(response)
    body = response.content.decode()
    assert "Recent and upcoming meetings" in body and "Register with your home community" in body
    assert "Awaiting review" in body

    english.force_login(party["alice"].user)
    response = english.get(reverse("party:mine"))
    assert_english(response)
    assert "Monthly dues: " in response.content.decode()


def test_the_points_ranking_in_english(english, party, party_life):
    english.force_login(party["secretary"])
    response = english.get(reverse("points:ranking"))
    assert_english(response)
    body = response.content.decode()
    assert "Points ranking" in body and party["alice"].name in body


def test_the_same_pages_stay_chinese_by_default(client, party, party_life):
    client.force_login(party["secretary"])
    body = client.get(reverse("party:meeting", args=[party_life["held"].pk])).content.decode()
    assert "支部党员大会：支部党员大会" in body and "出席（扫码签到）" in body
    assert leftover_chinese(body) != []
