"""The demo shows projects with believable data: every kind in the demo's community with a year
of monthly reports, a weighted tree whose one child has not reported this month, one supervision
with a verified and an open rectification item, commitments with exchanges and an evaluation;
the member (the 第一书记) has a project to report on, the street sees the tree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.accounts.models import User
from jiceng.projects.models import Commitment, Evaluation, Project, Rectification
from tests.demo_snapshot import demo_logins

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_year_of_projects_of_every_kind(client):
    demo_logins(residents=60)
    kinds = set(Project.objects.values_list("kind__code", flat=True))
    assert kinds == {"secretary", "first_secretary", "practical", "key_task", "construction"}
    member = User.objects.get(username="member")
    first = Project.objects.get(owner=member)
    assert first.reports.count() >= 10
    assert Rectification.objects.filter(status="verified").count() == 1
    assert Rectification.objects.exclude(status="verified").count() == 1
    assert Commitment.objects.count() == 2 and Evaluation.objects.exclude(grade="").count() == 1

    client.force_login(User.objects.get(username="street"))
    page = client.get(reverse("projects:list")).content.decode()
    assert "按上月数计" in page and "书记项目" in page
    client.force_login(member)
    assert first.title in client.get(reverse("projects_m:home")).content.decode()
    code = first.scope_code
    public = client.get(reverse("projects_m:public", args=[code])).content.decode()
    assert first.title in public
