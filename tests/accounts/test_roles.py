"""Role assignments: inside the assigner's scope, the right level, three administrators apart."""

from __future__ import annotations

import pytest

from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.services import role_assign, role_end
from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from tests.factories import UserFactory, partner, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(places):
    return user_with_role("community_secretary", division=places["community"])


def assignments():
    return list(
        RoleAssignment.objects.order_by("pk").values_list(
            "user_id", "role", "scope_code", "ended_at"
        )
    )


def test_a_secretary_assigns_a_grid_worker_in_their_community_and_it_is_audited(secretary, places):
    person = UserFactory()
    a = role_assign(user=person, role="grid_worker", division=places["grid2"], by=secretary)
    assert (a.scope_code, a.granted_by) == (places["grid2"].code, secretary)
    assert AuditEntry.objects.filter(
        action="role.assign", object_id=str(a.pk), actor=secretary
    ).exists()


def test_a_role_outside_the_assigners_scope_is_refused_and_nothing_changes(secretary, places):
    person = UserFactory()
    before = assignments()
    with pytest.raises(UserError, match="不能在您的管辖范围之外分配该角色") as refused:
        role_assign(user=person, role="grid_worker", division=places["grid_n"], by=secretary)
    assert refused.value.status == 403
    assert assignments() == before


def test_a_secretary_cannot_grant_street_roles(secretary, places):
    before = assignments()
    with pytest.raises(UserError, match="管辖范围之外"):
        role_assign(
            user=UserFactory(), role="street_staff", division=places["street"], by=secretary
        )
    assert assignments() == before


def test_a_role_at_the_wrong_level_is_refused(secretary, places):
    before = assignments()
    with pytest.raises(UserError, match="只能分配到网格"):
        role_assign(
            user=UserFactory(), role="grid_worker", division=places["community"], by=secretary
        )
    assert assignments() == before


def test_unit_roles_need_a_unit_of_the_right_kind(places):
    department = partner("城市管理局", "department", places["district"])
    company = partner("绿城物业", "property_company", places["community"])
    person = UserFactory()
    with pytest.raises(UserError, match="须指定所属单位"):
        role_assign(user=person, role="department_staff", division=places["district"], by=None)
    with pytest.raises(UserError, match="不能分配到“物业服务企业”类单位"):
        role_assign(user=person, role="department_staff", unit=company, by=None)
    assert not RoleAssignment.objects.filter(user=person).exists()
    a = role_assign(user=person, role="department_staff", unit=department, by=None)
    assert a.unit == department
    assert (
        role_assign(user=person, role="partner_staff", unit=company, by=None).scope_code
        == places["community"].code
    )


def test_the_three_administrator_roles_cannot_be_held_together(places):
    person = user_with_role("system_admin", division=places["district"])
    for role in ("security_admin", "audit_admin"):
        before = assignments()
        with pytest.raises(UserError, match="三员分立"):
            role_assign(user=person, role=role, division=places["district"], by=None)
        assert assignments() == before


def test_a_security_admin_cannot_make_themselves_an_administrator(places):
    admin = user_with_role("security_admin", division=places["district"])
    with pytest.raises(UserError, match="不能给自己分配管理员角色"):
        role_assign(user=admin, role="audit_admin", division=places["district"], by=admin)


def test_the_same_role_twice_in_one_place_is_refused(secretary, places):
    person = UserFactory()
    role_assign(user=person, role="grid_worker", division=places["grid1"], by=secretary)
    with pytest.raises(UserError, match="已是网格员"):
        role_assign(user=person, role="grid_worker", division=places["grid1"], by=secretary)


def test_ending_a_role_keeps_it_with_its_history(secretary, places):
    person = UserFactory()
    a = role_assign(user=person, role="grid_worker", division=places["grid1"], by=secretary)
    role_end(assignment=a, by=secretary)
    a.refresh_from_db()
    assert a.ended_at is not None and a.ended_by == secretary
    assert RoleAssignment.objects.filter(pk=a.pk).exists()
    assert AuditEntry.objects.filter(action="role.end", object_id=str(a.pk)).exists()
    with pytest.raises(UserError, match="已终止"):
        role_end(assignment=a, by=secretary)
    # and the role can be given again later
    role_assign(user=person, role="grid_worker", division=places["grid1"], by=secretary)


def test_an_outsider_cannot_end_a_role_in_another_community(secretary, places):
    outsider = user_with_role("community_secretary", division=places["neighbour"])
    a = role_assign(user=UserFactory(), role="grid_worker", division=places["grid1"], by=secretary)
    with pytest.raises(UserError, match="管辖范围之外"):
        role_end(assignment=a, by=outsider)
    a.refresh_from_db()
    assert a.ended_at is None
