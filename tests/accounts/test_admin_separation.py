"""The three administrators in the admin (hole 11 of issue 18): each sees what their role
configures, nothing of another's, no business records; every change there is audited."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.core.models import AuditEntry, CalendarDay
from tests.factories import totp_device, user_with_role

pytestmark = pytest.mark.django_db

SYSTEM = {"CalendarDay", "Division", "Partner", "CaseCategory", "Open311Key", "PointRule"}
SECURITY = {"User", "AccessAttempt", "AccessLog", "AccessFailureLog", "TOTPDevice"}
AUDIT = {"AuditEntry"}


def as_admin(client, places, role, **flags):
    """An administrator logged in with the second factor given."""
    user = user_with_role(role, division=places["district"], **flags)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return user


def index_models(client) -> set[str]:
    response = client.get("/admin/")
    assert response.status_code == 200
    return {m["object_name"] for app in response.context["app_list"] for m in app["models"]}


@pytest.mark.parametrize(
    ("role", "theirs", "others"),
    [
        ("system_admin", SYSTEM, SECURITY | AUDIT),
        ("security_admin", SECURITY, SYSTEM | AUDIT),
        ("audit_admin", AUDIT, SYSTEM | SECURITY),
    ],
)
def test_each_administrator_sees_only_what_their_role_configures(
    client, places, role, theirs, others
):
    as_admin(client, places, role)
    shown = index_models(client)
    assert theirs <= shown
    assert not shown & others
    assert not shown & {"Case", "Member", "Booking", "Venue", "Person", "Group"}


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("system_admin", "/admin/accounts/user/"),
        ("system_admin", "/admin/core/auditentry/"),
        ("system_admin", "/admin/axes/accessattempt/"),
        ("security_admin", "/admin/cases/casecategory/"),
        ("security_admin", "/admin/core/auditentry/"),
        ("audit_admin", "/admin/core/calendarday/"),
        ("audit_admin", "/admin/accounts/user/"),
    ],
)
def test_another_administrator_s_tables_are_refused(client, places, role, url):
    as_admin(client, places, role)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_business_records_are_not_in_the_admin_at_all(client, places, role):
    as_admin(client, places, role)
    for url in (
        "/admin/cases/case/",
        "/admin/party/member/",
        "/admin/venues/booking/",
        "/admin/venues/venue/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_superuser_flag_no_longer_opens_everything(client, places):
    # the demo used to make its system administrator a superuser
    as_admin(client, places, "system_admin", is_staff=True, is_superuser=True)
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/core/auditentry/").status_code == 403
    assert "User" not in index_models(client)


def test_the_system_administrator_s_change_is_audited(client, places):
    admin_user = as_admin(client, places, "system_admin")
    response = client.post(
        "/admin/core/calendarday/add/",
        {"date": "2031-10-08", "kind": "holiday", "name": "国庆节", "source": "国办发明电"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date="2031-10-08")
    entry = AuditEntry.objects.get(action="admin.add", object_id=str(day.pk))
    assert entry.actor == admin_user
    assert entry.detail["model"] == "core.calendarday"
    client.post(
        f"/admin/core/calendarday/{day.pk}/change/",
        {"date": "2031-10-08", "kind": "workday", "name": "调休", "source": "国办发明电"},
    )
    change = AuditEntry.objects.get(action="admin.change", object_id=str(day.pk))
    assert "kind" in str(change.detail["changes"]) or "类型" in str(change.detail["changes"])


def test_the_security_administrator_s_changes_are_audited(client, places):
    security = as_admin(client, places, "security_admin")
    worker = user_with_role("grid_worker", division=places["grid1"])
    response = client.post(
        f"/admin/accounts/user/{worker.pk}/change/",
        {
            "username": worker.username,
            "full_name": "张三",
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-0-id": str(worker.role_assignments.get().pk),
            "role_assignments-0-user": str(worker.pk),
        },
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert not worker.is_active
    assert AuditEntry.objects.filter(
        action="admin.change", object_id=str(worker.pk), actor=security
    ).exists()
    # unlocking a locked pair is deleting its attempt: audited too
    attempt = AccessAttempt.objects.create(
        username=worker.username,
        ip_address="198.51.100.66",
        user_agent="x",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )
    client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert AuditEntry.objects.filter(
        action="admin.delete", object_id=str(attempt.pk), actor=security
    ).exists()


def test_an_admin_action_is_audited(client, places):
    security = as_admin(client, places, "security_admin")
    attempt = AccessAttempt.objects.create(
        username="x",
        ip_address="198.51.100.66",
        user_agent="x",
        failures_since_start=1,
        attempt_time=timezone.now(),
    )
    client.post(
        "/admin/axes/accessattempt/",
        {"action": "cleanup_expired_attempts", "_selected_action": [attempt.pk]},
    )
    entry = AuditEntry.objects.get(action="admin.action", actor=security)
    assert entry.detail["action"] == "cleanup_expired_attempts"


def test_the_audit_administrator_reads_the_log_and_cannot_change_it(client, places):
    as_admin(client, places, "audit_admin")
    entry = AuditEntry.objects.create(action="test.action")
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get(f"/admin/core/auditentry/{entry.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_every_model_in_the_admin_names_the_administrator_who_configures_it():
    roles = {"system_admin", "security_admin", "audit_admin"}
    unnamed = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.configured_by not in roles
    ]
    assert unnamed == []


def test_a_business_role_does_not_get_the_admin(client, places):
    secretary = user_with_role("community_secretary", division=places["community"])
    client.force_login(secretary)
    response = client.get("/admin/core/calendarday/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_packages_tables_read_in_chinese_and_in_english(client, places):
    as_admin(client, places, "security_admin")
    page = client.get("/admin/").content.decode()
    assert "登录失败记录" in page and "动态口令设备" in page and "登录锁定" in page
    assert "Access attempts" not in page and "Otp_Totp" not in page
    client.cookies["django_language"] = "en"
    english = client.get("/admin/").content.decode()
    assert "Failed login attempts" in english and "TOTP devices" in english


def test_the_packages_columns_and_fields_read_in_chinese_and_in_english(client, places):
    """Issue 19: inside the lockout and device tables the admin was still English ("IP
    Address", "Attempt Time", "confirmed", "last t")."""
    admin = as_admin(client, places, "security_admin")
    AccessAttempt.objects.create(
        username="someone",
        ip_address="10.0.0.9",
        user_agent="phone",
        http_accept="*/*",
        path_info="/accounts/login/",
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        failures_since_start=2,
    )
    attempts = client.get("/admin/axes/accessattempt/").content.decode()
    assert "IP 地址" in attempts and "尝试时间" in attempts and "失败次数" in attempts
    assert "IP Address" not in attempts and "Attempt Time" not in attempts
    device = TOTPDevice.objects.filter(user=admin).first()
    form = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert "设备名称" in form and "已确认" in form and "时钟偏移（周期）" in form
    assert ">Drift" not in form and ">Confirmed" not in form
    client.cookies["django_language"] = "en"
    english = client.get("/admin/axes/accessattempt/").content.decode()
    assert "IP Address" in english and "IP 地址" not in english
    form = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert "Device name" in form and "设备名称" not in form
