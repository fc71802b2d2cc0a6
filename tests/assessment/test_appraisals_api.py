"""The appraisals' API (/api/assessment/appraisals, evaluations, checklists) and their to-do
lines on the homes: a secretary's 述职评议 and a branch's 民主评议 read, reported, graded and
closed through the API with the pages' services and refusals (a second vote, outside the
period, an unknown grade, one's own report), each with its status code and a message in the
user's language, nothing changed; an appraisal outside the actor's scope is 404; the result
only to those entitled; the voter's and the secretary's lines appear and go once done."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jiceng.assessment import services
from jiceng.assessment.models import Appraisal, AppraisalVote, Checklist, EvaluationRound, Rating
from jiceng.core.audit import AuditEntry
from tests.accounts.test_role_homes import todos
from tests.assessment.conftest import YEAR, open_report

API = "/api/assessment"


def _branch(people) -> dict[int, Appraisal]:
    now = timezone.now()
    services.appraisal_open_branch(
        org=people["branch"],
        year=YEAR,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        by=people["secretary"],
    )
    return {a.member_id: a for a in Appraisal.objects.filter(kind="democratic")}


def _vote(client, appraisal, grade):
    return client.post(
        f"{API}/appraisals/{appraisal.pk}/votes", {"grade": grade}, content_type="application/json"
    )


def _lines(client, path) -> dict[str, tuple[str, int]]:
    body = client.get(path).content.decode()
    return {label: (url, n) for _o, url, label, n in todos(body)}


def test_a_secretarys_report_through_the_api_with_every_refusal(client, people):
    appraisal = open_report(people)
    secretary, m1 = people["secretary"], people["m1"].user

    # the report is not in yet: a member sees it, may not grade it
    client.force_login(m1)
    listed = client.get(f"{API}/appraisals").json()
    assert [a["id"] for a in listed] == [appraisal.pk]
    assert listed[0]["report_submitted"] is False
    refused = _vote(client, appraisal, "good")
    assert refused.status_code == 400 and "述职报告尚未提交" in refused.json()["detail"]

    # the secretary submits it through the API, and may not grade it
    client.force_login(secretary)
    answer = client.post(
        f"{API}/appraisals/{appraisal.pk}/report",
        {"text": "一年来抓基层党建的工作"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["report_submitted"] is True
    own = _vote(client, appraisal, "good")
    assert own.status_code == 403 and "不能评议自己的述职" in own.json()["detail"]

    # a member grades it once; an unknown grade, a second vote are refused (and in English)
    client.force_login(m1)
    detail = client.get(f"{API}/appraisals/{appraisal.pk}").json()
    assert detail["report"] == "一年来抓基层党建的工作" and detail["may_vote"] is True
    assert [g["grade"] for g in detail["grades"]] == ["good", "fair_good", "fair", "poor"]
    assert detail["result"] is None  # not published yet
    unknown = _vote(client, appraisal, "excellent")
    assert unknown.status_code == 400 and unknown.json()["field"] == "grade"
    assert "请选择评议等次" in unknown.json()["detail"]
    done = _vote(client, appraisal, "fair_good")
    assert done.status_code == 201 and done.json() == {
        "appraisal": appraisal.pk,
        "grade": "fair_good",
        "label": "较好",
    }
    client.cookies["django_language"] = "en"
    again = _vote(client, appraisal, "good")
    assert again.status_code == 409 and again.json()["detail"] == "You have rated already."
    del client.cookies["django_language"]
    after = client.get(f"{API}/appraisals/{appraisal.pk}").json()
    assert (after["may_vote"], after["my_grade"]) == (False, "fair_good")
    assert list(AppraisalVote.objects.values_list("grade", flat=True)) == ["fair_good"]

    # outside the period: refused, nothing written
    Appraisal.objects.filter(pk=appraisal.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    client.force_login(people["m2"].user)
    late = _vote(client, appraisal, "good")
    assert late.status_code == 400 and "不在评议时间内" in late.json()["detail"]
    assert AppraisalVote.objects.count() == 1

    # outside the scope: a member elsewhere and the neighbour's secretary find nothing
    for who in (people["stranger"].user, people["outsider"]):
        client.force_login(who)
        assert client.get(f"{API}/appraisals").json() == []
        assert client.get(f"{API}/appraisals/{appraisal.pk}").status_code == 404
        assert _vote(client, appraisal, "good").status_code == 404
    client.logout()
    assert client.get(f"{API}/appraisals/{appraisal.pk}").status_code == 401
    assert AppraisalVote.objects.count() == 1

    # the community's secretary may not close it; the street does, and it is published
    client.force_login(secretary)
    close = client.post(
        f"{API}/appraisals/{appraisal.pk}/close",
        {"grade": "good"},
        content_type="application/json",
    )
    assert close.status_code == 403
    client.force_login(people["street"])
    staff_view = client.get(f"{API}/appraisals/{appraisal.pk}").json()
    assert staff_view["result"]["votes"] == 1  # the staff of the place see the tally while open
    close = client.post(
        f"{API}/appraisals/{appraisal.pk}/close",
        {"grade": "fair_good"},
        content_type="application/json",
    )
    assert close.status_code == 200 and close.json()["status"] == "closed"
    twice = client.post(
        f"{API}/appraisals/{appraisal.pk}/close",
        {"grade": "good"},
        content_type="application/json",
    )
    assert twice.status_code == 409
    client.force_login(m1)
    published = client.get(f"{API}/appraisals/{appraisal.pk}").json()["result"]
    assert (published["grade"], published["grade_label"]) == ("fair_good", "较好")
    assert {t["grade"]: t["votes"] for t in published["tally"]}["fair_good"] == 1
    assert AuditEntry.objects.filter(action="assessment.appraisal.vote").count() == 1
    assert AuditEntry.objects.filter(action="assessment.appraisal.report").count() == 1
    assert AuditEntry.objects.filter(action="assessment.appraisal.close").count() == 1


def test_a_branchs_democratic_appraisal_self_mutual_and_the_branchs_grade(client, people):
    rows = _branch(people)
    m1, m2 = people["m1"], people["m2"]
    mine, theirs = rows[m1.pk], rows[m2.pk]
    client.force_login(m1.user)
    to_grade = client.get(f"{API}/appraisals?to_grade=true&kind=democratic").json()
    assert {a["id"] for a in to_grade} == {a.pk for a in rows.values()}
    answer = client.post(
        f"{API}/appraisals/{mine.pk}/report", {"text": "自评"}, content_type="application/json"
    )
    assert answer.status_code == 200
    refused = client.post(
        f"{API}/appraisals/{theirs.pk}/report", {"text": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert _vote(client, mine, "excellent").status_code == 201  # the self-assessment
    assert _vote(client, theirs, "qualified").status_code == 201  # mutual
    assert _vote(client, theirs, "basic").status_code == 409  # voted already
    assert _vote(client, theirs, "good").status_code == 400  # a report's grade
    left = client.get(f"{API}/appraisals?to_grade=true").json()
    assert [a["id"] for a in left] == [rows[people["m3"].pk].pk]

    # the branch's grade, with the year's points and meetings beside it
    client.force_login(people["secretary"])
    assert (
        client.post(
            f"{API}/appraisals/{mine.pk}/close", {"grade": "good"}, content_type="application/json"
        ).status_code
        == 400
    )
    closed = client.post(
        f"{API}/appraisals/{mine.pk}/close", {"grade": "excellent"}, content_type="application/json"
    ).json()
    assert closed["result"]["self_grade"] == "优秀" and closed["result"]["points"] == 0
    mine.refresh_from_db()
    assert (mine.status, mine.grade, mine.report) == ("closed", "excellent", "自评")
    client.force_login(people["outsider"])
    assert client.get(f"{API}/appraisals/{mine.pk}").status_code == 404
    assert (
        client.post(
            f"{API}/appraisals/{theirs.pk}/close",
            {"grade": "basic"},
            content_type="application/json",
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == "open"


def test_the_to_do_lines_appear_for_who_must_act_and_go_once_done(client, people):
    appraisal = open_report(people)
    secretary, m1 = people["secretary"], people["m1"].user

    # the secretary's report is due: a line on the console home to the phone page
    client.force_login(secretary)
    lines = _lines(client, "/console/")
    url, n = lines["待提交的述职报告"]
    assert n == 1 and url == "/m/assessment/#report-due"
    page = client.get("/m/assessment/")
    assert [a.pk for a in page.context["report_due"]] == [appraisal.pk]
    # the member has nothing to grade before the report is in
    client.force_login(m1)
    assert "待评议的述职与民主评议" not in _lines(client, "/m/member/")

    services.appraisal_report(appraisal=appraisal, text="述职", by=secretary)
    client.force_login(secretary)
    assert "待提交的述职报告" not in _lines(client, "/console/")
    client.force_login(m1)
    url, n = _lines(client, "/m/member/")["待评议的述职与民主评议"]
    assert (url, n) == ("/m/assessment/#to-grade", 1)
    assert len(client.get(url.split("#")[0]).context["to_vote"]) == 1
    client.cookies["django_language"] = "en"
    english = _lines(client, "/m/member/")
    assert english["Work reports and member appraisals to grade"][1] == 1
    phone = client.get("/m/assessment/").content.decode()
    assert 'id="to-grade"' in phone and "To grade" in phone
    del client.cookies["django_language"]
    _branch(people)  # the branch's 民主评议: oneself and two others
    assert _lines(client, "/m/member/")["待评议的述职与民主评议"][1] == 4
    for a in Appraisal.objects.filter(kind="democratic"):
        assert _vote(client, a, "qualified").status_code == 201
    assert _vote(client, appraisal, "good").status_code == 201
    assert "待评议的述职与民主评议" not in _lines(client, "/m/member/")
    # one's own report is never a line of one's own
    client.force_login(secretary)
    assert "待评议的述职与民主评议" not in _lines(client, "/console/")


def test_two_way_ratings_and_checklists_through_the_api(client, people):
    now = timezone.now()
    evaluation = EvaluationRound.objects.create(
        name="2025 双考双评",
        year=YEAR,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        division=people["places"]["district"],
    )
    m1 = people["m1"]
    client.force_login(m1.user)
    detail = client.get(f"{API}/evaluations/{evaluation.pk}").json()
    pair = next(p for p in detail["to_rate"] if p["rated"] == f"org:{people['branch'].pk}")
    body = {"direction": pair["direction"], "rater": pair["rater"], "rated": pair["rated"]}
    given = client.post(
        f"{API}/evaluations/{evaluation.pk}/ratings",
        {**body, "score": 5},
        content_type="application/json",
    )
    assert given.status_code == 201 and given.json()["score"] == 5
    again = client.post(
        f"{API}/evaluations/{evaluation.pk}/ratings",
        {**body, "score": 4},
        content_type="application/json",
    )
    assert again.status_code == 400 and "不能重复评价" in again.json()["detail"]
    bad = client.post(
        f"{API}/evaluations/{evaluation.pk}/ratings",
        {**body, "score": 6},
        content_type="application/json",
    )
    assert bad.status_code == 422
    # another's pair (the stranger's branch) is not found
    client.force_login(people["stranger"].user)
    theirs = client.post(
        f"{API}/evaluations/{evaluation.pk}/ratings",
        {**body, "score": 1},
        content_type="application/json",
    )
    assert theirs.status_code == 404
    assert list(Rating.objects.values_list("score", flat=True)) == [5]

    checklist = Checklist.objects.create(
        standard="wuxi6",
        year=YEAR,
        org=people["branch"],
        scope_code=people["branch"].scope_code,
    )
    notes = {k: "已完成" for k, _label in services.STANDARDS["wuxi6"]}
    client.force_login(people["outsider"])
    assert client.get(f"{API}/checklists/{checklist.pk}").status_code == 404
    client.force_login(people["secretary"])
    partial = client.post(
        f"{API}/checklists/{checklist.pk}/submit",
        {"notes": {"org": "已完成"}},
        content_type="application/json",
    )
    assert partial.status_code == 400
    checklist.refresh_from_db()
    assert checklist.status == "draft"
    sent = client.post(
        f"{API}/checklists/{checklist.pk}/submit", {"notes": notes}, content_type="application/json"
    )
    assert sent.status_code == 200 and sent.json()["status"] == "submitted"
    self_inspect = client.post(
        f"{API}/checklists/{checklist.pk}/inspect",
        {"accept": True},
        content_type="application/json",
    )
    assert self_inspect.status_code == 403
    client.force_login(people["street"])
    assert [c["id"] for c in client.get(f"{API}/checklists?status=submitted").json()["items"]] == [
        checklist.pk
    ]
    returned = client.post(
        f"{API}/checklists/{checklist.pk}/inspect",
        {"accept": False},
        content_type="application/json",
    )
    assert returned.status_code == 400 and "写明意见" in returned.json()["detail"]
    accepted = client.post(
        f"{API}/checklists/{checklist.pk}/inspect",
        {"accept": True, "note": "符合标准"},
        content_type="application/json",
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert AuditEntry.objects.filter(action="assessment.checklist.inspect").count() == 1
