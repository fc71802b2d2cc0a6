"""Party life's warnings through the warning centre: the community's staff hear of a branch
behind its meetings and of a member three months behind with dues, the member hears of their
dues; each once, and not again for what the party app told before the centre existed."""

from __future__ import annotations

from datetime import date, datetime
from unittest import mock

import pytest
from django.utils import timezone

from jiceng.core.models import Notification
from jiceng.dashboard.models import Warning
from jiceng.dashboard.warnings import run_sources
from jiceng.party import services
from jiceng.party.models import WarningNotice
from jiceng.party.warnings import meeting_alerts

pytestmark = pytest.mark.django_db


def run(today: date) -> dict[str, int]:
    with mock.patch("django.utils.timezone.now") as now:
        now.return_value = timezone.make_aware(datetime.combine(today, datetime.min.time()))
        return {
            "meetings": run_sources(today=today, kinds=["party.meetings"]).told,
            "dues": run_sources(today=today, kinds=["party.dues"]).told,
        }


def test_warnings_reach_the_community_staff_and_the_member_once(party):
    alice, bob = party["alice"], party["bob"]
    alice.dues_from = bob.dues_from = date(2025, 1, 1)
    alice.save()
    bob.save()
    for m in (1, 2, 3, 4, 5):
        services.dues_pay(by=party["secretary"], member=bob, month=date(2025, m, 1))
    services.dues_pay(by=party["secretary"], member=alice, month=date(2025, 2, 1))
    Notification.objects.all().delete()

    sent = run(date(2025, 6, 25))  # a week left in June: no theme day held anywhere
    assert sent["dues"] == 2  # Alice (March to May), and the neighbour's member who never paid
    assert sent["meetings"] >= 2  # both of our branches (and the neighbour's) are behind
    secretary_titles = set(
        Notification.objects.filter(user=party["secretary"]).values_list("title", flat=True)
    )
    assert "党费预警：艾丽" in secretary_titles
    assert "组织生活预警：公园社区第1网格党支部（主题党日）" in secretary_titles
    assert (
        "组织生活预警：湖西社区第1网格党支部（主题党日）" not in secretary_titles
    )  # not their community
    assert Notification.objects.filter(user=alice.user, title="请及时交纳党费").count() == 1
    assert not Notification.objects.filter(user=bob.user).exists()
    outsider_titles = set(
        Notification.objects.filter(user=party["outsider"]).values_list("title", flat=True)
    )
    assert "党费预警：查理" in outsider_titles and "党费预警：艾丽" not in outsider_titles

    count = Notification.objects.count()
    assert run(date(2025, 6, 26)) == {"meetings": 0, "dues": 0}
    assert Notification.objects.count() == count


def test_a_new_period_warns_again(party):
    run(date(2025, 6, 25))
    assert run(date(2025, 7, 25))["meetings"] >= 2


def test_a_warning_told_before_the_centre_is_recorded_but_not_told_again(party):
    with mock.patch("django.utils.timezone.now") as now:
        now.return_value = timezone.make_aware(datetime(2025, 6, 25))
        alert = meeting_alerts(date(2025, 6, 25))[0]
    # the party app told this one itself, before the warning centre existed
    WarningNotice.objects.create(key=alert.key.removeprefix("party."))
    Notification.objects.all().delete()
    run(date(2025, 6, 25))
    recorded = Warning.objects.get(key=alert.key)
    assert recorded.notified_at is None and recorded.state == "open"
    assert not Notification.objects.filter(title=recorded.title).exists()
    assert Notification.objects.filter(title__startswith="组织生活预警").exists()  # the others
