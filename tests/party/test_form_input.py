"""Refused input on the party pages is shown beside its form, in the user's language, with what
was typed still in the form, and nothing is written (CONVENTIONS.md "Form input")."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core.models import AuditEntry
from jiceng.party import services
from jiceng.party.models import (
    CommitteeSeat,
    DuesPayment,
    LeadHousehold,
    Member,
    PartyOrg,
    Registration,
)
from tests.factories import partner, user_with_role

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        DuesPayment.objects.count(),
        LeadHousehold.objects.count(),
        CommitteeSeat.objects.count(),
        list(Member.objects.values_list("pk", "income_kind", "dues_base", "org_id")),
        AuditEntry.objects.count(),
    )


def form_errors(page: str) -> str:
    found = re.findall(
        r'<div class="errors" role="alert" data-testid="form-errors">(.*?)</div>', page
    )
    assert found, "no errors shown beside a form"
    return " ".join(found)


def post(client, url, data, language="zh-hans"):
    client.cookies["django_language"] = language
    return client.post(url, data)


def test_a_negative_dues_amount_is_refused_beside_the_form_and_kept(client, party):
    client.force_login(party["secretary"])
    url = reverse("party:member", args=[party["alice"].pk])
    before = snapshot()
    page = post(client, url, {"action": "dues", "month": "2026-03", "amount": "-5"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "实交金额（元）" in form_errors(body) and "0" in form_errors(body)
    assert 'value="-5"' in body and 'value="2026-03"' in body
    assert snapshot() == before


def test_a_dues_month_the_service_refuses_is_explained_and_kept_in_english(client, party):
    client.force_login(party["secretary"])
    url = reverse("party:member", args=[party["alice"].pk])
    before = snapshot()
    page = post(client, url, {"action": "dues", "month": "2099-01", "amount": "1.00"}, "en")
    assert page.status_code == 400
    body = page.content.decode()
    assert "year" in form_errors(body)  # at most a year ahead, in English
    assert 'value="2099-01"' in body and 'value="1.00"' in body
    assert snapshot() == before


def test_an_income_base_that_is_not_a_number_is_refused_and_kept(client, party):
    client.force_login(party["secretary"])
    url = reverse("party:member", args=[party["alice"].pk])
    before = snapshot()
    page = post(client, url, {"action": "income", "income_kind": "retired", "dues_base": "六千"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "党费计算基数" in form_errors(body)
    assert 'value="六千"' in body
    assert snapshot() == before


def test_a_lead_household_without_a_grid_keeps_the_typed_address(client, party):
    client.force_login(party["secretary"])
    url = reverse("party:member", args=[party["alice"].pk])
    before = snapshot()
    page = post(client, url, {"action": "lead", "grid": "", "address": "公园路 8 号 2 单元"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "网格" in form_errors(body)
    assert 'value="公园路 8 号 2 单元"' in body
    assert snapshot() == before


def test_a_good_dues_payment_still_redirects_with_its_message(client, party):
    client.force_login(party["secretary"])
    url = reverse("party:member", args=[party["alice"].pk])
    month = timezone.localdate().strftime("%Y-%m")
    done = client.post(url, {"action": "dues", "month": month})
    assert done.status_code == 302
    assert DuesPayment.objects.filter(member=party["alice"]).count() == 1


def test_a_seat_without_a_title_keeps_the_name_and_the_unit(client, party):
    from tests.factories import partner

    unit = partner("湖滨科技有限公司", "enterprise", party["places"]["community"])
    client.force_login(party["secretary"])
    url = reverse("party:org", args=[party["committee"].pk])
    before = snapshot()
    page = post(
        client,
        url,
        {"action": "seat", "name": "王建国", "title": " ", "partner": unit.pk, "part_time": "1"},
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "职务" in form_errors(body)
    assert 'value="王建国"' in body
    assert re.search(rf'<option value="{unit.pk}" selected>', body)
    assert snapshot() == before


def test_a_linked_household_without_an_address_keeps_the_name_in_english(client, party):
    from jiceng.party.models import LinkedHousehold

    lead = services.lead_household_set(
        by=party["secretary"],
        member=party["alice"],
        division=party["places"]["grid1"],
        address="1栋101",
    )
    link = services.lead_link_add(by=party["secretary"], lead=lead, member=party["bob"])
    client.force_login(party["secretary"])
    url = reverse("party:org", args=[party["alice"].org_id])
    page = post(
        client, url, {"action": "household", "link": link.pk, "name": "钱七", "address": ""}, "en"
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "Address" in form_errors(body) and "required" in form_errors(body)
    assert 'value="钱七"' in body
    assert not LinkedHousehold.objects.exists()


def test_a_cancel_reason_past_its_length_is_refused_and_kept(client, party):
    from tests.party.test_console_pages import a_meeting

    meeting = a_meeting(party, minutes_ago=-60 * 24)
    client.force_login(party["secretary"])
    reason = "台" * 201
    page = post(
        client, reverse("party:meeting", args=[meeting.pk]), {"action": "cancel", "reason": reason}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "原因" in form_errors(body) and f'value="{reason}"' in body
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_minutes_the_service_refuses_are_explained_and_kept(client, party):
    from tests.party.test_console_pages import a_meeting

    meeting = a_meeting(party, minutes_ago=-60 * 24)  # starts tomorrow
    client.force_login(party["secretary"])
    url = reverse("party:meeting", args=[meeting.pk])
    page = post(client, url, {"action": "minutes", "minutes": "传达学习了……"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "会议尚未开始" in form_errors(body) and "传达学习了……</textarea>" in body
    meeting.refresh_from_db()
    assert meeting.minutes == "" and meeting.status == "planned"


def test_leave_without_a_reason_is_refused_beside_the_roll(client, party):
    from jiceng.party.models import Attendance
    from tests.party.test_console_pages import a_meeting

    meeting = a_meeting(party)
    client.force_login(party["secretary"])
    url = reverse("party:meeting", args=[meeting.pk])
    page = post(client, url, {"action": "attendance", "member": party["bob"].pk, "reason": " "})
    assert page.status_code == 400
    assert "请假须说明事由" in form_errors(page.content.decode())
    assert not Attendance.objects.exists()
    outsider = post(client, url, {"action": "attendance", "member": "abc", "present": "1"})
    assert outsider.status_code == 404


def dues_row(page: str, member) -> str:
    return re.search(rf'<tr data-member="{member.pk}">(.*?)</tr>', page, re.S).group(1)


def test_a_payment_recorded_twice_on_the_dues_page_is_explained_beside_the_members_row(
    client, party
):
    client.force_login(party["secretary"])
    month = timezone.localdate().strftime("%Y-%m")
    data = {"member": party["alice"].pk, "month": month, "org": party["branch"].pk}
    assert client.post(reverse("party:dues"), data).status_code == 302
    before = snapshot()
    page = post(client, reverse("party:dues"), data)
    assert page.status_code == 400
    body = page.content.decode()
    assert "不能重复登记" in form_errors(dues_row(body, party["alice"]))
    assert 'data-testid="form-errors"' not in dues_row(body, party["bob"])
    assert snapshot() == before


def test_a_payment_more_than_a_year_ahead_is_refused_in_english_on_the_dues_page(client, party):
    client.force_login(party["secretary"])
    ahead = (timezone.localdate().replace(day=1) + timedelta(days=800)).strftime("%Y-%m")
    before = snapshot()
    page = post(
        client,
        reverse("party:dues"),
        {"member": party["alice"].pk, "month": ahead, "org": party["branch"].pk},
        language="en",
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "Dues can be paid at most one year in advance." in form_errors(
        dues_row(body, party["alice"])
    )
    assert snapshot() == before


def registration_row(page: str, reg) -> str:
    found = re.search(
        rf"<tr>((?:(?!</tr>).)*?/console/party/registrations/{reg.pk}/(?:(?!</tr>).)*)</tr>",
        page,
        re.S,
    )
    assert found, "the registration is not on the page"
    return found.group(1)


def a_pending_registration(party):
    places = party["places"]
    unit = partner("市供电公司", "enterprise", places["street"])
    org = PartyOrg.objects.create(
        name="市供电公司党支部", kind="branch", division=places["street"], partner=unit
    )
    staff = user_with_role("partner_staff", unit=unit)
    return services.registration_submit(by=staff, org=org, community=places["community"])


def test_returning_a_registration_without_a_reason_is_explained_beside_it(client, party):
    reg = a_pending_registration(party)
    client.force_login(party["secretary"])
    url = reverse("party:registration_decide", args=[reg.pk])
    before = (list(Registration.objects.values_list("pk", "status", "note")), snapshot())
    page = post(client, url, {"approve": "0", "note": "   "})
    assert page.status_code == 400
    assert "不予通过时请说明理由。" in form_errors(registration_row(page.content.decode(), reg))
    long_note = "材料不全" * 60
    page = post(client, url, {"approve": "0", "note": long_note})
    assert page.status_code == 400
    row = registration_row(page.content.decode(), reg)
    assert form_errors(row) and f'value="{long_note}"' in row
    assert (list(Registration.objects.values_list("pk", "status", "note")), snapshot()) == before
    assert post(client, url, {"approve": "0", "note": "材料不全"}).status_code == 302
    assert Registration.objects.get().status == "rejected"
