"""Login hardening: password rules, lockout, the second factor, idle staff sessions."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import user_create
from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from tests.factories import PASSWORD, current_token, totp_device, user_with_role

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "至少"),  # Django's length message
        ("abcdefgh1", "至少 3 类"),
        ("ABCDEFGH", "至少 3 类"),
        ("Wangwei@2026", "不能包含用户名"),
        ("iewgnaw@A2026", "不能包含用户名"),
    ],
)
def test_weak_passwords_are_refused_and_no_account_is_made(password, message):
    with pytest.raises(UserError) as refused:
        user_create(username="wangwei", full_name="王伟", password=password, by=None)
    assert message in refused.value.message or "at least" in refused.value.message
    assert not User.objects.filter(username="wangwei").exists()


def test_a_strong_password_makes_the_account_and_audits_it():
    user = user_create(username="wangwei", full_name="王伟", password="Xin@jiang2026", by=None)
    assert user.check_password("Xin@jiang2026")
    assert AuditEntry.objects.filter(action="user.create", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("role", "where", "home"),
    [
        ("resident", "grid1", "/m/"),
        ("member", "community", "/m/member/"),
        ("grid_worker", "grid1", "/console/"),
        ("street_staff", "street", "/console/"),
    ],
)
def test_each_role_lands_on_its_own_home(client, places, role, where, home):
    user = user_with_role(role, division=places[where])
    response = login(client, user.username)
    assert response.status_code == 302
    assert response["Location"] == home
    assert client.get(home).status_code == 200


def test_a_wrong_password_says_so_in_chinese(client, places):
    user = user_with_role("resident", division=places["grid1"])
    response = login(client, user.username, "Wrong@2026")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_for_fifteen_minutes(client, places):
    user = user_with_role("resident", division=places["grid1"])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user.username, "Wrong@2026")
    locked = login(client, user.username)  # the right password, too late
    assert locked.status_code == 429
    assert "已锁定 15 分钟" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # fifteen minutes later the account opens again
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)
    assert login(client, user.username).status_code == 302


def test_an_administrator_needs_the_second_factor_before_any_page(client, places):
    admin = user_with_role("audit_admin", division=places["district"])
    device = totp_device(admin)
    response = login(client, admin.username)
    assert response["Location"] == "/accounts/otp/"
    assert "_auth_user_id" not in client.session
    assert client.get("/console/audit/").status_code == 302  # still not logged in
    wrong = client.post(
        "/accounts/otp/", {"token": "000000" if current_token(device) != "000000" else "111111"}
    )
    assert "验证码错误" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post("/accounts/otp/", {"token": current_token(device)})
    assert ok["Location"] == "/console/"  # the to-do home, audit entries of the day first
    assert client.get("/console/audit/").status_code == 200


def test_an_administrator_without_a_device_binds_one_on_first_login(client, places):
    admin = user_with_role("security_admin", division=places["district"])
    assert login(client, admin.username)["Location"] == "/accounts/otp/setup/"
    page = client.get("/accounts/otp/setup/")
    assert "<svg" in page.content.decode()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=admin)
    assert not device.confirmed
    done = client.post("/accounts/otp/setup/", {"token": current_token(device)})
    assert done["Location"] == "/console/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="user.otp_bound", object_id=str(admin.pk)).exists()


def test_an_administrator_session_without_the_second_factor_is_refused(client, places):
    admin = user_with_role("system_admin", division=places["district"])
    client.force_login(admin)  # a session that skipped the second factor
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_next_only_leads_to_this_site(client, places):
    user = user_with_role("grid_worker", division=places["grid1"])
    assert login(client, user.username, next="https://evil.example/")["Location"] == "/console/"
    client.logout()
    assert (
        login(client, user.username, next="/console/calendar/")["Location"] == "/console/calendar/"
    )


def test_staff_sessions_end_after_thirty_idle_minutes_residents_stay(client, places):
    worker = user_with_role("grid_worker", division=places["grid1"])
    login(client, worker.username)
    client.get("/console/")
    assert client.session.get_expiry_age() == settings.STAFF_IDLE_SECONDS == 30 * 60
    client.logout()
    resident = user_with_role("resident", division=places["grid1"])
    login(client, resident.username)
    client.get("/m/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_logging_in_and_out_is_audited(client, places):
    user = user_with_role("grid_worker", division=places["grid1"])
    login(client, user.username)
    client.post("/accounts/logout/")
    actions = list(AuditEntry.objects.filter(actor=user).values_list("action", flat=True))
    assert actions == ["user.logout", "user.login"]


def test_the_system_administrator_configures_in_the_admin_only_after_the_second_factor(
    client, places
):
    admin = user_with_role("system_admin", division=places["district"])
    admin.is_staff = admin.is_superuser = True
    admin.save()
    device = totp_device(admin)
    login(client, admin.username)
    assert client.get("/admin/").status_code == 302  # password alone is not enough
    client.post("/accounts/otp/", {"token": current_token(device)})
    page = client.get("/admin/core/calendarday/")
    assert page.status_code == 200
    assert "日历调整" in page.content.decode()


def test_staff_without_the_administrator_role_do_not_get_the_admin(client, places):
    worker = user_with_role("grid_worker", division=places["grid1"])
    login(client, worker.username)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
