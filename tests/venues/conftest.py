"""The cast around our community's venues: its staff, a partner unit's room and its staff, the
residents of our community and of the neighbour, and a day next week to book."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from jiceng.venues import services
from tests.factories import UserFactory, partner, user_with_role

EVERY_DAY = {d: "09:00-21:00" for d in range(7)}
# 错时开放: evenings on working days, the whole day at the weekend
STAGGERED = {**{d: "18:00-21:00" for d in range(5)}, 5: "09:00-12:00,14:00-21:00", 6: "09:00-17:00"}


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=timezone.get_current_timezone())


def next_weekday(weekday: int, weeks: int = 1) -> date:
    """That weekday in a coming week (never today)."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
    return monday + timedelta(days=weekday)


def book(venue, by, day: date, start: str, end: str, **fields):
    fields.setdefault("title", "书法兴趣小组")
    fields.setdefault("attendees", 10)
    return services.booking_create(
        by=by, venue=venue, starts_at=at(day, start), ends_at=at(day, end), **fields
    )


@pytest.fixture
def cast(places):
    unit = partner("市图书馆分馆", "agency", places["community"])
    secretary = user_with_role("community_secretary", division=places["community"])
    venue = services.venue_create(
        by=secretary,
        division=places["community"],
        name="公园社区党群服务中心多功能厅",
        kind="center",
        address="公园路 1 号",
        capacity=60,
        facilities="投影、音响、桌椅",
        windows=EVERY_DAY,
        closed_on_holidays=False,
    )
    unit_staff = user_with_role("partner_staff", unit=unit)
    room = services.venue_create(
        by=unit_staff,
        division=places["grid1"],
        owner_partner=unit,
        name="图书馆分馆阅览室",
        kind="activity_room",
        address="公园路 8 号二楼",
        capacity=20,
        windows=STAGGERED,
        closed_on_holidays=False,
    )
    return {
        "places": places,
        "unit": unit,
        "venue": venue,
        "room": room,
        "secretary": secretary,
        "worker": user_with_role("community_worker", division=places["community"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "unit_staff": unit_staff,
        "alice": user_with_role("resident", division=places["grid1"], full_name="艾丽"),
        "bob": user_with_role("resident", division=places["grid2"], full_name="鲍勃"),
        "neighbour": user_with_role("resident", division=places["grid_n"], full_name="查理"),
        "nobody": UserFactory(),
    }
