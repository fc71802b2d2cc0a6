"""The demo district shows services: lists, this month's activities, orders and wishes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.community.models import Activity, Need, Project, ServiceOrder, Signup, Wish
from tests.demo_snapshot import demo_logins


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_demo_has_services_to_show(client):
    demo_logins(residents=60)
    assert {"accepted", "pending", "declined"} <= set(Need.objects.values_list("status", flat=True))
    assert Project.objects.filter(status="published", month=timezone.localdate().replace(day=1))
    month = Activity.objects.filter(starts_at__month=timezone.localdate().month)
    assert month.count() >= 8
    assert (
        Signup.objects.filter(rating__isnull=False).exists()
        or not Signup.objects.filter(checked_in_at__isnull=False).exists()
    )
    statuses = set(ServiceOrder.objects.values_list("status", flat=True))
    assert {"dispatched", "accepted", "done", "rated"} <= statuses
    assert {"pending", "open", "claimed", "confirmed"} <= set(
        Wish.objects.values_list("status", flat=True)
    )
    client.force_login(User.objects.get(username="resident"))
    page = client.get(reverse("m_services:calendar"))
    assert page.status_code == 200 and "社区清洁日" in page.content.decode()
    client.force_login(User.objects.get(username="member"))
    assert "已接单" in client.get(reverse("m_services:orders")).content.decode()
    client.force_login(User.objects.get(username="secretary"))
    assert client.get(reverse("services:home")).status_code == 200
