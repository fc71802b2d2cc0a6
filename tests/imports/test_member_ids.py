"""Members by their citizen ID number: encrypted at rest (the register's hash), matched to the
member (or the register's resident) who has it, a number twice in a file refused by row, and the
number never written back into a message; each member imported audited as one entered by hand."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from openpyxl import load_workbook

from jiceng.core.models import AuditEntry
from jiceng.imports import excel
from jiceng.party import services
from jiceng.party.models import Member, PartyOrg
from tests.imports.test_unit_import import COMMUNITY, GRID, full_book, run
from tests.registry.conftest import make_person, valid_id

pytestmark = pytest.mark.django_db
BRANCH = "公园社区第一党支部"


def member(name: str, number: str = "", dues="", org: str = BRANCH) -> list:
    return [name, org, "", "", "2001-07-01", "", dues, "", "", number]


def book(*members) -> dict:
    base = full_book()
    return {"单位": base["单位"], "党组织": base["党组织"], "党员": list(members)}


def test_the_number_is_kept_encrypted_and_matches_the_same_member_again(sysadmin):
    number = valid_id("19700101")
    job = run(sysadmin, book(member("孙有号", number, 3000)))
    assert job.status == "done", job.errors
    sun = Member.objects.get(name="孙有号")
    assert sun.id_number == number and sun.id_number_hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM party_member WHERE id = %s", [sun.pk])
        assert number not in str(cursor.fetchone()[0])  # a Fernet token, not the number
    # the same number in another branch, with a new dues base: the same member, moved
    moved = book(member("孙有号", number, 3500, org="鑫源物业党支部"))
    again = run(sysadmin, moved)
    assert (again.status, again.created, again.updated) == ("done", 0, 1)
    sun.refresh_from_db()
    assert sun.org.name == "鑫源物业党支部" and str(sun.dues_base) == "3500.00"
    assert sun.transfers.get().from_org.name == BRANCH
    assert run(sysadmin, moved).unchanged == len(moved["单位"]) + len(moved["党组织"]) + 1


def test_a_member_entered_by_hand_gets_the_number_by_organization_and_name(sysadmin, yuehu):
    run(sysadmin, {k: v for k, v in book().items() if k != "党员"})
    by_hand = services.members_import(
        by=sysadmin,
        rows=[
            {"name": "周手填", "org_id": PartyOrg.objects.get(name=BRANCH).pk, "id_number": "",
             "management_type": "direct", "standing": "full", "joined_at": "2001-07-01",
             "dues_from": "2001-07-01", "income_kind": "wage", "dues_base": 0, "work_unit": "",
             "user_id": None}
        ],
    )  # fmt: skip
    assert by_hand == (1, 0, 0)
    number = valid_id("19650505")
    job = run(sysadmin, book(member("周手填", number)))
    assert (job.created, job.updated) == (0, 1)
    assert Member.objects.get(name="周手填").id_number == number


def test_a_number_twice_in_the_file_or_held_by_another_person_is_refused_by_row(sysadmin, yuehu):
    number, residents = valid_id("19800202"), valid_id("19810303")
    grid = (
        yuehu.children.get(code=COMMUNITY[:9]).children.get(code=COMMUNITY).children.get(code=GRID)
    )
    make_person(grid, name="居民甲", id_number=residents)
    job = run(
        sysadmin,
        book(
            member("钱一", number),
            member("钱二", number),
            member("冒名者", residents),
            member("坏号", "360602198013329999"),
        ),
    )
    assert job.status == "failed" and not Member.objects.exists()
    reasons = {e["row"]: e["reason"] for e in job.errors if e["column"] == "党员 · 公民身份号码"}
    assert "与第 2 行重复" in reasons[3]
    assert "另一个人" in reasons[4]
    assert "无效" in reasons[5]
    report = excel.error_report_bytes(job)
    cells = " ".join(
        str(v)
        for row in load_workbook(io.BytesIO(report)).active.iter_rows(values_only=True)
        for v in row
    )
    for secret in (number, residents, "198013329999", "19801332"):
        assert secret not in cells and secret not in str(job.errors)
    # the resident's own number with the resident's name is the same person: taken
    assert run(sysadmin, book(member("居民甲", residents))).status == "done"


def test_each_imported_member_is_audited_like_one_entered_by_hand(sysadmin):
    job = run(sysadmin, book(member("甲一", valid_id()), member("甲二")))
    assert job.status == "done"
    created = AuditEntry.objects.filter(action="party.member_create")
    assert created.count() == 2
    assert {e.actor_id for e in created} == {sysadmin.pk}
    assert {e.object_id for e in created} == {str(m.pk) for m in Member.objects.all()}
    assert all(e.scope_code == COMMUNITY for e in created)


def test_the_page_rules_apply_to_an_imported_member(sysadmin):
    run(sysadmin, {k: v for k, v in book().items() if k != "党员"})
    with pytest.raises(Exception, match="党员应编入党支部"):
        services.members_import(
            by=sysadmin,
            rows=[
                {"name": "乙", "org_id": PartyOrg.objects.get(name="中共公园社区委员会").pk,
                 "id_number": "", "management_type": "direct", "standing": "full",
                 "joined_at": "2001-07-01", "dues_from": "2001-07-01", "income_kind": "wage",
                 "dues_base": 0, "work_unit": "", "user_id": None}
            ],
        )  # fmt: skip
