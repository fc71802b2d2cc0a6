"""The console home's "今日待办": what waits for this user, from the apps' registrations, each
line a link to the list that shows exactly those records, the late ones first, in few queries."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.cases.models import Case, CaseCategory
from jiceng.community.models import Need, ServiceOrder, Wish
from jiceng.party.models import Meeting, PartyOrg
from jiceng.party.selectors import this_week
from jiceng.venues.models import Booking, Venue
from tests.conftest import restore_starter_categories
from tests.factories import partner, user_with_role

pytestmark = pytest.mark.django_db

TODO = re.compile(
    r'<li( class="overdue")?><a href="([^"]+)" data-testid="todo">([^<]+)</a>\s*'
    r'<span class="count">(\d+)</span>'
)


def todos(body: str) -> list[tuple[bool, str, str, int]]:
    """(overdue, url, label, count) of each to-do line, in the page's order."""
    return [
        (bool(o), url.replace("&amp;", "&"), label, int(n))
        for o, url, label, n in TODO.findall(body)
    ]


def shown(client, url: str) -> int:
    """How many records the linked list shows (its pager's total, or the venues' requests)."""
    response = client.get(url)
    assert response.status_code == 200, url
    if "page_obj" in response.context:
        return response.context["page_obj"].paginator.count
    return len(response.context["pending"])


def _case(places, status, *, late=False, reporter=None, handler=None, grid="grid1"):
    restore_starter_categories()
    now = timezone.now()
    return Case.objects.create(
        number=f"T{Case.objects.count() + 1:06d}",
        category=CaseCategory.objects.get(code="0101"),
        description="井盖缺失",
        status=status,
        source="grid",
        reporter=reporter,
        scope_code=places[grid].code,
        stage_started_at=now,
        deadline_at=now + timedelta(hours=-1 if late else 4),
        triage="major",
        handler=handler,
    )


@pytest.fixture
def world(places):
    """Our community with something waiting in every app, and the same in the neighbour's."""
    now = timezone.now()
    secretary = user_with_role("community_secretary", division=places["community"])
    department = partner("城市管理局", "department", places["district"])
    handler = user_with_role("department_staff", unit=department)
    for where in ("grid1", "grid_n"):
        community = places[where].parent
        _case(places, "reported", grid=where)
        _case(places, "reported", late=True, grid=where)
        _case(places, "filed", grid=where)
        _case(places, "dispatched", handler=department, grid=where)
        _case(places, "handled", handler=department, grid=where)
        Need.objects.create(
            community=community, scope_code=community.code, title="助餐", source="visit"
        )
        Wish.objects.create(
            community=community,
            scope_code=places[where].code,
            poster=secretary,
            title="一个书包",
            value=Decimal("50"),
        )
        for hours in (-2, 24):  # one already past its time
            ServiceOrder.objects.create(
                community=community,
                scope_code=community.code,
                title="上门理发",
                due_at=now + timedelta(hours=hours),
                status="dispatched",
            )
        venue = Venue.objects.create(
            name="党群服务中心",
            division=community,
            scope_code=community.code,
            address="公园路 1 号",
            capacity=30,
        )
        Booking.objects.create(
            venue=venue,
            scope_code=community.code,
            booker=secretary,
            title="书法小组",
            attendees=10,
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=2),
            status="pending",
        )
        org = PartyOrg.objects.create(
            name=f"{community.name}党委", kind="committee", division=community
        )
        start, end = this_week()
        Meeting.objects.create(
            org=org,
            kind="branch_meeting",
            title="支部党员大会",
            starts_at=now,
            ends_at=min(end, now + timedelta(hours=1)),
            scope_code=community.code,
        )
    # a meeting of next week is not due this week
    Meeting.objects.create(
        org=PartyOrg.objects.get(division=places["community"]),
        kind="branch_meeting",
        title="下周的会",
        starts_at=this_week()[1] + timedelta(days=1),
        ends_at=this_week()[1] + timedelta(days=1, hours=1),
        scope_code=places["community"].code,
    )
    return {"secretary": secretary, "handler": handler, "department": department}


def test_the_secretarys_to_dos_count_what_each_linked_list_shows(client, places, world):
    client.force_login(world["secretary"])
    body = client.get(reverse("console:home")).content.decode()
    assert "今日待办" in body
    lines = todos(body)
    by_label = {label: (overdue, url, count) for overdue, url, label, count in lines}
    assert by_label["待立案的诉求"] == (True, reverse("cases:inbox") + "?status=reported", 2)
    assert by_label["待分流或派遣的诉求"][2] == 1
    assert by_label["待核查的诉求"][2] == 1
    assert by_label["待审核的需求"][2] == 1
    assert by_label["待审核的微心愿"][2] == 1
    assert by_label["待接单的服务工单"][::2] == (True, 2)
    assert by_label["待审批的场地预约"][2] == 1
    assert by_label["本周待召开的会议"][2] == 1
    assert "待接收的派遣" not in by_label  # a unit's step, not the community's
    for _, url, label, count in lines:
        assert shown(client, url) == count, label


def test_the_late_lines_come_first(client, world):
    client.force_login(world["secretary"])
    lines = todos(client.get(reverse("console:home")).content.decode())
    flags = [overdue for overdue, *_ in lines]
    assert flags == sorted(flags, reverse=True) and flags[0] and not flags[-1]


def test_a_units_staff_see_the_cases_dispatched_to_their_unit(client, world):
    client.force_login(world["handler"])
    lines = todos(client.get(reverse("console:home")).content.decode())
    labels = {label: count for _, _, label, count in lines}
    assert labels == {"待接收的派遣": 2}  # ours and the neighbour's: both sent to the unit
    for _, url, label, count in lines:
        assert shown(client, url) == count, label


def test_the_neighbours_records_are_not_counted(client, places, world):
    outsider = user_with_role("community_secretary", division=places["neighbour"])
    Case.objects.filter(scope_code__startswith=places["neighbour"].code, status="reported").delete()
    client.force_login(outsider)
    labels = {label for _, _, label, _ in todos(client.get("/console/").content.decode())}
    assert "待立案的诉求" not in labels and "待审核的需求" in labels


def test_a_grid_worker_is_asked_to_verify_what_was_handled_in_the_grid(client, places, world):
    worker = user_with_role("grid_worker", division=places["grid1"])
    client.force_login(worker)
    lines = todos(client.get(reverse("console:home")).content.decode())
    assert [(label, count) for _, _, label, count in lines] == [("待核查的诉求", 1)]
    assert shown(client, lines[0][1]) == 1


def test_nothing_waiting_says_so(client, places):
    client.force_login(user_with_role("community_secretary", division=places["community"]))
    body = client.get(reverse("console:home")).content.decode()
    assert 'data-testid="no-todos"' in body and "没有待办事项。" in body
    assert todos(body) == []


def test_the_to_dos_read_in_english(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world["secretary"])
    body = client.get(reverse("console:home")).content.decode()
    assert "今日待办" not in body and "待立案" not in body and "待审核" not in body


@pytest.mark.parametrize("role", ["community_secretary", "street_staff", "district_staff"])
def test_the_console_home_takes_few_queries(
    client, places, world, role, django_assert_max_num_queries
):
    where = {"community_secretary": "community", "street_staff": "street"}.get(role, "district")
    client.force_login(user_with_role(role, division=places[where]))
    with django_assert_max_num_queries(12):
        body = client.get(reverse("console:home")).content.decode()
    assert todos(body) and '<div class="figure">' in body
