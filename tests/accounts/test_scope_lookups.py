"""What the role-assignment form names (an account, a unit, a place) is resolved through what the
manager may assign: elsewhere reads exactly like missing, and nothing changes."""

from __future__ import annotations

import html

import pytest

from jiceng.accounts.models import RoleAssignment
from jiceng.core.models import AuditEntry
from tests.factories import UserFactory, partner, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(places):
    return user_with_role("community_secretary", division=places["community"])


def _assign(client, data) -> str:
    before = (RoleAssignment.objects.count(), AuditEntry.objects.count())
    body = html.unescape(client.post("/accounts/users/assign/", data, follow=True).content.decode())
    assert (RoleAssignment.objects.count(), AuditEntry.objects.count()) == before
    return body


def _feedback(body: str) -> str:
    import re

    return " ".join(re.findall(r'<li class="msg[^"]*" role="alert">(.*?)</li>', body, re.S))


def test_an_account_serving_only_in_the_neighbouring_community_reads_like_a_missing_one(
    client, owner, places
):
    user_with_role("grid_worker", division=places["grid_n"], username="theirs")
    client.force_login(owner)
    theirs = _assign(
        client, {"username": "theirs", "role": "grid_worker", "division_code": places["grid2"].code}
    )
    ghost = _assign(
        client, {"username": "ghost", "role": "grid_worker", "division_code": places["grid2"].code}
    )
    assert "用户“theirs”不存在" in theirs
    assert _feedback(theirs).replace("theirs", "ghost") == _feedback(ghost)
    assert not RoleAssignment.objects.filter(
        user__username="theirs", scope_code=places["grid2"].code
    ).exists()


def test_a_new_account_and_a_colleague_can_still_be_given_a_role(client, owner, places):
    new = UserFactory(username="newcomer")
    colleague = user_with_role("grid_worker", division=places["grid1"], username="colleague")
    client.force_login(owner)
    for username in ("newcomer", "colleague"):
        client.post(
            "/accounts/users/assign/",
            {"username": username, "role": "grid_worker", "division_code": places["grid2"].code},
        )
    assert RoleAssignment.objects.filter(user=new, scope_code=places["grid2"].code).exists()
    assert RoleAssignment.objects.filter(user=colleague, scope_code=places["grid2"].code).exists()


def test_a_grid_code_elsewhere_reads_the_same_whether_it_exists_or_not(client, owner, places):
    UserFactory(username="newworker")
    client.force_login(owner)
    existing = _assign(
        client,
        {"username": "newworker", "role": "grid_worker", "division_code": places["grid_n"].code},
    )
    missing = _assign(
        client,
        {"username": "newworker", "role": "grid_worker", "division_code": "360602001002009"},
    )
    assert "不能在您的管辖范围之外分配该角色" in existing
    assert _feedback(existing) == _feedback(missing)


def test_a_unit_of_another_district_reads_like_a_missing_unit(client, places):
    from tests.factories import PASSWORD, current_token, division, totp_device

    elsewhere = division("360603", "邻区")
    theirs = partner("邻区物业", "company", elsewhere)
    admin = user_with_role("security_admin", division=places["district"])
    device = totp_device(admin)
    client.post("/accounts/login/", {"username": admin.username, "password": PASSWORD})
    client.post("/accounts/otp/", {"token": current_token(device)})
    UserFactory(username="newworker")
    outside = _assign(
        client, {"username": "newworker", "role": "partner_staff", "unit_id": theirs.pk}
    )
    missing = _assign(client, {"username": "newworker", "role": "partner_staff", "unit_id": 10**9})
    assert "单位不存在" in outside
    assert _feedback(outside) == _feedback(missing)
