"""People and units from Excel: every sheet checked, nothing written until the whole file is
right (or only the valid rows when the person chooses so), re-import changes nothing, audited."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import TestCase
from django.utils import timezone
from openpyxl import load_workbook

from jiceng.accounts.models import RoleAssignment, User
from jiceng.cases.models import CaseCategory
from jiceng.community.models import VolunteerTeam
from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from jiceng.imports import excel
from jiceng.imports.models import UnitImport
from jiceng.partners.models import Partner
from jiceng.party.models import Member, PartyOrg
from jiceng.venues.models import Venue
from tests.factories import user_with_role
from tests.imports.conftest import upload, verified, workbook

pytestmark = pytest.mark.django_db
STREET, COMMUNITY, GRID = "360602001", "360602001001", "360602001001001"


def full_book(**overrides) -> dict[str, list[list]]:
    book = {
        "单位": [
            ["区住建局", "职能部门", "360602", ""],
            ["鑫源物业", "物业服务企业", COMMUNITY, "91360602MA35XXXX0X"],
        ],
        "党组织": [
            ["中共江边街道工作委员会", "党工委", "", STREET, "", ""],
            ["中共公园社区委员会", "党委", "中共江边街道工作委员会", COMMUNITY, "", 9],
            ["公园社区第一党支部", "党支部", "中共公园社区委员会", COMMUNITY, "", ""],
            ["鑫源物业党支部", "党支部", "中共公园社区委员会", COMMUNITY, "鑫源物业", ""],
        ],
        "工作人员": [
            ["王网格", "wangwg", "网格员", GRID, "", "Gw2026-golive!"],
            ["李书记", "lisj", "社区党委书记", COMMUNITY, "", ""],
            ["赵科员", "zhaoky", "职能部门工作人员", "", "区住建局", ""],
        ],
        "党员": [
            ["李书记", "中共公园社区委员会", "直管党员", "正式党员", "1998-07-01", "", "", "", "lisj"],
            ["张党员", "公园社区第一党支部", "退休", "正式", "1975-07-01", "离退休（养老金）", 4200, "", ""],
            ["钱预备", "公园社区第一党支部", "在职党员（联管）", "预备党员", "2025-12-01", "", "6800.5", "区住建局", ""],
        ],
        "志愿服务队": [["公园社区红马甲服务队", COMMUNITY, "助老助残", ""]],
        "场地": [
            ["公园社区党群服务站", "党群服务站", COMMUNITY, "公园路 1 号", 40,
             "周一至周五 09:00-12:00,14:00-17:30；周六、周日 09:00-21:00", "0701-6221234", "", "是"],
        ],
        "事件类别": [
            ["9901", "城市管理", "事件", "", "大事", "", "", "", "", ""],
            ["990101", "占道经营", "事件", "9901", "小事", 1, 1, 1, 8, 1],
        ],
    }  # fmt: skip
    # a member of a committee is refused (members go into branches): fix the first member
    book["党员"][0][1] = "公园社区第一党支部"
    book.update(overrides)
    return book


def run(sysadmin, book, mode="whole") -> UnitImport:
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = excel.import_submit(upload=upload(workbook(book)), by=sysadmin, mode=mode)
    job.refresh_from_db()  # the task ran inline in the test
    return job


def split(book) -> tuple[dict, dict]:
    """The staff sheet (the security administrator's) and the rest (the system administrator's)."""
    return {"工作人员": book["工作人员"]}, {k: v for k, v in book.items() if k != "工作人员"}


def units_first(sysadmin) -> None:
    """The order of going live: the units (which staff belong to) before the accounts."""
    assert run(sysadmin, {"单位": full_book()["单位"]}).status == "done"


@pytest.fixture
def staffed(sysadmin, secadmin):
    """The full book's units and accounts, the accounts imported by the security administrator."""
    units_first(sysadmin)
    job = run(secadmin, split(full_book())[0])
    assert job.status == "done", job.errors
    return job


def counts():
    return (
        Partner.objects.count(),
        PartyOrg.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Member.objects.count(),
        VolunteerTeam.objects.count(),
        Venue.objects.count(),
        CaseCategory.objects.count(),
    )


