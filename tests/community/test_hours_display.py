"""Service hours read as a person reads them on the pages (issue 19): 12.4, and 12 not 12.0,
never SQLite's 12.4000000000000, in Chinese and in English."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from jiceng.community import services
from jiceng.community.models import Signup
from jiceng.core.templatetags.jiceng import hours
from tests.community.conftest import make_activity


def served(cast, team, *amounts):
    """The member served these hours, one activity of the team each."""
    user = cast["member"].user
    for n, amount in enumerate(amounts):
        a = make_activity(
            cast, starts_in=timedelta(days=n + 2), team=team, title=f"活动{n}", hours=3
        )
        Signup.objects.create(activity=a, user=user, status="confirmed", hours=Decimal(amount))
    return user


@pytest.fixture
def team(cast):
    team = services.team_create(by=cast["secretary"], community=cast["community"], name="红马甲")
    services.team_join(by=cast["secretary"], team=team, user=cast["member"].user)
    return team


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_summed_hours_show_with_one_decimal_and_no_trailing_zeros(client, cast, team, language):
    user = served(cast, team, "6.20", "6.20")
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = language
    detail = client.get(reverse("services:team", args=[team.pk])).content.decode()
    listing = client.get(reverse("services:teams")).content.decode()
    for page in (detail, listing):
        assert "12.4" in page
        assert "12.40" not in page and "12.4000" not in page
    client.force_login(user)
    hub = client.get(reverse("m_services:hub")).content.decode()
    said = {"zh-hans": "累计志愿服务 12.4 小时", "en": "12.4 hours of volunteering in all"}
    assert said[language] in hub


def test_whole_hours_show_without_a_decimal_point(client, cast, team):
    user = served(cast, team, "6.00", "6.00")
    client.force_login(user)
    hub = client.get(reverse("m_services:hub")).content.decode()
    assert "累计志愿服务 12 小时" in hub


def test_the_filter_rounds_to_the_hundredth_and_drops_trailing_zeros():
    assert hours(Decimal("12.4000000000000")) == "12.4"
    assert hours(Decimal("12.00")) == "12"
    assert hours(Decimal("1.25")) == "1.25"
    assert hours(0) == "0"
    assert hours(None) == ""
