"""A refusal on the accounts pages reaches who chose English in English, and changes nothing
(the messages are Chinese by default; see test_pages.py and test_roles.py)."""

from __future__ import annotations

import html

import pytest

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.models import AuditEntry
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(places):
    """A community secretary, with a colleague who is already a grid worker in grid 2."""
    UserFactory(username="newworker")
    user_with_role("grid_worker", division=places["grid2"], username="worker2")
    return user_with_role("community_secretary", division=places["community"])


def create(**form):
    return "/accounts/users/create/", {"username": "li", "full_name": "李", **form}


def assign(places, *, division: str, **form):
    """Make ``newworker`` a grid worker in ``division``: a key of ``places`` or a code as typed."""
    code = places[division].code if division in places else division
    data = {"username": "newworker", "role": "grid_worker", "division_code": code, **form}
    return "/accounts/users/assign/", data


CASES = [
    (lambda p: create(password="Abc!12345", username="worker2"), 'The username "worker2" is'),
    (lambda p: create(password="password"), "at least 3 of these four"),
    (lambda p: create(password=""), "Please fill in the username, the name and an initial"),
    (lambda p: assign(p, username="ghost", division="grid2"), 'There is no user "ghost".'),
    (
        lambda p: assign(p, division="community"),
        'The role "Grid worker" can only be assigned at the level of Grid, not Community/',
    ),
    (
        lambda p: assign(p, division="grid_n"),
        "You cannot assign this role outside your area.",
    ),
    (
        lambda p: assign(p, division="36060200100"),
        "A division code has 6 digits (district), 9 (street), 12 (community) or 15 (grid); "
        '"36060200100" has 11.',
    ),
    (
        lambda p: assign(p, username="worker2", division="grid2"),
        "This user already holds the role Grid worker here.",
    ),
]
IDS = [
    "username-taken",
    "weak-password",
    "no-password",
    "unknown-user",
    "wrong-level",
    "outside-scope",
    "malformed-code",
    "same-role-twice",
]


@pytest.mark.parametrize(("request_", "says"), CASES, ids=IDS)
def test_bad_account_input_is_explained_in_english_to_who_chose_it(
    client, places, owner, request_, says
):
    url, data = request_(places)
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    before = (User.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count())
    body = html.unescape(client.post(url, data, follow=True).content.decode())
    assert says in body
    assert (User.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()) == (
        before
    )
