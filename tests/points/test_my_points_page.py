"""The member's points page (issue 19): entries stand under the year they happened in, with
dates that carry their year; an entry of last year never shows under this year."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.utils import timezone

from jiceng.points import services

pytestmark = pytest.mark.django_db


def award(member, key, when):
    return services.award(
        source="party.meeting.theme_day", source_key=key, member=member, occurred_at=when
    )


def sections(page: str) -> dict[int, str]:
    """Each year heading's number and the table that follows it."""
    parts = re.split(r'<h3 data-testid="entries-year" data-year="(\d+)">', page)
    return {int(year): body for year, body in zip(parts[1::2], parts[2::2], strict=True)}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_entry_of_last_year_stands_under_last_year_with_its_year(client, party, language):
    alice = party["alice"]
    this_year = timezone.localdate().year
    last = timezone.make_aware(datetime(this_year - 1, 12, 20, 10))
    now = timezone.make_aware(datetime(this_year, 1, 2, 10))
    award(alice, "attendance:old", last)
    award(alice, "attendance:new", now)
    client.force_login(alice.user)
    client.cookies["django_language"] = language
    page = client.get("/points/me/").content.decode()
    by_year = sections(page)
    assert list(by_year) == [this_year, this_year - 1]
    assert f"{this_year - 1}-12-20" in by_year[this_year - 1]
    assert f"{this_year - 1}-12-20" not in by_year[this_year]
    assert f"{this_year}-01-02" in by_year[this_year]
    heading = {"zh-hans": f"{this_year - 1}年度", "en": f"Year {this_year - 1}"}[language]
    assert heading in page
