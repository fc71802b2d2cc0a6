"""The lockout locks the attacker, not the person attacked (hole 7 of issue 18)."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"
OWNER = "203.0.113.10"


def login(client, username, password=PASSWORD, address=ATTACKER):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(client, places):
    owner = user_with_role("street_staff", division=places["street"])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, owner.username, "Wrong@2026")
    # the attacker is locked, even with the right password (level 3: five failures lock)
    locked = login(client, owner.username)
    assert locked.status_code == 429
    assert "已锁定 15 分钟" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # the owner, from their own address, still gets in
    assert login(client, owner.username, address=OWNER).status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_an_address_that_tries_many_usernames_is_locked_as_a_whole(client, places):
    victims = [
        user_with_role("resident", division=places["grid1"])
        for _ in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT // 2)
    ]
    # two wrong passwords for each: no pair reaches five, the address reaches its limit
    for victim in victims:
        login(client, victim.username, "Wrong@2026")
        login(client, victim.username, "Wrong@2026")
    other = user_with_role("resident", division=places["grid2"])
    assert login(client, other.username).status_code == 429
    assert "_auth_user_id" not in client.session
    # the same people from their own addresses are not affected
    assert login(client, other.username, address=OWNER).status_code == 302


def test_below_the_address_limit_a_shared_office_address_keeps_working(client, places):
    # a community office behind one NAT address: a few mistakes by several colleagues
    colleagues = [
        user_with_role("community_worker", division=places["community"]) for _ in range(3)
    ]
    for colleague in colleagues:
        login(client, colleague.username, "Wrong@2026")
    assert login(client, colleagues[0].username).status_code == 302
