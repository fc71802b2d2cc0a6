"""The grid worker's home asks for the floating residents of the grid whose record is a year
old (a residence permit is endorsed yearly): the count on the home is what the register's list
shows with ``?due=verify``, only the grid's own, and an edit takes a person off it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.registry.models import Person
from tests.registry.conftest import make_person, valid_id

pytestmark = pytest.mark.django_db


def _floating(grid, name, *, days_old, seq, **fields):
    person = make_person(
        grid, name=name, residence_type="floating", id_number=valid_id(seq=seq), **fields
    )
    Person.objects.filter(pk=person.pk).update(updated_at=timezone.now() - timedelta(days=days_old))
    return person


def _todo(client) -> tuple[str, int] | None:
    body = client.get("/console/").content.decode()
    found = re.search(
        r'<a href="([^"]+)" data-testid="todo">待年度核实的流动人口</a>\s*<span class="count">(\d+)',
        body,
    )
    return (found[1].replace("&amp;", "&"), int(found[2])) if found else None


def test_the_grid_worker_is_asked_to_check_floating_residents_a_year_old(client, cast):
    places = cast["places"]
    due = _floating(places["grid1"], "李一", days_old=400, seq=1)
    _floating(places["grid1"], "李二", days_old=30, seq=2)  # checked this year
    _floating(places["grid1"], "李三", days_old=400, seq=3, status="moved_out")  # gone
    make_person(places["grid1"], name="王四", id_number=valid_id(seq=4))  # registered here
    _floating(places["grid_n"], "赵五", days_old=400, seq=5)  # the neighbour's grid
    client.force_login(cast["grid_worker"])
    url, count = _todo(client)
    assert (url, count) == ("/console/registry/?due=verify", 1)
    listed = client.get(url)
    assert [p.pk for p in listed.context["people"]] == [due.pk]
    assert "待年度核实的流动人口" in listed.content.decode()
    Person.objects.filter(pk=due.pk).update(updated_at=timezone.now())  # checked
    assert _todo(client) is None


def test_an_unknown_due_filter_is_refused_in_words(client, cast):
    client.force_login(cast["grid_worker"])
    response = client.get("/console/registry/?due=everything")
    assert response.status_code == 400
    assert "未知的筛选" in response.content.decode()
