"""The demo shows projects with believable data: every kind in the demo's community with a year
of monthly reports, a weighted tree whose one child has not reported this month, one supervision
with a verified and an open rectification item, commitments with exchanges and an evaluation;
the member (the 第一书记) has a project to report on, the street sees the tree."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.projects.models import Commitment, Evaluation, Project, Rectification
from tests.demo_snapshot import demo_logins

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def test_the_demo_has_a_year_of_projects_of_every_kind(client):
    demo_logins(residents=60)
    kinds = set(Project.objects.values_list("kind__code", flat=True))
    assert kinds == {"secretary", "first_secretary", "practical", "key_task", "construction"}
    member = User.objects.get(username="member")
    first = Project.objects.get(owner=member)
    assert first.reports.count() >= 10
    assert Rectification.objects.filter(status="verified").count() == 1
    assert Rectification.objects.exclude(status="verified").count() == 1
    # last year's commitments exchanged every quarter and graded; this year's not scored yet
    assert Commitment.objects.count() == 4
    graded = Evaluation.objects.exclude(grade="")
    assert {e.commitment.year for e in graded} == {YEAR - 1} and graded.count() == 2
    assert all(e.self_report and e.commitment.exchanges.count() == 4 for e in graded)
    mine = Commitment.objects.get(person=member, year=YEAR)
    assert mine.exchanges.exists() and mine.evaluation.self_report
    collecting = Project.objects.get(step="征集")
    assert collecting.proposals.count() == 2
    root = Project.objects.filter(kind__code="secretary", parent__isnull=True).order_by("id")[0]
    assert root.partners.exists() and root.links.exists()

    client.force_login(User.objects.get(username="street"))
    page = client.get(reverse("projects:list")).content.decode()
    assert "按上月数计" in page and "书记项目" in page
    commitments = client.get(reverse("projects:commitments") + f"?year={YEAR - 1}")
    assert "优秀" in commitments.content.decode()
    client.force_login(member)
    assert first.title in client.get(reverse("projects_m:home")).content.decode()
    page = client.get(reverse("projects_m:commitment", args=[mine.pk])).content.decode()
    assert "四点半课堂" in page and 'data-testid="self-report-form"' in page
    code = first.scope_code
    public = client.get(reverse("projects_m:public", args=[code])).content.decode()
    assert first.title in public