def test_a_whole_workbook_goes_in_and_the_same_file_again_changes_nothing(sysadmin, secadmin):
    before = counts()
    staff, rest = split(full_book())
    units_first(sysadmin)
    accounts = run(secadmin, staff)
    assert accounts.status == "done" and accounts.created == 3
    job = run(sysadmin, rest)
    assert job.status == "done", (job.message, job.errors)
    assert (job.created, job.unchanged) == (4 + 3 + 1 + 1 + 2, 2)
    after = counts()
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 4, 3, 3, 3, 1, 1, 2]
    # the tree, the unit's branch, the member's details, the account and its role
    committee = PartyOrg.objects.get(name="中共公园社区委员会")
    assert committee.parent.name == "中共江边街道工作委员会" and committee.theme_day == 9
    assert PartyOrg.objects.get(name="鑫源物业党支部").partner.name == "鑫源物业"
    zhang = Member.objects.get(name="张党员")
    assert (zhang.management_type, zhang.income_kind, zhang.dues_base) == (
        "retired",
        "retired",
        Decimal("4200.00"),
    )
    assert Member.objects.get(name="钱预备").standing == "probationary"
    assert Member.objects.get(name="李书记").user.username == "lisj"
    worker = User.objects.get(username="wangwg")
    assert worker.check_password("Gw2026-golive!") and worker.has_role("grid_worker")
    assert worker.scopes_for("grid_worker") == [GRID]
    assert not User.objects.get(username="lisj").has_usable_password()
    clerk = User.objects.get(username="zhaoky")
    assert clerk.active_assignments[0].unit.name == "区住建局"
    venue = Venue.objects.get(name="公园社区党群服务站")
    assert venue.windows.count() == 5 * 2 + 2 and venue.contact_phone == "07016221234"
    assert CaseCategory.objects.get(code="990101").parent.code == "9901"
    assert CaseCategory.objects.get(code="990101").handling_hours == Decimal("8.00")
    assert AuditEntry.objects.filter(action="imports.run", object_id=str(job.pk)).exists()

    assert RoleAssignment.objects.get(user=worker).granted_by == secadmin
    again, accounts_again = run(sysadmin, rest), run(secadmin, staff)
    assert again.status == accounts_again.status == "done"
    assert (again.created, again.updated, accounts_again.created) == (0, 0, 0)
    assert (again.unchanged, accounts_again.unchanged) == (13, 3)
    assert counts() == after


def test_a_changed_row_is_updated_in_place(sysadmin, staffed):
    run(sysadmin, split(full_book())[1])
    book = split(full_book())[1]
    book["党员"][1][6] = 5000
    job = run(sysadmin, book)
    assert (job.created, job.updated) == (0, 1)
    assert Member.objects.get(name="张党员").dues_base == Decimal("5000.00")


def test_a_duplicate_account_and_a_member_without_a_known_organization_refuse_the_whole_file(
    sysadmin, secadmin
):
    User.objects.create_user(username="wangwg", full_name="另一个人", password="x")
    staff, book = split(full_book())
    book["党员"].append(["孙无组", "不存在的支部", "", "", "2001-07-01", "", "", "", ""])
    units_first(sysadmin)
    before = counts()
    accounts = run(secadmin, staff)
    assert accounts.status == "failed" and counts() == before
    assert "已被他人" in accounts.errors[0]["reason"]
    assert accounts.errors[0]["column"] == "工作人员 · 用户名" and accounts.errors[0]["row"] == 2
    job = run(sysadmin, book)
    assert job.status == "failed" and "没有导入任何一行" in job.message
    assert counts() == before
    reasons = {(e["column"], e["row"]): e["reason"] for e in job.errors}
    assert "没有账号" in reasons[("党员 · 账号", 2)]  # lisj: its account was not imported
    assert "不存在的支部" in reasons[("党员 · 所在党组织", 5)]
    report = load_workbook(io.BytesIO(excel.error_report_bytes(job)), read_only=True)
    assert len(list(report.worksheets[0].iter_rows(values_only=True))) == 1 + len(job.errors)


def test_only_the_valid_rows_when_the_person_chooses_so(sysadmin, secadmin):
    User.objects.create_user(username="wangwg", full_name="另一个人", password="x")
    staff, book = split(full_book())
    units_first(sysadmin)
    accounts = run(secadmin, staff, mode="valid_only")
    assert accounts.status == "done" and accounts.failed == 1 and accounts.created == 2
    book["党员"].append(["孙无组", "不存在的支部", "", "", "2001-07-01", "", "", "", ""])
    job = run(sysadmin, book, mode="valid_only")
    assert job.status == "done" and job.failed == 1
    assert not Member.objects.filter(name="孙无组").exists()
    assert Member.objects.filter(name="张党员").exists()
    assert User.objects.get(username="wangwg").full_name == "另一个人"
    assert User.objects.filter(username="lisj").exists()


