"""core.scope: the one helper that resolves what a request names through what the actor sees."""

import pytest
from django.utils import translation

from jiceng.core.errors import NotFound
from jiceng.core.scope import (
    at_most,
    code_at,
    community_of,
    covers,
    district_of,
    enclosing,
    grid_of,
    level_of,
    street_of,
    user_covers,
    visible_or_404,
)
from jiceng.geo.models import Division


def test_covers_is_a_prefix_rule():
    assert covers(["360602001"], "360602001002")
    assert covers(["360602001"], "360602001")
    assert not covers(["360602001"], "360602002001")
    assert not covers([], "360602")
    assert not covers(["360602"], "")


@pytest.mark.django_db
def test_outside_the_set_missing_malformed_and_huge_ids_read_alike():
    inside = Division.objects.create(code="360602001", name="甲街道", level="street")
    outside = Division.objects.create(code="360602002", name="乙街道", level="street")
    visible = Division.objects.filter(code__startswith="360602001")
    assert visible_or_404(visible, pk=inside.pk) == inside
    messages = set()
    for value in (outside.pk, 10**6, "abc", 2**63, -(2**63) - 1, None):
        with pytest.raises(NotFound) as refused:
            visible_or_404(visible, pk=value)
        messages.add(refused.value.message)
    assert len(messages) == 1


@pytest.mark.django_db
def test_not_found_reads_in_the_users_language():
    with translation.override("en"), pytest.raises(NotFound) as refused:
        visible_or_404(Division.objects.none(), pk=1)
    assert refused.value.message == "Not found, or outside what you may see."


# --- the places a code lies in -------------------------------------------------------------------

DISTRICT = "360602"
STREET = "360602001"
COMMUNITY = "360602001002"
GRID = "360602001002003"


def test_a_grid_code_names_every_place_it_lies_in():
    assert district_of(GRID) == DISTRICT
    assert street_of(GRID) == STREET
    assert community_of(GRID) == COMMUNITY
    assert grid_of(GRID) == GRID
    assert level_of(GRID) == "grid"


def test_a_place_is_its_own_place_at_its_level():
    assert district_of(DISTRICT) == DISTRICT
    assert street_of(STREET) == STREET
    assert community_of(COMMUNITY) == COMMUNITY
    assert level_of(DISTRICT) == "district"
    assert level_of(COMMUNITY) == "community"


def test_a_district_code_has_no_street_community_or_grid():
    assert street_of(DISTRICT) == ""
    assert community_of(DISTRICT) == ""
    assert grid_of(DISTRICT) == ""
    assert community_of(STREET) == ""
    assert grid_of(COMMUNITY) == ""


def test_an_empty_code_names_no_place():
    for code in ("", None):
        assert district_of(code) == ""
        assert street_of(code) == ""
        assert community_of(code) == ""
        assert grid_of(code) == ""
        assert at_most(code, "community") == ""
        assert level_of(code) is None
    assert level_of("3606021") is None


def test_a_code_of_another_district_lies_in_that_district_only():
    other = "360681001002003"
    assert district_of(other) == "360681"
    assert street_of(other) == "360681001"
    assert not covers([district_of(GRID)], other)
    assert not covers([street_of(GRID), community_of(GRID)], other)
    assert covers([district_of(other)], other)


def test_at_most_widens_a_smaller_place_and_keeps_a_larger_one():
    assert at_most(GRID, "community") == COMMUNITY
    assert at_most(GRID, "street") == STREET
    assert at_most(COMMUNITY, "community") == COMMUNITY
    assert at_most(STREET, "community") == STREET
    assert at_most(DISTRICT, "street") == DISTRICT


def test_code_at_names_the_level_or_fails_loudly():
    assert code_at(GRID, "street") == STREET
    with pytest.raises(KeyError):
        code_at(GRID, "province")


def test_enclosing_lists_the_larger_places_district_first():
    assert enclosing(GRID) == [DISTRICT, STREET, COMMUNITY]
    assert enclosing(STREET) == [DISTRICT]
    assert enclosing(DISTRICT) == []
    assert enclosing("") == [] and enclosing(None) == []


@pytest.mark.django_db
def test_user_covers_asks_for_the_role_and_the_place(places):
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import user_with_role

    worker = user_with_role("community_worker", division=places["community"])
    grid = places["grid1"].code
    assert user_covers(worker, ["community_worker"], grid)
    assert user_covers(worker, ["community_worker"], places["community"].code)
    assert not user_covers(worker, ["street_staff"], grid)  # the place, but not the role
    assert not user_covers(worker, ["community_worker"], places["grid_n"].code)  # the neighbour
    assert not user_covers(worker, ["community_worker"], places["street"].code)  # above it
    assert not user_covers(worker, ["community_worker"], "")
    assert not user_covers(AnonymousUser(), ["community_worker"], grid)
