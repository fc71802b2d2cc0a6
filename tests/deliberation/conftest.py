"""The cast around our community's deliberation: its staff, a grid chief, the neighbour's
secretary, residents of ours and of the neighbour, an account with no role; a 月月谈 meeting
running now and one next week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.deliberation import meetings
from jiceng.deliberation.models import MeetingKind
from tests.factories import UserFactory, user_with_role


def kind(code: str = "monthly_talk") -> MeetingKind:
    return MeetingKind.objects.get(code=code)


def make_meeting(by, community, *, code="monthly_talk", hours_from_now=0.0, title="三月月月谈"):
    start = timezone.now() + timedelta(hours=hours_from_now)
    return meetings.meeting_create(
        by=by,
        community=community,
        kind=kind(code),
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="社区党群服务中心",
    )


@pytest.fixture
def cast(places):
    secretary = user_with_role(
        "community_secretary", division=places["community"], full_name="王书记"
    )
    return {
        "places": places,
        "community": places["community"],
        "secretary": secretary,
        "worker": user_with_role("community_worker", division=places["community"]),
        "chief": user_with_role("grid_chief", division=places["community"]),
        "street": user_with_role("street_staff", division=places["street"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "alice": user_with_role("resident", division=places["grid1"], full_name="艾丽"),
        "bob": user_with_role("resident", division=places["grid2"], full_name="鲍勃"),
        "neighbour": user_with_role("resident", division=places["grid_n"], full_name="查理"),
        "nobody": UserFactory(),
    }


@pytest.fixture
def now_meeting(cast):
    """A 月月谈 of our community that started a few minutes ago (check-in is open)."""
    return make_meeting(cast["secretary"], cast["community"], hours_from_now=-0.1)


@pytest.fixture
def later_meeting(cast):
    return make_meeting(
        cast["secretary"], cast["community"], hours_from_now=24 * 7, title="下月月月谈"
    )