@pytest.mark.parametrize(
    ("sheet", "row", "column", "words"),
    [
        ("单位", ["某单位", "外星机构", "360602", ""], "类型", "未知的单位类型"),
        ("单位", ["某单位", "企业", "330212001", ""], "所在区划代码", "本区没有"),
        ("党组织", ["某支部", "党支部", "没有的上级", COMMUNITY, "", ""], "上级党组织", "没有名为"),
        ("党组织", ["某支部", "党支部", "", COMMUNITY, "", 31], "主题党日", "1 至 28"),
        ("工作人员", ["甲", "jia01", "网格员", COMMUNITY, "", ""], "所在区划代码", "层级"),
        ("工作人员", ["甲", "jia01", "安全管理员", "360602", "", ""], "角色", "不能导入的角色"),
        ("工作人员", ["甲", "jia01", "网格员", GRID, "", "123"], "初始密码", ""),
        ("党员", ["甲", "中共公园社区委员会", "", "", "2001-07-01"], "所在党组织", "党支部"),
        ("党员", ["甲", "公园社区第一党支部", "", "", "去年"], "入党日期", "2010-07-01"),
        (
            "党员",
            ["甲", "公园社区第一党支部", "", "", "2001-07-01", "", -5],
            "党费计算基数（元/月）",
            "不小于 0",
        ),
        ("场地", ["站", "", COMMUNITY, "路", 0, "周一 09:00-12:00"], "容纳人数", "正整数"),
        ("场地", ["站", "", COMMUNITY, "路", 10, "有空就开"], "开放时间", "周一至周五"),
        ("事件类别", ["99-01", "甲", "事件"], "类别代码", "字母或数字"),
        (
            "事件类别",
            ["9902", "甲", "事件", "", "", "", "", "", "-1"],
            "处置时限（工作小时）",
            "不小于 0",
        ),
        ("志愿服务队", ["队", STREET], "所在社区代码", "层级"),
    ],
)
def test_each_bad_cell_is_named_with_its_sheet_column_and_reason(
    sysadmin, secadmin, staffed, sheet, row, column, words
):
    staff, book = split(full_book())
    if sheet == "工作人员":
        book, sysadmin = staff, secadmin
    book[sheet] = [*book[sheet], row]
    job = run(sysadmin, book)
    assert job.status == "failed"
    mine = [e for e in job.errors if e["row"] == len(book[sheet]) + 1]
    assert mine, job.errors
    assert mine[0]["column"] == f"{sheet} · {column}"
    assert words in mine[0]["reason"]


def test_a_workbook_that_is_not_the_template_is_refused_at_once(sysadmin):
    with pytest.raises(UserError, match="表头与模板不符"):
        excel.import_submit(
            upload=upload(workbook({"党员": []}).replace(b"", b"") if False else _bad_header()),
            by=sysadmin,
        )
    with pytest.raises(UserError, match="没有可导入的工作表"):
        excel.import_submit(upload=upload(workbook({"Sheet1": []})), by=sysadmin)
    with pytest.raises(UserError, match="不是 Excel"):
        excel.import_submit(upload=upload(b"not a workbook"), by=sysadmin)
    assert not UnitImport.objects.exists()


