"""A project's partner units and the needs, issues and cases it answers, set on the console
among what the staff member sees; residents' proposals at a 实事's 征集 on its phone page. The
permission cast, refused input that changes nothing, and the pages in English."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.cases.models import Case, CaseCategory
from jiceng.community.models import Need
from jiceng.core.models import AuditEntry
from jiceng.deliberation.models import Issue
from jiceng.projects.models import Proposal
from tests.factories import partner
from tests.projects.conftest import make_project

pytestmark = pytest.mark.django_db


def case_in(place, reporter, number):
    now = timezone.now()
    return Case.objects.create(
        number=number,
        category=CaseCategory.objects.get(code="0101"),
        description="井盖缺失",
        status="reported",
        source="resident",
        reporter=reporter,
        scope_code=place.code,
        stage_started_at=now,
        deadline_at=now + timezone.timedelta(hours=1),
    )


def test_staff_set_the_partners_among_the_units_they_see(client, cast, project):
    ours = partner("公园物业服务中心", "property_company", cast["community"])
    theirs = partner("湖西建设公司", "enterprise", cast["places"]["neighbour"])
    url = reverse("projects:project", args=[project.pk])
    client.force_login(cast["secretary"])
    page = client.get(url).content.decode()
    assert 'data-testid="partners-form"' in page
    assert ours.name in page and theirs.name not in page
    r = client.post(url, {"action": "partners", "partners": [ours.pk, theirs.pk]})
    assert r.status_code == 404 and not project.partners.exists()
    r = client.post(url, {"action": "partners", "partners": [ours.pk]})
    assert r.status_code == 302 and list(project.partners.all()) == [ours]
    assert AuditEntry.objects.filter(action="projects.partners").count() == 1
    assert ours.name in client.get(url).content.decode()
    r = client.post(url, {"action": "partners"})  # none ticked: the list is emptied
    assert r.status_code == 302 and not project.partners.exists()
    client.force_login(cast["outsider"])
    assert client.post(url, {"action": "partners", "partners": [ours.pk]}).status_code == 404
    client.force_login(cast["first"])  # the owner reports on the phone; the console is staff's
    assert client.post(url, {"action": "partners", "partners": [ours.pk]}).status_code == 403
    assert not project.partners.exists()


def test_a_link_is_one_need_issue_or_case_the_staff_member_sees(client, cast, project):
    need = Need.objects.create(title="楼道灯坏了", source="visit", community=cast["community"])
    far = Need.objects.create(
        title="湖西停车难", source="visit", community=cast["places"]["neighbour"]
    )
    issue = Issue.objects.create(community=cast["community"], title="增设充电桩", source="staff")
    case = case_in(cast["places"]["grid1"], cast["alice"], "T000001")
    url = reverse("projects:project", args=[project.pk])
    client.force_login(cast["secretary"])
    page = client.get(url).content.decode()
    assert need.title in page and issue.title in page and "T000001" in page
    assert far.title not in page
    r = client.post(url, {"action": "link"})
    assert r.status_code == 400 and "请选择一项" in r.content.decode()
    r = client.post(url, {"action": "link", "need": need.pk, "case": case.pk})
    assert r.status_code == 400 and not project.links.exists()
    r = client.post(url, {"action": "link", "need": far.pk})  # another community's: not seen
    assert r.status_code == 404 and not project.links.exists()
    for data in ({"need": need.pk}, {"issue": issue.pk}, {"case": case.pk}):
        assert client.post(url, {"action": "link", **data}).status_code == 302
    r = client.post(url, {"action": "link", "need": need.pk})
    assert r.status_code == 400 and "已关联" in r.content.decode()
    assert project.links.count() == 3
    assert AuditEntry.objects.filter(action="projects.link").count() == 3
    page = client.get(url).content.decode()
    assert 'data-testid="links"' in page and "增设充电桩" in page
    client.force_login(cast["outsider"])
    assert client.post(url, {"action": "link", "need": need.pk}).status_code == 404
    assert project.links.count() == 3


def test_residents_propose_at_the_collection_step_on_the_phone(client, cast):
    practical = make_project(cast, code="practical", title="为民实事：小区微改造")
    assert practical.step == "征集"
    other = make_project(cast, title="一老一小")
    public = client.get(reverse("projects_m:public", args=[cast["community"].code]))
    assert f'data-testid="propose-{practical.pk}"' in public.content.decode()
    url = reverse("projects_m:project", args=[practical.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(cast["alice"])
    page = client.get(url).content.decode()
    assert 'data-testid="proposal-form"' in page
    r = client.post(url, {"text": "   "})
    assert r.status_code == 400 and not Proposal.objects.exists()
    r = client.post(url, {"text": "增设电动自行车充电桩"})
    assert r.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.proposed_by == cast["alice"] and proposal.project == practical
    assert AuditEntry.objects.filter(action="projects.proposal").count() == 1
    assert "增设电动自行车充电桩" in client.get(url).content.decode()
    # a project not at 征集 takes no proposal
    other_url = reverse("projects_m:project", args=[other.pk])
    assert 'data-testid="proposal-form"' not in client.get(other_url).content.decode()
    r = client.post(other_url, {"text": "x"})
    assert r.status_code == 400 and "不在征集阶段" in r.content.decode()
    # the neighbour's resident neither sees nor proposes
    client.force_login(cast["neighbour"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "y"}).status_code == 404
    assert Proposal.objects.count() == 1
    # the staff see the proposals on the console
    client.force_login(cast["secretary"])
    page = client.get(reverse("projects:project", args=[practical.pk])).content.decode()
    assert "增设电动自行车充电桩" in page


def test_the_new_forms_in_english(client, cast, project):
    practical = make_project(cast, code="practical", title="为民实事")
    client.cookies["django_language"] = "en"
    client.force_login(cast["secretary"])
    page = client.get(reverse("projects:project", args=[project.pk])).content.decode()
    assert "Partner units and what it answers" in page and "Link what it answers" in page
    client.force_login(cast["alice"])
    page = client.get(reverse("projects_m:project", args=[practical.pk])).content.decode()
    assert "Submit the proposal" in page and "提交建议" not in page
