"""The pages: the permission cast on the console's tree, a project and a supervision; the owner
reports on the phone; the community closes a rectification with a photo and the street verifies;
the public page needs no login; refused input is drawn again with nothing written; query
budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.projects import services
from jiceng.projects.models import ProgressReport, Project, Rectification
from tests.projects.conftest import YEAR, kind, make_project, png

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_tree_page_shows_the_scope_and_the_permission_cast(client, cast, project):
    url = reverse("projects:list")
    for who, status, seen in (
        ("secretary", 200, True),
        ("street", 200, True),
        ("outsider", 200, False),
        ("alice", 403, False),
    ):
        client.force_login(cast[who])
        r = client.get(url)
        assert r.status_code == status, who
        assert (project.title in r.content.decode()) is seen, who
    client.logout()
    assert client.get(url).status_code == 302


def test_the_tree_page_stays_within_its_query_budget(client, cast, django_assert_max_num_queries):
    parent = make_project(cast, code="secretary", title="书记项目")
    for i in range(15):
        make_project(cast, title=f"子项目{i}", parent=parent, weight=i + 1)
    client.force_login(cast["street"])
    with django_assert_max_num_queries(12):
        r = client.get(reverse("projects:list"))
    html = r.content.decode()
    assert r.status_code == 200 and "子项目14" in html
    # the tree's table stacks on a phone: each cell carries its column's name
    assert 'class="table stack ptree"' in html and 'data-label="权重占比"' in html
    client.force_login(cast["alice"])
    assert client.get(reverse("projects:new")).status_code == 403


def test_a_project_outside_the_scope_is_404_and_the_detail_has_a_budget(
    client, cast, project, django_assert_max_num_queries
):
    url = reverse("projects:project", args=[project.pk])
    client.force_login(cast["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(cast["secretary"])
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


def test_creating_a_project_from_the_console_and_a_refused_form_writes_nothing(client, cast):
    client.force_login(cast["secretary"])
    data = {
        "kind": kind("practical").pk,
        "place": cast["community"].pk,
        "weight": "1",
        "title": "加装电梯",
        "starts_on": f"{YEAR}-01-01",
        "ends_on": f"{YEAR - 1}-12-01",
    }
    assert 'data-testid="new-project"' in client.get(reverse("projects:list")).content.decode()
    r = client.post(reverse("projects:new"), data)
    assert r.status_code == 400 and "完成期限不能早于开始日期" in r.content.decode()
    assert not Project.objects.exists()
    data["ends_on"] = f"{YEAR}-12-31"
    r = client.post(reverse("projects:new"), data)
    assert r.status_code == 302
    assert Project.objects.get().step == "征集"


def test_a_milestone_after_the_end_is_refused_on_the_page(client, cast, project):
    client.force_login(cast["secretary"])
    url = reverse("projects:project", args=[project.pk])
    r = client.post(url, {"action": "milestone", "title": "验收", "due_on": f"{YEAR + 1}-02-01"})
    assert r.status_code == 400 and "完成期限" in r.content.decode()
    assert not project.milestones.exists()


def test_the_owner_reports_on_the_phone_and_others_cannot(client, cast, project):
    url = reverse("projects_m:report", args=[project.pk])
    client.force_login(cast["alice"])
    assert client.get(url).status_code == 404
    client.force_login(cast["first"])
    home = client.get(reverse("projects_m:home")).content.decode()
    assert project.title in home and "本月未报告" in home
    r = client.post(
        url,
        {"month": TODAY.strftime("%Y-%m"), "progress": "150", "health": "on_track", "text": "x"},
    )
    assert r.status_code == 400 and not ProgressReport.objects.exists()
    r = client.post(
        url,
        {
            "month": TODAY.strftime("%Y-%m"),
            "progress": "40",
            "health": "at_risk",
            "text": "完成方案设计",
            "photos": [png()],
        },
    )
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.progress == 40 and project.reports.get().photos.count() == 1
    photo = project.reports.get().photos.get().image.url
    assert client.get(photo).status_code == 200
    client.force_login(cast["outsider"])
    assert client.get(photo).status_code == 404


def test_rectification_through_the_pages_closed_with_a_photo_and_verified(client, cast, project):
    s = services.supervision_open(by=cast["street"], title="月度督查", project=project)
    url = reverse("projects:supervision", args=[s.pk])
    client.force_login(cast["street"])
    r = client.post(
        url,
        {
            "action": "item",
            "text": "补齐公示牌",
            "owner": cast["secretary"].pk,
            "deadline": (TODAY + timedelta(days=5)).isoformat(),
        },
    )
    assert r.status_code == 302
    item = Rectification.objects.get()
    client.force_login(cast["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(cast["secretary"])
    r = client.post(url, {"action": "close", "item": item.pk, "note": "已补齐"})
    assert r.status_code == 400 and "照片" in r.content.decode()
    r = client.post(url, {"action": "close", "item": item.pk, "note": "已补齐", "photo": png()})
    assert r.status_code == 302
    client.force_login(cast["street"])
    page = client.get(url).content.decode()
    assert f'data-testid="verify-{item.pk}"' in page
    r = client.post(url, {"action": "verify", "item": item.pk, "accept": "1"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == "verified"


def test_the_public_page_needs_no_login_and_shows_rolled_up_progress(
    client, cast, django_assert_max_num_queries
):
    parent = make_project(cast, code="secretary", title="美丽社区")
    a = make_project(cast, title="口袋公园", parent=parent, weight=3)
    make_project(cast, title="楼道整治", parent=parent, weight=1)
    services.report_progress(
        by=cast["first"], project=a, month=TODAY, text="x", progress=80, health="on_track"
    )
    with django_assert_max_num_queries(6):
        r = client.get(reverse("projects_m:public", args=[cast["community"].code]))
    html = r.content.decode()
    assert r.status_code == 200 and "美丽社区" in html and "60.0%" in html
    assert "李第一书记" not in html
    assert client.get(reverse("projects_m:public", args=["999999999999"])).status_code == 404


def test_the_community_public_page_carries_the_projects_card(client, cast, project):
    r = client.get(f"/cases/open/{cast['community'].code}/")
    assert r.status_code == 200
    assert 'data-testid="public-projects-card"' in r.content.decode()


def test_the_api_answers_the_tree_and_takes_a_report(client, cast, project):
    client.force_login(cast["first"])
    r = client.get("/api/projects/")
    assert r.status_code == 200 and r.json()[0]["title"] == project.title
    r = client.post(
        f"/api/projects/{project.pk}/reports",
        {"month": TODAY.isoformat(), "progress": 30, "health": "on_track", "text": "推进"},
        content_type="application/json",
    )
    assert r.status_code == 201
    client.force_login(cast["alice"])
    assert client.get(f"/api/projects/{project.pk}").status_code == 404


def test_todos_and_warnings(cast, project):
    from jiceng.core.registry import todos_for, warning_sources

    s = services.supervision_open(by=cast["street"], title="督查", project=project)
    services.rectification_add(
        by=cast["street"], supervision=s, text="整改", owner=cast["secretary"], deadline=TODAY
    )
    labels = {str(t.label): t.count for t in todos_for(cast["secretary"])}
    assert labels["待整改的督查事项"] == 1
    source = next(w for w in warning_sources() if w.kind == "projects.rectification")
    alerts = list(source.collect(TODAY))
    assert len(alerts) == 1 and alerts[0].also_tell[0] == [cast["secretary"]]


def test_the_tree_table_escapes_titles_and_reads_in_english(client, cast):
    parent = make_project(cast, code="secretary", title="<b>书记项目</b>")
    make_project(cast, title="楼道 & 电梯", parent=parent, weight=2)
    client.force_login(cast["street"])
    html = client.get(reverse("projects:list")).content.decode()
    assert "&lt;b&gt;书记项目&lt;/b&gt;" in html and "<b>书记项目" not in html
    assert "楼道 &amp; 电梯" in html and "100.0%" in html
    client.cookies["django_language"] = "en"
    html = client.get(reverse("projects:list")).content.decode()
    assert 'data-label="Weight share"' in html and "Planned" in html