def _bad_header() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "党员"
    wb.active.append(["名字", "组织"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_staff_sheet_is_the_security_administrators_alone(sysadmin, secadmin):
    """三员分立: the system administrator's workbook with a staff sheet is refused whole, saying
    who imports it; the security administrator imports that sheet and no other."""
    before = counts()
    with pytest.raises(UserError, match="“工作人员”表（账号和角色）须由安全管理员导入") as refused:
        excel.import_submit(upload=upload(workbook(full_book())), by=sysadmin)
    assert refused.value.field == "file"
    assert counts() == before and not UnitImport.objects.exists()
    with pytest.raises(UserError, match="不能导入“单位”表"):
        excel.import_submit(upload=upload(workbook({"单位": full_book()["单位"]})), by=secadmin)
    assert excel.sheets_for(secadmin) == [excel.BY_NAME["工作人员"]]
    assert excel.BY_NAME["工作人员"] not in excel.sheets_for(sysadmin)


def test_the_onboarding_fix_for_grids_without_a_worker_goes_to_the_security_administrator():
    from jiceng.core import registry

    checks = {c.key: c for c in registry.onboarding_checks()}
    for key in ("accounts.grid_workers", "accounts.secretaries"):
        fixes = registry.onboarding_fixes(checks[key])
        assert fixes and all(f.roles == {"security_admin"} for f in fixes)
    assert any(
        "system_admin" in f.roles
        for f in registry.onboarding_fixes(checks["partners.departments"])
        if f.url_name == "imports:start"
    )


def test_district_staff_import_units_but_not_accounts(yuehu):
    staff = user_with_role("district_staff", division=yuehu)
    with pytest.raises(UserError, match="“工作人员”表（账号和角色）须由安全管理员导入"):
        excel.import_submit(upload=upload(workbook({"工作人员": []})), by=staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = excel.import_submit(upload=upload(workbook({"单位": full_book()["单位"]})), by=staff)
    job.refresh_from_db()
    assert job.status == "done" and job.created == 2


def test_pages_template_upload_progress_and_report(
    client, sysadmin, secadmin, django_assert_max_num_queries
):
    verified(client, sysadmin)
    template = client.get("/console/imports/template.xlsx")
    book = load_workbook(io.BytesIO(template.content), read_only=True)
    assert book.sheetnames[:6] == ["单位", "党组织", "党员", "志愿服务队", "场地", "事件类别"]
    verified(client, secadmin)
    staff_template = client.get("/console/imports/template.xlsx")
    assert load_workbook(io.BytesIO(staff_template.content)).sheetnames[0] == "工作人员"
    assert "工作人员" in client.get("/console/imports/").content.decode()
    verified(client, sysadmin)
    refused = client.post(
        "/console/imports/", {"file": upload(workbook(full_book())), "mode": "whole"}
    )
    assert refused.status_code == 400 and "须由安全管理员导入" in refused.content.decode()
    units_first(sysadmin)
    staff_job = run(secadmin, split(full_book())[0])
    assert staff_job.status == "done", staff_job.errors
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/console/imports/", {"file": upload(workbook(split(full_book())[1])), "mode": "whole"}
        )
    job = UnitImport.objects.filter(by=sysadmin).order_by("-pk").first()
    assert response.status_code == 302 and response.url == f"/console/imports/{job.pk}/"
    state = client.get(response.url, {"format": "json"}).json()
    assert state["status"] == "done" and state["percent"] == 100 and state["created"] == 11, (
        job.message,
        job.errors,
    )
    for _ in range(3):
        run(sysadmin, split(full_book())[1])
    with django_assert_max_num_queries(12):
        page = client.get("/console/imports/")
    assert page.status_code == 200 and page.content.decode().count("/console/imports/") >= 4
    refused = client.post("/console/imports/", {"file": upload(b"x"), "mode": "whole"})
    assert refused.status_code == 400 and "不是 Excel" in refused.content.decode()
    assert client.get(f"/console/imports/{job.pk}/errors.xlsx").status_code == 200


def test_others_cannot_open_the_imports(client, yuehu, sysadmin):
    job = run(sysadmin, {"单位": full_book()["单位"]})
    worker = user_with_role(
        "grid_worker", division=yuehu.children.first().children.first().children.first()
    )
    client.force_login(worker)
    assert client.get("/console/imports/").status_code == 403
    other = user_with_role(
        "district_staff",
        division=__import__("tests.factories", fromlist=["division"]).division("330212", "鄞州区"),
    )
    client.force_login(other)
    assert client.get(f"/console/imports/{job.pk}/").status_code == 404


def test_files_are_removed_after_the_keeping_period(sysadmin, settings):
    job = run(sysadmin, {"单位": full_book()["单位"]})
    path = Path(job.path)
    assert path.exists() and excel.purge_files() == 0
    UnitImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert excel.purge_files() == 1 and not path.exists()


def test_pages_and_refusals_read_in_english(client, sysadmin, secadmin):
    verified(client, sysadmin)
    client.cookies["django_language"] = "en"
    page = client.get("/console/imports/").content.decode()
    assert "Import units, party organizations and people" in page
    refused = client.post("/console/imports/", {"file": upload(b"x"), "mode": "whole"})
    assert "is not an Excel workbook" in refused.content.decode()  # registry's wording
    staff_refused = client.post(
        "/console/imports/", {"file": upload(workbook(full_book())), "mode": "whole"}
    ).content.decode()
    assert "must be imported by the security administrator" in staff_refused
    User.objects.create_user(username="wangwg", full_name="另一个人", password="x")
    units_first(sysadmin)
    verified(client, secadmin)
    client.cookies["django_language"] = "en"
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            "/console/imports/", {"file": upload(workbook(split(full_book())[0])), "mode": "whole"}
        )
    job = UnitImport.objects.get(by=secadmin)
    # the job's words are kept as written (in the importer's language at the time)
    assert "no row was imported" in job.message
    assert any("already someone else" in e["reason"] for e in job.errors)
    verified(client, sysadmin)
    client.cookies["django_language"] = "en"
    geo = client.get("/console/geo/import/").content.decode()
    assert "Import grid boundaries" in geo and "GCJ-02 (Amap, Tencent" in geo
