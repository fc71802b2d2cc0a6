"""What keeps a district's 20,000 people within a minute: an import's queries do not grow with
its rows, a first password shared by many accounts is hashed once (at full cost), and the bulk
services' audit entries read as the pages' do."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.accounts import services as account_services
from jiceng.accounts.models import RoleAssignment, User
from jiceng.core import xlsx
from jiceng.core.models import AuditEntry
from jiceng.core.personal import id_check_char
from jiceng.geo.models import Division
from jiceng.imports import excel
from jiceng.party.models import Member, PartyOrg
from tests.imports.conftest import workbook
from tests.imports.test_unit_import import full_book, run, split, units_first

pytestmark = pytest.mark.django_db
PASSWORD = "Gw2026-golive!"


def staff_sheet(n: int, password: str = "") -> dict[str, list[list]]:
    grids = list(
        Division.objects.filter(level="grid", code__startswith="360602")
        .order_by("code")
        .values_list("code", flat=True)[:n]
    )
    return {
        "工作人员": [
            [f"网格员{i}", f"gw{i:04d}", "网格员", grids[i % len(grids)], "", password]
            for i in range(n)
        ]
    }


def member_book(n: int) -> dict[str, list[list]]:
    def number(i: int) -> str:
        first17 = f"360602{1960 + i // 300}{1 + i // 28 % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        return first17 + id_check_char(first17)

    return {
        "党组织": [["公园社区第一党支部", "党支部", "", "360602001001", "", ""]],
        "党员": [
            [f"党员{i}", "公园社区第一党支部", "", "", "2001-07-01", "", 3000, "", "", number(i)]
            for i in range(n)
        ],
    }


def queries(by, book) -> int:
    with CaptureQueriesContext(connection) as captured:
        job = run(by, book)
    assert job.status == "done", (job.message, job.errors[:3])
    return len(captured)


def test_importing_more_accounts_costs_no_more_queries(sysadmin, secadmin):
    units_first(sysadmin)
    few = queries(secadmin, staff_sheet(3))
    many = queries(secadmin, {"工作人员": staff_sheet(40)["工作人员"][3:]})
    assert User.objects.filter(username__startswith="gw").count() == 40
    assert many <= few + 2  # not one or two a row, as each row's look-ups once cost


def test_importing_more_members_costs_no_more_queries(sysadmin):
    few = queries(sysadmin, member_book(3))
    book = member_book(40)
    book["党员"] = book["党员"][3:]
    many = queries(sysadmin, book)
    assert Member.objects.count() == 40
    assert many <= few + 2


def test_a_first_password_shared_by_many_accounts_is_hashed_once_at_full_cost(sysadmin, secadmin):
    units_first(sysadmin)
    book = staff_sheet(5, PASSWORD)
    book["工作人员"][4][5] = "Another-first-pw-7"
    with mock.patch.object(
        account_services, "make_password", wraps=account_services.make_password
    ) as hashing:
        assert run(secadmin, book).status == "done"
    assert hashing.call_count == 2  # one per distinct password, not one per account
    accounts = list(User.objects.filter(username__startswith="gw").order_by("username"))
    assert all(u.must_change_password for u in accounts)
    assert all(u.check_password(PASSWORD) for u in accounts[:4])
    assert accounts[4].check_password("Another-first-pw-7")
    assert not accounts[4].check_password(PASSWORD)
    # the production hasher at its production cost (no cheaper hasher for imported accounts)
    hasher = identify_hasher(accounts[0].password)
    assert hasher.algorithm == get_hasher().algorithm
    assert not hasher.must_update(accounts[0].password)


def test_an_account_without_a_first_password_has_none_that_works(sysadmin, secadmin):
    units_first(sysadmin)
    with mock.patch.object(
        account_services, "make_password", wraps=account_services.make_password
    ) as hashing:
        assert run(secadmin, staff_sheet(2)).status == "done"
    assert hashing.call_count == 0
    account = User.objects.get(username="gw0000")
    assert not account.has_usable_password() and not account.must_change_password
    assert not account.check_password("") and not account.check_password(PASSWORD)


def test_the_role_given_by_import_is_audited_as_the_users_page_names_it(sysadmin, secadmin):
    units_first(sysadmin)
    assert run(secadmin, staff_sheet(1)).status == "done"
    assignment = RoleAssignment.objects.get(user__username="gw0000")
    entry = AuditEntry.objects.get(action="role.assign", object_id=str(assignment.pk))
    assert entry.object_repr == str(assignment)
    assert entry.object_repr.startswith("网格员0（gw0000） · ")
    assert entry.object_repr.endswith(assignment.division.name)
    assert entry.actor_id == secadmin.pk and entry.scope_code == assignment.scope_code


@pytest.mark.parametrize("keep", [50_000, 0])
def test_whole_file_mode_writes_the_same_whether_it_keeps_the_checked_rows_or_reads_again(
    sysadmin, secadmin, monkeypatch, keep
):
    """A workbook small enough is checked once and its checked rows written; a larger one is
    read and checked again while it is written: the same records either way."""
    monkeypatch.setattr(excel, "KEEP_CHECKED", keep)
    staff, rest = split(full_book())
    units_first(sysadmin)
    assert run(secadmin, staff).created == 3
    job = run(sysadmin, rest)
    assert job.status == "done", (job.message, job.errors)
    assert (job.created, job.unchanged) == (4 + 3 + 1 + 1 + 2, 2)
    assert job.processed == job.total
    assert Member.objects.get(name="李书记").user.username == "lisj"
    assert PartyOrg.objects.get(name="鑫源物业党支部").partner.name == "鑫源物业"
    assert run(sysadmin, rest).unchanged == job.created + job.unchanged


def test_the_progress_total_counts_the_rows_without_reading_them(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook(member_book(7)))
    assert xlsx.count_rows(path, sheet="党员") == 8  # the header and seven members
    assert xlsx.count_rows(path, sheet="党组织") == 2
    assert sum(1 for _ in xlsx.read_rows(path, sheet="党员")) == 8
