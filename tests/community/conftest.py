"""The cast around our community's services: its staff, residents, members, a partner's staff,
the neighbour community's secretary and resident, and someone with no role."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.utils import timezone

from jiceng.party.models import PartyOrg
from tests.factories import UserFactory, partner, user_with_role
from tests.party.conftest import member_user


def restore_point_rules() -> None:
    """The starter point rules migrations load; put back after a transactional test flushed them."""
    from django.apps import apps

    from jiceng.points.models import PointRule

    if not PointRule.objects.exists():
        import_module("jiceng.points.migrations.0002_starter_rules").forwards(apps, None)
    if not PointRule.objects.filter(code="volunteer_activity").exists():
        import_module("jiceng.points.migrations.0003_services_rules").forwards(apps, None)


@pytest.fixture(autouse=True)
def point_rules(db):
    restore_point_rules()


@pytest.fixture
def cast(places):
    committee = PartyOrg.objects.create(
        name="中共公园社区委员会", kind="committee", division=places["community"]
    )
    branch = PartyOrg.objects.create(
        name="公园社区第1网格党支部", kind="branch", division=places["grid1"], parent=committee
    )
    unit = partner("江边供电所", "enterprise", places["community"])
    return {
        "places": places,
        "community": places["community"],
        "neighbour": places["neighbour"],
        "secretary": user_with_role("community_secretary", division=places["community"]),
        "worker": user_with_role("community_worker", division=places["community"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "resident": user_with_role("resident", division=places["grid1"], full_name="王小红"),
        "resident2": user_with_role("resident", division=places["grid2"], full_name="李大明"),
        "neighbour_resident": user_with_role("resident", division=places["grid_n"]),
        "member": member_user(branch, "艾丽"),
        "member2": member_user(branch, "鲍勃"),
        "partner": unit,
        "partner_staff": user_with_role("partner_staff", unit=unit),
        "nobody": UserFactory(),
    }


def make_activity(cast, *, capacity=10, starts_in=timedelta(days=3), hours=2, **fields):
    from jiceng.community import services

    starts = timezone.now() + starts_in
    fields.setdefault("signup_opens_at", timezone.now() - timedelta(days=1))
    fields.setdefault("signup_closes_at", max(starts, timezone.now() + timedelta(minutes=1)))
    return services.activity_create(
        by=cast["secretary"],
        community=cast["community"],
        title=fields.pop("title", "义诊进社区"),
        place=fields.pop("place", "公园社区党群服务中心"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        capacity=capacity,
        **fields,
    )
