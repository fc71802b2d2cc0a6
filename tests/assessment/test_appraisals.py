"""Appraisals of people: a secretary's 述职评议 (the street opens it, the secretary submits the
report on the phone, the community's members and committee grade it on the phone, the street
closes it and the result is published to them) and a branch's 民主评议党员 (self-assessment,
mutual grading, the branch's grade with the member's points and meetings of the year beside it).
Refused: voting twice, outside the period, a grade not in the list, one's own report, a voter
from elsewhere; refused input changes nothing; every write audited; English."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.assessment import services
from jiceng.assessment.models import Appraisal, AppraisalVote
from jiceng.core.audit import AuditEntry
from jiceng.core.errors import Forbidden, UserError
from jiceng.party.models import Attendance, Meeting
from jiceng.points.models import PointBalance
from tests.assessment.conftest import YEAR, open_report
from tests.factories import user_with_role


def _post_vote(client, appraisal, grade):
    return client.post(
        reverse("assessment_m:appraisal", args=[appraisal.pk]), {"action": "vote", "grade": grade}
    )


def test_a_secretarys_report_from_opening_to_the_published_grade(client, people):
    secretary, m1 = people["secretary"], people["m1"].user
    # the street opens it from the console page, picking the secretary from a list
    client.force_login(people["street"])
    page = client.get(reverse("assessment:appraisals"))
    assert page.status_code == 200 and 'data-testid="report-open-form"' in page.content.decode()
    assignment = secretary.role_assignments.get()
    now = timezone.localtime()
    answer = client.post(
        reverse("assessment:appraisals"),
        {
            "action": "report",
            "secretary": assignment.pk,
            "year": YEAR,
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    appraisal = Appraisal.objects.get(kind="report", person=secretary)
    assert answer.status_code == 302 and appraisal.scope_code == people["places"]["community"].code
    m_url = reverse("assessment_m:appraisal", args=[appraisal.pk])

    # no vote before the report is in
    client.force_login(m1)
    assert _post_vote(client, appraisal, "good").status_code == 400
    assert not AppraisalVote.objects.exists()

    # the secretary submits the report on the phone, and may not grade it
    client.force_login(secretary)
    assert 'data-testid="report-form"' in client.get(m_url).content.decode()
    client.post(m_url, {"action": "report", "text": "一年来的工作……"})
    appraisal.refresh_from_db()
    assert appraisal.report == "一年来的工作……"
    assert 'data-testid="vote-form"' not in client.get(m_url).content.decode()
    assert _post_vote(client, appraisal, "good").status_code == 400
    assert not AppraisalVote.objects.exists()

    # a member of the community finds it on the phone home and grades it once
    client.force_login(m1)
    home = client.get(reverse("assessment_m:home")).content.decode()
    assert m_url in home
    assert 'data-testid="vote-form"' in client.get(m_url).content.decode()
    assert _post_vote(client, appraisal, "较好").status_code == 400  # not one of the grades
    assert not AppraisalVote.objects.exists()
    assert _post_vote(client, appraisal, "good").status_code == 302
    refused = _post_vote(client, appraisal, "poor")
    assert refused.status_code == 400 and "已经评议过" in refused.content.decode()
    assert list(AppraisalVote.objects.values_list("grade", flat=True)) == ["good"]
    # the tally is not theirs to see before it closes
    assert 'data-testid="grade"' not in client.get(m_url).content.decode()

    # a member of the neighbour community does not see it; the committee (a worker) grades
    client.force_login(people["stranger"].user)
    assert client.get(m_url).status_code == 404
    assert _post_vote(client, appraisal, "good").status_code == 404
    worker = user_with_role("community_worker", division=people["places"]["community"])
    client.force_login(worker)
    assert _post_vote(client, appraisal, "fair_good").status_code == 302
    assert AppraisalVote.objects.count() == 2

    # the community's secretary cannot close a report; the street closes it
    client.force_login(people["outsider"])
    assert client.get(reverse("assessment:appraisal", args=[appraisal.pk])).status_code == 404
    client.force_login(people["street"])
    detail = client.get(reverse("assessment:appraisal", args=[appraisal.pk])).content.decode()
    assert 'data-testid="tally"' in detail and 'data-testid="close-form"' in detail
    assert (
        client.post(
            reverse("assessment:appraisal", args=[appraisal.pk]), {"grade": "优"}
        ).status_code
        == 400
    )
    appraisal.refresh_from_db()
    assert appraisal.status == "open"
    client.post(reverse("assessment:appraisal", args=[appraisal.pk]), {"grade": "good"})
    appraisal.refresh_from_db()
    assert appraisal.status == "closed" and appraisal.grade == "good"

    # published: the voter and the secretary see the grade; no more votes
    client.force_login(m1)
    page = client.get(m_url).content.decode()
    assert 'data-testid="grade"' in page and "好" in page
    assert m_url in client.get(reverse("assessment_m:home")).content.decode()
    client.force_login(secretary)
    assert 'data-testid="grade"' in client.get(m_url).content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "assessment.appraisal.open",
        "assessment.appraisal.report",
        "assessment.appraisal.vote",
        "assessment.appraisal.close",
    } <= actions
    assert AuditEntry.objects.filter(action="assessment.appraisal.vote").count() == 2


def test_votes_outside_the_period_and_a_second_report_are_refused(people):
    appraisal = open_report(people)
    services.appraisal_report(appraisal=appraisal, text="述职", by=people["secretary"])
    m1 = people["m1"].user
    for moment in (appraisal.opens_at - timedelta(minutes=1), appraisal.closes_at + timedelta(1)):
        with pytest.raises(UserError, match="不在评议时间内"):
            services.appraisal_vote(appraisal=appraisal, grade="good", by=m1, now=moment)
    assert not AppraisalVote.objects.exists()
    with pytest.raises(UserError, match="不能评议自己"):
        services.appraisal_vote(appraisal=appraisal, grade="good", by=people["secretary"])
    with pytest.raises(Forbidden):
        services.appraisal_vote(appraisal=appraisal, grade="good", by=people["stranger"].user)
    with pytest.raises(UserError, match="已经存在"):
        open_report(people)
    with pytest.raises(UserError, match="截止时间"):
        open_report(people, year=YEAR + 1, closes_at=timezone.now() - timedelta(days=2))
    with pytest.raises(Forbidden):
        open_report(people, year=YEAR + 1, by=people["secretary"])
    assert Appraisal.objects.count() == 1


def test_a_branchs_democratic_appraisal_with_points_and_meetings_beside_the_grade(client, people):
    branch, m1, m2 = people["branch"], people["m1"], people["m2"]
    # a year of points and one meeting held (m1 present) beside the grade
    PointBalance.objects.create(
        member=m1, year=YEAR, points=37, org=branch, scope_code=branch.scope_code
    )
    start = timezone.make_aware(datetime(YEAR, 5, 10, 19))
    meeting = Meeting.objects.create(
        org=branch,
        kind="general_meeting",
        title="支部党员大会",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status="held",
        scope_code=branch.scope_code,
    )
    Attendance.objects.create(meeting=meeting, member=m1, status="present")

    client.force_login(people["secretary"])
    now = timezone.localtime()
    client.post(
        reverse("assessment:appraisals"),
        {
            "action": "branch",
            "org": branch.pk,
            "year": YEAR,
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    rows = {a.member_id: a for a in Appraisal.objects.filter(kind="democratic")}
    assert set(rows) == {m1.pk, m2.pk, people["m3"].pk}  # the member without an account too
    mine, theirs = rows[m1.pk], rows[m2.pk]

    # self-assessment on the phone, then mutual grading; a member of another branch may not
    client.force_login(m1.user)
    home = client.get(reverse("assessment_m:home")).content.decode()
    assert reverse("assessment_m:appraisal", args=[mine.pk]) in home
    client.post(
        reverse("assessment_m:appraisal", args=[mine.pk]), {"action": "report", "text": "自评"}
    )
    assert _post_vote(client, mine, "excellent").status_code == 302
    assert _post_vote(client, theirs, "qualified").status_code == 302
    assert _post_vote(client, theirs, "basic").status_code == 400
    assert _post_vote(client, theirs, "good").status_code == 400  # a report's grade
    client.force_login(people["stranger"].user)
    assert _post_vote(client, theirs, "qualified").status_code == 404
    assert AppraisalVote.objects.count() == 2

    # the branch's grade, with the year's points and meetings beside it
    client.force_login(people["secretary"])
    listing = client.get(reverse("assessment:appraisals") + "?kind=democratic").content.decode()
    assert "37" in listing and "1 / 1" in listing
    detail = client.get(reverse("assessment:appraisal", args=[mine.pk])).content.decode()
    assert "37" in detail and "自评" in detail and "优秀" in detail
    client.post(reverse("assessment:appraisal", args=[mine.pk]), {"grade": "good"})
    mine.refresh_from_db()
    assert mine.status == "open"
    client.post(reverse("assessment:appraisal", args=[mine.pk]), {"grade": "excellent"})
    mine.refresh_from_db()
    assert (mine.status, mine.grade) == ("closed", "excellent")
    assert _post_vote(client, mine, "qualified").status_code in (400, 403)
    # the neighbour's secretary sees none of it
    client.force_login(people["outsider"])
    assert client.get(reverse("assessment:appraisal", args=[mine.pk])).status_code == 404
    assert "李一" not in client.get(reverse("assessment:appraisals")).content.decode()


def test_the_pages_by_role_and_in_english(client, people):
    appraisal = open_report(people)
    for who in ("district", "street", "secretary"):
        client.force_login(people[who])
        assert client.get(reverse("assessment:appraisals")).status_code == 200
        assert client.get(reverse("assessment:appraisal", args=[appraisal.pk])).status_code == 200
    client.force_login(people["nobody"])
    assert client.get(reverse("assessment:appraisals")).status_code == 403
    assert client.get(reverse("assessment_m:appraisal", args=[appraisal.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("assessment:appraisals")).status_code == 302

    client.force_login(people["street"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("assessment:appraisals")).content.decode()
    assert "work report review" in page and "述职" not in page
    services.appraisal_report(appraisal=appraisal, text="述职", by=people["secretary"])
    client.force_login(people["m1"].user)
    phone = client.get(reverse("assessment_m:appraisal", args=[appraisal.pk])).content.decode()
    assert "Fairly good" in phone and "较好" not in phone
    refused = _post_vote(client, appraisal, "x").content.decode()
    assert "Select a valid choice" in refused
    assert not AppraisalVote.objects.exists()
