"""The demo shows deliberation with believable data: a year of monthly 月月谈 in the first
community with people by category, approved minutes and resolutions; many issues, most solved;
a coming meeting the demo resident can open; a five-step matter done and one in progress."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.accounts.models import User
from jiceng.deliberation.models import Issue, Matter, Meeting
from tests.demo_snapshot import demo_logins

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_year_of_monthly_talks_with_issues_mostly_solved(client):
    demo_logins(residents=60)
    held = Meeting.objects.filter(kind__code="monthly_talk", status="held")
    assert held.count() == 12
    assert len({(m.starts_at.year, m.starts_at.month) for m in held}) == 12
    assert all(m.minutes and m.minutes_published_at for m in held)
    approved = held.filter(participants__approved_at__isnull=False).distinct().count()
    assert approved >= 10
    issues = Issue.objects.all()
    solved = issues.filter(status__in=["carried_out", "reported"]).count()
    assert issues.count() >= 70 and solved >= issues.count() // 2
    assert {"meeting", "phone", "case"} <= set(issues.values_list("source", flat=True))
    assert Matter.objects.filter(status="done").count() == 1
    assert Matter.objects.filter(status="reviewed").count() == 1

    client.force_login(User.objects.get(username="resident"))
    home = client.get(reverse("deliberation_m:home")).content.decode()
    coming = Meeting.objects.filter(kind__code="monthly_talk", status="planned").get()
    assert coming.title in home
    last = held.order_by("-starts_at").first()
    page = client.get(reverse("deliberation_m:meeting", args=[last.pk])).content.decode()
    assert 'data-testid="approve"' in page  # the resident was there and has not approved yet
    client.force_login(User.objects.get(username="secretary"))
    assert client.get(reverse("deliberation:meetings")).status_code == 200
    matter = Matter.objects.get(status="done")
    steps = client.get(reverse("deliberation:matter", args=[matter.pk])).content.decode()
    assert "赞成 21，反对 2，弃权 1" in steps
