"""Places and units are picked, not typed (issue 19): the metrics page and role assignment list
what the actor may use, and the server still resolves what is sent through their scope."""

from __future__ import annotations

import re

import pytest

from jiceng.accounts.models import RoleAssignment
from tests.factories import (
    PASSWORD,
    UserFactory,
    current_token,
    partner,
    totp_device,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def options(body: str, testid: str) -> dict[str, str]:
    select = re.search(rf'<select[^>]*data-testid="{testid}".*?</select>', body, re.S)
    assert select, f"no picker {testid!r}"
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0)))


def test_role_assignment_picks_a_place_of_the_managers_scope(client, places):
    secretary = user_with_role("community_secretary", division=places["community"])
    person = UserFactory(username="newworker")
    client.force_login(secretary)
    body = client.get("/accounts/users/").content.decode()
    places_offered = options(body, "place-picker")
    assert places["grid2"].code in places_offered and places["community"].code in places_offered
    assert places["grid_n"].code not in places_offered  # the neighbour's grid
    assert "公园社区第2网格" in places_offered[places["grid2"].code]
    assert 'data-search="输入名称或代码查找"' in body
    assert "picker.js" in body

    client.post(
        "/accounts/users/assign/",
        {"username": "newworker", "role": "grid_worker", "division_code": places["grid2"].code},
    )
    assert RoleAssignment.objects.filter(user=person, role="grid_worker").exists()
    # A place the picker did not offer, sent anyway, is still refused.
    client.post(
        "/accounts/users/assign/",
        {"username": "newworker", "role": "grid_chief", "division_code": places["grid_n"].code},
    )
    assert not RoleAssignment.objects.filter(user=person, role="grid_chief").exists()


def test_role_assignment_picks_a_unit_of_the_managers_scope(client, places):
    manager = user_with_role("security_admin", division=places["district"])
    ours = partner("公园物业", "property_company", places["street"])
    device = totp_device(manager)
    client.post("/accounts/login/", {"username": manager.username, "password": PASSWORD})
    client.post("/accounts/otp/", {"token": current_token(device)})
    body = client.get("/accounts/users/").content.decode()
    assert options(body, "unit-picker")[str(ours.pk)] == "公园物业"


def test_a_street_which_grants_no_units_role_sees_no_unit_picker(client, places):
    partner("公园物业", "property_company", places["street"])
    street = user_with_role("street_staff", division=places["street"])
    client.force_login(street)
    body = client.get("/accounts/users/").content.decode()
    assert 'data-testid="place-picker"' in body and 'data-testid="unit-picker"' not in body


def test_the_metrics_page_picks_a_place_among_the_viewers_own(client, places):
    street = user_with_role("street_staff", division=places["street"])
    client.force_login(street)
    body = client.get("/cases/metrics/").content.decode()
    offered = options(body, "scope-picker")
    assert set(offered) == {
        places["street"].code,
        places["community"].code,
        places["neighbour"].code,
    }
    assert 'name="scope" value=' not in body  # no typed code any more
    picked = client.get(f"/cases/metrics/?scope={places['community'].code}").content.decode()
    assert f'<option value="{places["community"].code}" selected>' in picked
    # Outside the scope is still 404.
    assert client.get("/cases/metrics/?scope=360602002").status_code == 404


def test_a_communitys_metrics_picker_offers_its_grids(client, places):
    secretary = user_with_role("community_secretary", division=places["community"])
    client.force_login(secretary)
    offered = options(client.get("/cases/metrics/").content.decode(), "scope-picker")
    assert set(offered) == {places["community"].code, places["grid1"].code, places["grid2"].code}


def test_the_pickers_read_in_english(client, places):
    secretary = user_with_role("community_secretary", division=places["community"])
    client.force_login(secretary)
    client.cookies["django_language"] = "en"
    body = client.get("/accounts/users/").content.decode()
    assert 'data-search="Type a name or code to find"' in body


def test_end_is_offered_only_for_roles_the_manager_may_end(client, places):
    """The users page offered "end" on every role a listed person holds; ending a role the
    manager may not grant answered 404 (found by the walk of every link)."""
    secretary = user_with_role("community_secretary", division=places["community"])
    worker = user_with_role("grid_worker", division=places["grid1"])
    street = RoleAssignment.objects.create(
        user=worker, role="street_staff", division=places["street"], scope_code="360602001"
    )
    client.force_login(secretary)
    body = client.get("/accounts/users/").content.decode()
    ours = RoleAssignment.objects.get(user=worker, role="grid_worker")
    assert f"/accounts/users/assignments/{ours.pk}/end/" in body
    assert f"/accounts/users/assignments/{street.pk}/end/" not in body
    assert client.get(f"/accounts/users/assignments/{ours.pk}/end/").status_code == 200
