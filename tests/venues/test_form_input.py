"""A refused closure on a venue's page is explained beside its form, in the user's language, with
the dates and the reason still in it, and nothing changes (CONVENTIONS.md "Form input")."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from jiceng.core.models import AuditEntry
from jiceng.venues.models import Booking, Closure
from tests.venues.conftest import book, next_weekday

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Closure.objects.count(),
        list(Booking.objects.values_list("pk", "status")),
        AuditEntry.objects.count(),
    )


def errors(page: str) -> str:
    found = re.findall(r'data-testid="form-errors">(.*?)</div>', page)
    assert found, "no errors shown beside the form"
    return " ".join(found)


def test_a_closure_ending_before_it_starts_keeps_the_dates_and_the_reason(cast, client):
    day = next_weekday(1)
    book(cast["venue"], cast["alice"], day, "10:00", "11:00")
    client.force_login(cast["secretary"])
    before = snapshot()
    earlier = (day - timedelta(days=1)).isoformat()
    page = client.post(
        f"/console/venues/{cast['venue'].pk}/closures/",
        {"starts_on": day.isoformat(), "ends_on": earlier, "reason": "设备检修"},
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "结束日期不能早于起始日期" in errors(body)
    assert f'value="{day.isoformat()}"' in body and f'value="{earlier}"' in body
    assert 'value="设备检修"' in body
    assert snapshot() == before


@pytest.mark.parametrize(
    ("starts_on", "says"),
    [
        ("next Friday", "Start date: not in the right format."),
        ("9999-12-31", "Dates must lie between 1900-01-01 and 2100-12-31."),
    ],
)
def test_a_closure_from_a_date_that_cannot_be_read_is_explained_in_english(
    cast, client, starts_on, says
):
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"
    before = snapshot()
    page = client.post(
        f"/console/venues/{cast['venue'].pk}/closures/",
        {"starts_on": starts_on, "reason": "设备检修"},
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert says in errors(body).replace("&#x27;", "'")
    assert f'value="{starts_on}"' in body and 'value="设备检修"' in body
    assert snapshot() == before


def test_a_good_closure_still_redirects_to_the_venue(cast, client):
    client.force_login(cast["secretary"])
    day = next_weekday(3).isoformat()
    done = client.post(
        f"/console/venues/{cast['venue'].pk}/closures/", {"starts_on": day, "reason": "设备检修"}
    )
    assert done.status_code == 302
    assert Closure.objects.get().ends_on.isoformat() == day
