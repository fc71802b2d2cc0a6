"""Dates read in the page's language (issue 19): in English an activity no longer says
"2026年12月3日 09:30"; no template writes a Chinese date pattern by hand."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

import jiceng
from tests.community.conftest import make_activity

pytestmark = pytest.mark.django_db


def test_an_activity_page_shows_its_dates_in_the_readers_language(client, cast):
    starts = timezone.make_aware(datetime(2030, 12, 3, 9, 30))
    activity = make_activity(
        cast,
        starts_in=starts - timezone.now(),
        signup_opens_at=timezone.now() - timedelta(days=1),
        signup_closes_at=starts - timedelta(days=1),
    )
    user = cast["member"].user
    client.force_login(user)
    url = reverse("m_services:activity", args=[activity.pk])
    chinese = client.get(url).content.decode()
    assert "2030年12月3日 09:30" in chinese and "12月2日 09:30" in chinese
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "3 Dec 2030 09:30" in english and "2 Dec 09:30" in english
    assert not re.search(r"\d+月\d+日", english)


def test_no_template_formats_a_date_with_a_chinese_pattern():
    templates = Path(jiceng.__file__).parent.glob("**/templates/**/*.html")
    fixed = [
        f"{path.name}: {m.group(0)}"
        for path in templates
        for m in re.finditer(r'\|date:"[^"]*[年月日][^"]*"', path.read_text())
    ]
    assert not fixed, "use a format name (DATETIME_FORMAT, MONTH_DAY_FORMAT): " + ", ".join(fixed)
