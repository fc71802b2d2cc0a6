"""The cast around one grid branch of our community: its members, the community staff, the
neighbour community's secretary and a member of the neighbour's branch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiceng.party.models import Member, PartyOrg
from tests.factories import UserFactory, user_with_role


def make_member(org: PartyOrg, name: str, *, user=None, **fields) -> Member:
    fields.setdefault("joined_at", date(2010, 7, 1))
    fields.setdefault("dues_from", fields["joined_at"])
    fields.setdefault("income_kind", "wage")
    fields.setdefault("dues_base", Decimal("4000"))
    return Member.objects.create(name=name, org=org, user=user, scope_code=org.scope_code, **fields)


def member_user(org: PartyOrg, name: str, **fields) -> Member:
    """A member with an account (role "member" in the org's community)."""
    from jiceng.geo.models import Division

    community = Division.objects.get(code=org.scope_code[:12])
    user = user_with_role("member", division=community, full_name=name)
    return make_member(org, name, user=user, **fields)


def restore_regulation_data() -> None:
    """The dues brackets, frequencies and starter point rules that migrations load; put back
    after a transactional test flushed them."""
    from importlib import import_module

    from django.apps import apps

    from jiceng.party.models import DuesRule
    from jiceng.points.models import PointRule

    if not DuesRule.objects.exists():
        import_module("jiceng.party.migrations.0003_regulation_data").forwards(apps, None)
    if not PointRule.objects.exists():
        import_module("jiceng.points.migrations.0002_starter_rules").forwards(apps, None)


@pytest.fixture(autouse=True)
def regulation_data(db):
    restore_regulation_data()


@pytest.fixture
def party(places):
    committee = PartyOrg.objects.create(
        name="中共公园社区委员会", kind="committee", division=places["community"]
    )
    branch = PartyOrg.objects.create(
        name="公园社区第1网格党支部", kind="branch", division=places["grid1"], parent=committee
    )
    branch2 = PartyOrg.objects.create(
        name="公园社区第2网格党支部", kind="branch", division=places["grid2"], parent=committee
    )
    other_committee = PartyOrg.objects.create(
        name="中共湖西社区委员会", kind="committee", division=places["neighbour"]
    )
    other_branch = PartyOrg.objects.create(
        name="湖西社区第1网格党支部",
        kind="branch",
        division=places["grid_n"],
        parent=other_committee,
    )
    return {
        "places": places,
        "committee": committee,
        "branch": branch,
        "branch2": branch2,
        "other_branch": other_branch,
        "alice": member_user(branch, "艾丽"),
        "bob": member_user(branch, "鲍勃"),
        "neighbour_member": member_user(other_branch, "查理"),
        "secretary": user_with_role("community_secretary", division=places["community"]),
        "worker": user_with_role("community_worker", division=places["community"]),
        "grid_chief": user_with_role("grid_chief", division=places["grid1"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "nobody": UserFactory(),
    }
