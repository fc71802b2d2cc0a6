"""Keeping the party's records from the console: new members, lead households (1+10+N), a
partner unit registering its organization with a community, learning records from Excel."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jiceng.party.imports import HEADER
from jiceng.party.models import (
    LeadHousehold,
    LeadHouseholdLink,
    LearningRecord,
    LinkedHousehold,
    Member,
    PartyOrg,
    Registration,
)
from jiceng.points.models import PointEntry
from tests.factories import partner, user_with_role

pytestmark = pytest.mark.django_db


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("learning.xlsx", out.getvalue())


def test_the_secretary_registers_a_new_member_and_bad_input_adds_nobody(client, party):
    client.force_login(party["secretary"])
    before = Member.objects.count()
    form = {
        "name": "新党员",
        "org": party["committee"].pk,  # not a branch: not offered
        "management_type": "direct",
        "standing": "probationary",
        "joined_at": "2026-07-01",
        "income_kind": "wage",
        "dues_base": "3500",
    }
    client.post(reverse("party:members"), form)
    assert Member.objects.count() == before
    form["org"] = party["branch"].pk
    done = client.post(reverse("party:members"), form, follow=True)
    member = Member.objects.get(name="新党员")
    assert done.redirect_chain[-1][0] == reverse("party:member", args=[member.pk])
    assert member.standing == "probationary" and member.scope_code == party["branch"].scope_code


def test_a_grid_chief_cannot_register_members(client, party):
    client.force_login(party["grid_chief"])
    before = Member.objects.count()
    response = client.post(reverse("party:members"), {"name": "x"})
    assert response.status_code == 403 and Member.objects.count() == before


def test_a_lead_household_with_its_members_and_their_households(client, party):
    alice, bob = party["alice"], party["bob"]
    client.force_login(party["secretary"])
    client.post(
        reverse("party:member", args=[alice.pk]),
        {"action": "lead", "grid": party["places"]["grid_n"].pk, "address": "x"},
    )
    assert not LeadHousehold.objects.exists()  # the neighbour's grid is not ours
    client.post(
        reverse("party:member", args=[alice.pk]),
        {"action": "lead", "grid": party["places"]["grid1"].pk, "address": "公园路1号"},
    )
    lead = LeadHousehold.objects.get(member=alice)
    url = reverse("party:org", args=[party["branch"].pk])
    client.post(url, {"action": "link", "lead": lead.pk, "member": bob.pk})
    link = LeadHouseholdLink.objects.get(lead=lead, member=bob)
    client.post(url, {"action": "household", "link": link.pk, "name": "", "address": ""})
    assert not LinkedHousehold.objects.exists()
    client.post(url, {"action": "household", "link": link.pk, "name": "周大爷", "address": "3栋"})
    page = client.get(url).content.decode()
    assert "公园路1号" in page and "鲍勃" in page and "周大爷" in page


def test_a_partner_unit_registers_its_organization_with_a_community(client, party):
    unit = partner("湖滨科技有限公司", "enterprise", party["places"]["street"])
    org = PartyOrg.objects.create(
        name="湖滨科技党支部", kind="branch", division=party["places"]["street"], partner=unit
    )
    staff = user_with_role("partner_staff", unit=unit)
    client.force_login(staff)
    url = reverse("party:registrations")
    community = party["places"]["community"]
    client.post(url, {"org": org.pk, "community": community.pk})
    reg = Registration.objects.get(org=org)
    assert reg.status == "pending" and reg.community == community
    again = client.post(url, {"org": org.pk, "community": community.pk}, follow=True)
    assert "无需重复报到" in again.content.decode() and Registration.objects.count() == 1
    # The community sees it waiting and approves it.
    client.force_login(party["secretary"])
    assert "湖滨科技党支部" in client.get(url + "?status=pending").content.decode()


def test_staff_cannot_register_a_partners_organization_for_it(client, party):
    client.force_login(party["secretary"])
    response = client.post(reverse("party:registrations"), {"org": 1, "community": 1})
    assert response.status_code == 403 and not Registration.objects.exists()


def test_learning_records_import_good_rows_name_bad_ones_and_never_twice(client, party):
    alice, bob = party["alice"], party["bob"]
    outsider = party["neighbour_member"]
    client.force_login(party["secretary"])
    template = client.get(reverse("party:learning_import") + "?template=1")
    assert load_workbook(io.BytesIO(template.content)).active["A1"].value == HEADER[0]
    rows = [
        [alice.pk, "艾丽", "党章学习", 45, "2026-05-01 20:30", "a-1"],
        [bob.pk, "艾丽", "党章学习", 45, "2026-05-01 20:30", "b-1"],  # wrong name
        [outsider.pk, "查理", "党章学习", 45, "2026-05-01 20:30", "c-1"],  # not ours
        [alice.pk, "艾丽", "党史", "=1+1", "2026-05-02 20:30", "a-2"],  # a formula
        [alice.pk, "艾丽", "党史", 30, "昨天", "a-3"],  # not a date
    ]
    response = client.post(reverse("party:learning_import"), {"file": xlsx(rows)})
    body = response.content.decode()
    assert "新登记 1 条" in body and "有误 4 行" in body
    for expected in ("该编号是鲍勃", "不在您的管辖范围内", "含公式", "应为日期时间"):
        assert expected in body
    assert list(LearningRecord.objects.values_list("member__name", "course")) == [
        ("艾丽", "党章学习")
    ]
    scored = PointEntry.objects.filter(member=alice).count()
    again = client.post(reverse("party:learning_import"), {"file": xlsx(rows[:1])})
    assert "已登记过 1 条" in again.content.decode()
    assert (
        LearningRecord.objects.count() == 1
        and PointEntry.objects.filter(member=alice).count() == scored
    )


def test_a_file_that_is_not_the_template_changes_nothing(client, party):
    client.force_login(party["secretary"])
    url = reverse("party:learning_import")
    not_excel = SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not really")
    assert "不是 Excel 工作簿" in client.post(url, {"file": not_excel}).content.decode()
    wrong = xlsx([[1, 2, 3]], header=["编号", "课程"])
    assert "表头应为" in client.post(url, {"file": wrong}).content.decode()
    assert not LearningRecord.objects.exists()


def test_a_partner_member_takes_a_part_time_seat_on_the_community_committee(client, party):
    from jiceng.party.models import CommitteeSeat

    unit = partner("湖滨科技有限公司", "enterprise", party["places"]["community"])
    client.force_login(party["secretary"])
    url = reverse("party:org", args=[party["committee"].pk])
    client.post(url, {"action": "seat", "name": "王建国", "title": "委员", "part_time": "1"})
    assert not CommitteeSeat.objects.exists()  # a part-time seat names its unit
    client.post(
        url,
        {"action": "seat", "name": "王建国", "title": "委员", "part_time": "1", "partner": unit.pk},
    )
    seat = CommitteeSeat.objects.get()
    assert seat.is_part_time and seat.partner == unit
    assert "湖滨科技有限公司" in client.get(url).content.decode()
