"""A home's figures are kept in the cache for JICENG_FIGURES_TTL seconds per place: a second
home of the same place counts nothing, another place counts its own, and the values come back
fresh once the time is up (the cache emptied here)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import division
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _grids(client) -> str:
    body = client.get(reverse("console:home")).content.decode()
    for value, label in re.findall(
        r'<div class="value">([^<]*)</div><div class="label">([^<]*)</div>', body
    ):
        if label == "网格":
            return value
    raise AssertionError("no grid figure")


def test_the_figures_are_counted_once_per_place_until_the_time_is_up(client, places, settings):
    settings.JICENG_FIGURES_TTL = 300
    cache.clear()
    client.force_login(user_with_role("street_staff", division=places["street"]))
    assert _grids(client) == "3"
    division("360602001001003", "公园社区第3网格", places["community"])
    assert _grids(client) == "3"  # a few minutes old, as the setting says
    other = user_with_role("community_secretary", division=places["neighbour"])
    client.force_login(other)
    assert _grids(client) == "1"  # another place counts its own
    cache.clear()  # the time is up
    client.force_login(user_with_role("street_staff", division=places["street"]))
    assert _grids(client) == "4"


def test_with_no_time_the_figures_are_counted_on_every_request(client, places, settings):
    settings.JICENG_FIGURES_TTL = 0
    client.force_login(user_with_role("street_staff", division=places["street"]))
    assert _grids(client) == "3"
    division("360602001001003", "公园社区第3网格", places["community"])
    assert _grids(client) == "4"
