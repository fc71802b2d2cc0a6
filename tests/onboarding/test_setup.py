"""`jiceng setup --district CODE`: a district's streets and communities from the shipped 2023
division data, its three administrators, refusals, idempotence and the first login."""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import resolve
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.models import AuditEntry
from jiceng.geo.divisions import district_data
from jiceng.geo.models import Division
from tests.factories import current_token

pytestmark = pytest.mark.django_db

# Streets, communities (residents' committees) and villages of the five case studies' districts,
# counted in ../shared/data/divisions/ (streets.csv, villages.csv.gz; codes 200-399 villages).
CASE_STUDIES = {
    "360602": ("月湖区", 8, 80, 14),
    "330212": ("鄞州区", 25, 204, 203),
    "610822": ("府谷县", 14, 17, 172),
    "450204": ("柳南区", 11, 58, 40),
    "320213": ("梁溪区", 9, 159, 0),
}
SOURCE = Path(__file__).resolve().parents[3] / "shared" / "data" / "divisions"


def setup(*args: str) -> str:
    out = io.StringIO()
    call_command("setup", *args, stdout=out)
    return out.getvalue()


def passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"(\w+)\s+一次性密码 (\S+)", output))


@pytest.mark.parametrize("code", sorted(CASE_STUDIES))
def test_each_case_study_district_is_set_up_from_the_shipped_data(code):
    name, streets, communities, villages = CASE_STUDIES[code]
    output = setup("--district", code)
    district = Division.objects.get(code=code)
    assert district.name == name and district.level == "district"
    below = Division.objects.filter(code__startswith=code)
    assert below.filter(level="street").count() == streets
    assert below.filter(level="community", kind="community").count() == communities
    assert below.filter(level="community", kind="village").count() == villages
    assert not below.filter(level="grid").exists()  # grids come from the district's GIS
    assert f"{streets} 个街道（乡镇），{communities} 个社区，{villages} 个村" in output
    # every community hangs under its street
    assert all(
        c.parent.code == c.code[:9]
        for c in below.filter(level="community").select_related("parent")
    )
    assert "/console/onboarding/" in output and "/accounts/login/" in output


