"""Pages per role and the accounts page, with the cast: owner, colleague, outsider, anonymous."""

from __future__ import annotations

import pytest

from jiceng.accounts.models import RoleAssignment, User
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(places):
    return {
        "owner": user_with_role("community_secretary", division=places["community"]),
        "colleague": user_with_role("grid_worker", division=places["grid1"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
    }


def nav_keys(body: str) -> set[str]:
    import re

    return set(re.findall(r'data-nav="([a-z_]+)"', body))


def test_the_console_shows_only_what_the_role_may_use(client, cast):
    client.force_login(cast["colleague"])
    body = client.get("/console/").content.decode()
    assert "网格员" in body
    assert {"console", "divisions"} <= nav_keys(body)
    assert not {"audit", "users", "admin"} & nav_keys(body)
    assert client.get("/console/audit/").status_code == 403
    assert client.get("/accounts/users/").status_code == 403


def test_residents_see_their_home_and_no_staff_page(client, places):
    resident = user_with_role("resident", division=places["grid1"])
    worker = user_with_role("grid_worker", division=places["grid1"])
    client.force_login(resident)
    body = client.get("/m/").content.decode()
    assert places["grid1"].name in body and worker.full_name in body
    assert client.get("/console/").status_code == 403
    assert client.get("/m/member/").status_code == 404


def test_anonymous_visitors_are_sent_to_login(client):
    for url in ("/", "/console/", "/m/", "/accounts/users/", "/console/audit/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_accounts_page_lists_only_people_in_the_managers_scope(
    client, cast, places, django_assert_max_num_queries
):
    for i in range(5):
        user_with_role("resident", division=places["grid2"], username=f"ours{i}")
    user_with_role("resident", division=places["grid_n"], username="theirs")
    client.force_login(cast["owner"])
    with django_assert_max_num_queries(12):  # with the pickers' places and units
        body = client.get("/accounts/users/").content.decode()
    assert "ours4" in body and cast["colleague"].username in body
    assert "theirs" not in body and cast["outsider"].username not in body


def test_assigning_a_role_through_the_page(client, cast, places):
    person = UserFactory(username="newworker")
    client.force_login(cast["owner"])
    response = client.post(
        "/accounts/users/assign/",
        {"username": "newworker", "role": "grid_worker", "division_code": places["grid2"].code},
        follow=True,
    )
    assert "已为" in response.content.decode()
    assert RoleAssignment.objects.filter(user=person, role="grid_worker").exists()


def test_assigning_outside_scope_through_the_page_says_why_and_changes_nothing(
    client, cast, places
):
    UserFactory(username="newworker")
    client.force_login(cast["owner"])
    before = RoleAssignment.objects.count()
    for data, message in (
        ({"division_code": places["grid_n"].code}, "不能在您的管辖范围之外分配该角色"),
        ({"division_code": "36060200100"}, "区划代码应为"),
        ({"division_code": "360602001001009"}, "不存在"),
    ):
        body = client.post(
            "/accounts/users/assign/",
            {"username": "newworker", "role": "grid_worker", **data},
            follow=True,
        ).content.decode()
        assert message in body
    assert RoleAssignment.objects.count() == before


def test_creating_an_account_with_a_weak_password_says_why(client, cast):
    client.force_login(cast["owner"])
    body = client.post(
        "/accounts/users/create/",
        {"username": "li", "full_name": "李", "password": "password"},
        follow=True,
    ).content.decode()
    assert "密码须包含" in body
    assert not User.objects.filter(username="li").exists()


def test_ending_an_assignment_outside_scope_is_not_found(client, cast):
    theirs = RoleAssignment.objects.get(user=cast["outsider"])
    client.force_login(cast["owner"])
    assert client.post(f"/accounts/users/assignments/{theirs.pk}/end/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.ended_at is None


def test_the_api_tells_who_i_am_and_refuses_anonymous_callers(client, cast):
    assert client.get("/api/accounts/me").status_code == 401
    assert client.get("/api/accounts/me").json()["detail"] == "请先登录。"
    client.force_login(cast["colleague"])
    me = client.get("/api/accounts/me").json()
    assert me["roles"] == ["grid_worker"]
    assert me["assignments"][0]["scope_code"] == "360602001001001"
    assert client.get("/api/docs").status_code == 200


def test_the_language_switches_to_english_and_back(client, cast):
    client.force_login(cast["colleague"])
    assert "工作台" in client.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/console/"})
    assert "Console" in client.get("/console/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/console/"})
    assert "工作台" in client.get("/console/").content.decode()
