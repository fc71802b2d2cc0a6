"""The cast of the polls: our community with two grids and a compound, households of the
register (one with two adults and a child), residents whose accounts are linked to their
register entries, the community's staff, and the neighbour community's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.deliberation import polls
from jiceng.deliberation.models import Poll, RegisterLink
from jiceng.registry.models import Household
from tests.factories import UserFactory, user_with_role
from tests.registry.conftest import make_building, make_dwelling, make_person, valid_id


def household(grid, number: str, *people: tuple[str, str], building=None):
    """A dwelling with one household and its people ((name, birth date) each)."""
    dwelling = make_dwelling(grid, number=number, building=building)
    home = Household.objects.create(dwelling=dwelling, scope_code=dwelling.scope_code)
    members = []
    for name, born in people:
        p = make_person(
            grid,
            name=name,
            dwelling=dwelling,
            birth_date=born,
            id_number=valid_id(born.replace("-", "")),
        )
        p.household = home
        p.save(update_fields=["household"])
        members.append(p)
    return home, members


def resident(person, grid, name: str):
    user = user_with_role("resident", division=grid, full_name=name)
    RegisterLink.objects.create(user=user, person=person)
    return user


@pytest.fixture
def cast(places):
    g1, g2, gn = places["grid1"], places["grid2"], places["grid_n"]
    b1 = make_building(g1, name="1栋")
    b2 = make_building(g2, name="2栋")
    h1, (wang, li, kid) = household(
        g1,
        "101",
        ("王芳", "1980-03-01"),
        ("李强", "1979-05-02"),
        ("王小明", "2015-06-01"),
        building=b1,
    )
    h2, (zhao,) = household(g1, "102", ("赵敏", "1990-01-01"), building=b1)
    h3, (sun,) = household(g2, "201", ("孙丽", "1985-01-01"), building=b2)
    h4, (zhou,) = household(g2, "202", ("周杰", "1970-01-01"), building=b2)
    hn, (qian,) = household(gn, "301", ("钱进", "1975-01-01"))
    return {
        "places": places,
        "b1": b1,
        "b2": b2,
        "h1": h1,
        "h2": h2,
        "h3": h3,
        "h4": h4,
        "hn": hn,
        "kid": kid,
        "sun": sun,
        "wang": resident(wang, g1, "王芳"),
        "li": resident(li, g1, "李强"),
        "zhao": resident(zhao, g1, "赵敏"),
        "zhou": resident(zhou, g2, "周杰"),
        "kid_user": resident(kid, g1, "王小明"),
        "qian": resident(qian, gn, "钱进"),
        "unlinked": user_with_role("resident", division=g1, full_name="未关联"),
        "secretary": user_with_role("community_secretary", division=places["community"]),
        "worker": user_with_role("community_worker", division=places["community"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "nobody": UserFactory(),
    }


def make_poll(
    cast, *, kind=Poll.Kind.YES_NO, electorate=Poll.Electorate.HOUSEHOLD, open=True, **kw
):
    kw.setdefault(
        "options", [] if kind == Poll.Kind.YES_NO else ["修缮车棚", "加装路灯", "增设座椅"]
    )
    poll = polls.poll_create(
        by=cast["secretary"],
        division=cast["places"]["community"],
        title=kw.pop("title", "是否同意加装电梯"),
        kind=kind,
        electorate=electorate,
        closes_at=timezone.now() + timedelta(days=7),
        **kw,
    )
    if open:
        poll = polls.poll_open(poll=poll, by=cast["secretary"])
    return poll


def option(poll, position: int) -> int:
    return poll.options.get(position=position).pk