@pytest.mark.skipif(not SOURCE.exists(), reason="the source data is not beside the repository")
def test_the_shipped_data_holds_the_source_rows_of_each_case_study():
    wanted = set(CASE_STUDIES)
    streets: dict[str, set] = {code: set() for code in wanted}
    villages: dict[str, set] = {code: set() for code in wanted}
    with open(SOURCE / "streets.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["areaCode"] in wanted:
                streets[r["areaCode"]].add((r["code"], r["name"]))
    with gzip.open(SOURCE / "villages.csv.gz", "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["areaCode"] in wanted:
                villages[r["areaCode"]].add((r["code"], r["name"]))
    for code in wanted:
        data = district_data(code)
        assert set(data.streets) == streets[code]
        assert set(data.communities) == villages[code]


def test_the_three_administrators_get_one_time_passwords_and_roles_at_the_district():
    output = setup("--district", "320213")
    issued = passwords(output)
    assert set(issued) == {"sysadmin", "secadmin", "auditor"}
    for username, role in (
        ("sysadmin", "system_admin"),
        ("secadmin", "security_admin"),
        ("auditor", "audit_admin"),
    ):
        user = User.objects.get(username=username)
        assert user.must_change_password
        assert user.check_password(issued[username])
        assert list(user.role_assignments.values_list("role", "scope_code")) == [(role, "320213")]
        assert not TOTPDevice.objects.filter(user=user).exists()  # enrolled at first login
    entry = AuditEntry.objects.get(action="system.setup")
    assert entry.object_repr.startswith("梁溪区") and entry.detail["streets"] == 9


def test_the_next_steps_give_the_staff_sheet_to_the_security_administrator():
    """三员分立: accounts and roles are the security administrator's to import; the steps name
    pages that exist, in the order the imports need (grids and units, accounts, members)."""
    output = setup("--district", "360602", "--url", "https://jiceng.example.gov.cn/")
    steps = output.split("下一步：", 1)[1].splitlines()
    staff = [line for line in steps if "工作人员" in line]
    assert len(staff) == 1 and "安全管理员" in staff[0] and "三员分立" in staff[0]
    system = [
        line for line in steps if line.strip(" -").startswith("系统管理员") and "导入" in line
    ]
    assert system and not any("工作人员" in line or "人员和" in line for line in system)
    order = [next(i for i, line in enumerate(steps) if word in line)
             for word in ("网格边界", "工作人员", "党员")]  # fmt: skip
    assert order == sorted(order)
    for url in re.findall(r"https://jiceng\.example\.gov\.cn(/\S*/)", output):
        resolve(url)  # every page named exists


def test_running_again_is_refused_without_force_and_changes_nothing():
    setup("--district", "450204")
    before = (Division.objects.count(), User.objects.count(), AuditEntry.objects.count())
    with pytest.raises(CommandError, match="已经建立.*--force"):
        setup("--district", "450204")
    assert (Division.objects.count(), User.objects.count(), AuditEntry.objects.count()) == before


def test_with_force_it_is_idempotent_and_fills_in_what_is_missing():
    first = passwords(setup("--district", "450204"))
    sysadmin = User.objects.get(username="sysadmin")
    Division.objects.filter(code="450204001001").update(name="改过的名字")
    street = Division.objects.filter(level="street").order_by("code").last()
    Division.objects.filter(parent=street).delete()
    street.delete()
    output = setup("--district", "450204", "--force")
    assert "新增 1 个街道" in output and "更名 1 个" in output
    assert passwords(output) == {}  # administrators kept, passwords untouched
    sysadmin.refresh_from_db()
    assert sysadmin.check_password(first["sysadmin"])
    counts = Division.objects.count(), RoleAssignment.objects.count(), User.objects.count()
    setup("--district", "450204", "--force")
    assert (
        Division.objects.count(),
        RoleAssignment.objects.count(),
        User.objects.count(),
    ) == counts
    assert Division.objects.get(code="450204001001").name != "改过的名字"
    assert AuditEntry.objects.filter(action="system.setup").count() == 3


def test_new_passwords_go_only_to_administrators_who_never_logged_in(client):
    first = passwords(setup("--district", "450204"))
    User.objects.filter(username="auditor").update(last_login="2026-01-01T00:00:00Z")
    again = passwords(setup("--district", "450204", "--force", "--new-passwords"))
    assert set(again) == {"sysadmin", "secadmin"}
    assert User.objects.get(username="auditor").check_password(first["auditor"])
    assert not User.objects.get(username="sysadmin").check_password(first["sysadmin"])


def test_a_second_district_in_the_same_database_needs_force():
    setup("--district", "450204")
    with pytest.raises(CommandError, match="已有区县 柳南区"):
        setup("--district", "320213")
    assert not Division.objects.filter(code="320213").exists()


@pytest.mark.parametrize("code", ["123456", "36060", "3606021", "abcdef", "360600", "990101"])
def test_a_wrong_code_is_refused_with_a_clear_message_and_writes_nothing(code):
    with pytest.raises(CommandError, match="2023 年统计用区划代码中没有区县"):
        setup("--district", code)
    assert not Division.objects.exists() and not User.objects.exists()


def test_list_shows_districts_and_marks_villages_and_communities():
    listing = setup("--list", "3606")
    assert "360602 江西省鹰潭市月湖区" in listing and "共 3 个区县" in listing
    detail = setup("--list", "360602")
    assert "360602100 童家镇" in detail
    assert re.search(r"360602100\d{3} \[村\]", detail)
    assert "360602001001 [社区] 公园社区" in detail
    with pytest.raises(CommandError, match="没有以“99”开头的区县"):
        setup("--list", "99")


def test_an_administrator_enrols_the_second_factor_then_changes_the_one_time_password(client):
    password = passwords(setup("--district", "320213"))["sysadmin"]
    response = client.post("/accounts/login/", {"username": "sysadmin", "password": password})
    assert response["Location"] == "/accounts/otp/setup/"
    assert client.get("/accounts/otp/setup/").status_code == 200
    device = TOTPDevice.objects.get(user__username="sysadmin", confirmed=False)
    response = client.post("/accounts/otp/setup/", {"token": current_token(device)})
    assert response.status_code == 302
    # logged in with the second factor, but every page leads to the password form
    for url in ("/console/", "/console/onboarding/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "一次性密码" in page.content.decode()
    # the one-time password again, or two that differ: refused, nothing changed
    for new, confirm in ((password, password), ("Xin@jiang2026", "Xin@jiang2027")):
        response = client.post(
            "/accounts/password/",
            {"old_password": password, "new_password": new, "confirm": confirm},
        )
        assert response.status_code == 400
        assert User.objects.get(username="sysadmin").must_change_password
    response = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password": "Xin@jiang2026", "confirm": "Xin@jiang2026"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="sysadmin")
    assert not user.must_change_password and user.check_password("Xin@jiang2026")
    assert client.get("/console/onboarding/").status_code == 200
    assert AuditEntry.objects.filter(action="user.password_change", actor=user).exists()
    assert AuditEntry.objects.filter(action="user.otp_bound", actor=user).exists()
