"""The console home counts only the places below the user's own: a community's staff are not
told their community holds 0 streets and 1 community (issue 19: "a community home shows
'0 streets'"); the street sees its communities and grids, the district all three."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _figures(client, user) -> dict[str, str]:
    client.force_login(user)
    html = client.get(reverse("console:home")).content.decode()
    pairs = re.findall(r'<div class="value">([^<]*)</div><div class="label">([^<]*)</div>', html)
    return {label: value for value, label in pairs}


@pytest.mark.parametrize(
    ("role", "place", "shown", "hidden"),
    [
        ("community_secretary", "community", {"网格": "2"}, {"街道", "社区和村"}),
        ("street_staff", "street", {"社区和村": "2", "网格": "3"}, {"街道"}),
        ("district_staff", "district", {"街道": "1", "社区和村": "2", "网格": "3"}, set()),
    ],
)
def test_the_console_counts_the_places_below_the_users_own(
    client, places, role, place, shown, hidden
):
    figures = _figures(client, user_with_role(role, division=places[place]))
    for label, value in shown.items():
        assert figures.get(label) == value, (label, figures)
    assert not hidden & set(figures), figures
