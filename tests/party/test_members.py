"""Organizations, members, transfers with history, registration (双报到), lead households."""

from __future__ import annotations

from datetime import date

import pytest

from jiceng.core.errors import Forbidden, NotFound, UserError
from jiceng.party import selectors, services
from jiceng.party.models import (
    LeadHouseholdLink,
    MemberTransfer,
    PartyOrg,
    Registration,
)
from tests.factories import partner, user_with_role

pytestmark = pytest.mark.django_db


def test_a_secretary_adds_a_member_to_a_branch(party):
    member = services.member_create(
        by=party["secretary"],
        name="丁一",
        org=party["branch"],
        joined_at=date(2020, 7, 1),
        management_type="retired",
        standing="probationary",
        income_kind="retired",
    )
    assert member.scope_code == party["branch"].scope_code
    with pytest.raises(Forbidden):
        services.member_create(
            by=party["outsider"], name="丁二", org=party["branch"], joined_at=date(2020, 7, 1)
        )


def test_a_transfer_moves_the_member_and_keeps_the_history(party):
    alice = party["alice"]
    services.member_transfer(by=party["secretary"], member=alice, to_org=party["branch2"])
    alice.refresh_from_db()
    assert alice.org == party["branch2"] and alice.scope_code == party["branch2"].scope_code
    history = list(MemberTransfer.objects.filter(member=alice))
    assert [(t.from_org, t.to_org) for t in history] == [(party["branch"], party["branch2"])]
    with pytest.raises(UserError, match="相同"):
        services.member_transfer(by=party["secretary"], member=alice, to_org=party["branch2"])
    assert MemberTransfer.objects.count() == 1


def test_member_list_is_scoped_and_one_query(party, django_assert_max_num_queries):
    user = party["secretary"]
    user.active_assignments  # noqa: B018
    with django_assert_max_num_queries(1):
        names = [m.name + m.org.name for m in selectors.member_list(user=user)]
    assert len(names) == 2
    assert [m.name for m in selectors.member_list(user=party["outsider"])] == ["查理"]
    assert list(selectors.member_list(user=party["nobody"])) == []
    with pytest.raises(NotFound):
        selectors.member_detail(user=party["outsider"], pk=party["alice"].pk)


def test_an_in_service_member_registers_and_the_community_approves(party):
    alice = party["alice"]
    alice.management_type = "in_service"
    alice.save()
    neighbour = party["places"]["neighbour"]
    reg = services.registration_submit(by=alice.user, member=alice, community=neighbour)
    assert reg.status == "pending" and reg.scope_code == neighbour.code
    with pytest.raises(UserError, match="重复"):
        services.registration_submit(by=alice.user, member=alice, community=neighbour)
    with pytest.raises(Forbidden):
        services.registration_decide(by=party["secretary"], registration=reg, approve=True)
    services.registration_decide(by=party["outsider"], registration=reg, approve=True)
    reg.refresh_from_db()
    assert reg.status == "approved"
    pool = selectors.volunteer_pool(community_codes=[neighbour.code])
    assert list(pool) == [alice]
    with pytest.raises(UserError, match="已审核"):
        services.registration_decide(by=party["outsider"], registration=reg, approve=False)


def test_only_in_service_members_register(party):
    with pytest.raises(UserError, match="在职党员"):
        services.registration_submit(
            by=party["alice"].user,
            member=party["alice"],
            community=party["places"]["neighbour"],
        )
    assert not Registration.objects.exists()


def test_a_partners_organization_registers_with_the_community(party):
    places = party["places"]
    unit = partner("市供电公司", "enterprise", places["street"])
    org = PartyOrg.objects.create(
        name="市供电公司党支部", kind="branch", division=places["street"], partner=unit
    )
    staff = user_with_role("partner_staff", unit=unit)
    reg = services.registration_submit(by=staff, org=org, community=places["community"])
    services.registration_decide(by=party["secretary"], registration=reg, approve=True)
    assert Registration.objects.get().status == "approved"


def test_the_committee_has_part_time_members_from_partners(party):
    unit = partner("市供电公司", "enterprise", party["places"]["street"])
    seat = services.seat_add(
        by=party["secretary"],
        org=party["committee"],
        name="王五",
        title="兼职委员",
        partner=unit,
        is_part_time=True,
    )
    assert seat.is_part_time and seat.scope_code == party["committee"].scope_code
    with pytest.raises(UserError, match="共建单位"):
        services.seat_add(
            by=party["secretary"],
            org=party["committee"],
            name="赵六",
            title="兼职委员",
            is_part_time=True,
        )


def test_lead_household_keeps_in_touch_with_members_and_their_households(party):
    places = party["places"]
    lead = services.lead_household_set(
        by=party["secretary"], member=party["alice"], division=places["grid1"], address="1栋101"
    )
    link = services.lead_link_add(by=party["secretary"], lead=lead, member=party["bob"])
    services.linked_household_add(by=party["secretary"], link=link, name="钱七", address="2栋202")
    assert [h.name for h in link.households.all()] == ["钱七"]
    with pytest.raises(UserError, match="已由其他中心户"):
        services.lead_link_add(by=party["secretary"], lead=lead, member=party["bob"])
    assert LeadHouseholdLink.objects.count() == 1
