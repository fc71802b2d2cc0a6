"""Every deliberation page and API call with the cast: the community's staff, the street above,
a grid chief (reads), the neighbour's secretary (404), residents (their phone pages), an account
with no role, and the anonymous visitor (login)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.core.models import AuditEntry
from jiceng.deliberation import decisions, issues, meetings
from jiceng.deliberation.models import Category, Issue, Meeting, Participant
from tests.deliberation.conftest import kind, make_meeting
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(cast, now_meeting):
    issue = issues.issue_raise(
        by=cast["alice"],
        community=cast["community"],
        title="小区停车难",
        description="晚上没有车位",
    )
    matter = decisions.matter_propose(
        by=cast["secretary"],
        community=cast["community"],
        title="老旧小区加装电梯",
        held_on=now_meeting.starts_at.date(),
        evidence="社区党委会议纪要",
    )
    return {"meeting": now_meeting, "issue": issue, "matter": matter}


def console_urls(records):
    return [
        reverse("deliberation:meetings"),
        reverse("deliberation:meeting", args=[records["meeting"].pk]),
        reverse("deliberation:meeting_qr", args=[records["meeting"].pk]),
        reverse("deliberation:issues"),
        reverse("deliberation:issue", args=[records["issue"].pk]),
        reverse("deliberation:matters"),
        reverse("deliberation:matter", args=[records["matter"].pk]),
    ]


def test_the_communitys_staff_open_every_console_page(client, cast, records):
    for who in ("secretary", "worker", "street"):
        client.force_login(cast[who])
        for url in console_urls(records):
            assert client.get(url).status_code == 200, (who, url)


def test_the_neighbours_secretary_finds_none_of_our_records(client, cast, records):
    client.force_login(cast["outsider"])
    lists = console_urls(records)
    for url in lists[1:3] + lists[4:5] + lists[6:]:
        assert client.get(url).status_code == 404, url
    page = client.get(reverse("deliberation:meetings"))
    assert page.status_code == 200 and records["meeting"].title not in page.content.decode()


def test_residents_and_accounts_without_a_role_get_no_console_page(client, cast, records):
    for who in ("alice", "nobody"):
        client.force_login(cast[who])
        for url in console_urls(records):
            assert client.get(url).status_code in (403, 404), (who, url)


def test_the_anonymous_visitor_is_sent_to_log_in(client, records):
    for url in console_urls(records) + [reverse("deliberation_m:home")]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_a_grid_chief_reads_but_does_not_write(client, cast, records):
    client.force_login(cast["chief"])
    assert (
        client.get(reverse("deliberation:meeting", args=[records["meeting"].pk])).status_code == 200
    )
    refused = client.post(
        reverse("deliberation:meeting", args=[records["meeting"].pk]),
        {"action": "cancel", "reason": "x"},
    )
    assert refused.status_code == 403
    assert Meeting.objects.get(pk=records["meeting"].pk).status == "planned"


def test_the_console_home_lists_the_to_dos_and_each_opens_its_records(client, cast, records):
    client.force_login(cast["secretary"])
    home = client.get(reverse("console:home")).content.decode()
    assert "待列入议程的议题" in home and "进行中的五步法事项" in home
    waiting = client.get(reverse("deliberation:issues") + "?status=collected").content.decode()
    assert "小区停车难" in waiting
    open_matters = client.get(reverse("deliberation:matters") + "?open=1").content.decode()
    assert "老旧小区加装电梯" in open_matters


def test_a_meeting_is_arranged_from_the_list_page(client, cast):
    client.force_login(cast["secretary"])
    response = client.post(
        reverse("deliberation:meetings"),
        {
            "community": cast["community"].pk,
            "kind": kind("hearing").pk,
            "title": "加装电梯听证会",
            "starts_at": "2030-05-01T19:00",
            "ends_at": "2030-05-01T21:00",
            "place": "议事厅",
        },
    )
    meeting = Meeting.objects.get(title="加装电梯听证会")
    assert response.status_code == 302
    assert [a.title for a in meeting.agenda_items.all()] == kind("hearing").agenda_lines()


def test_a_refused_meeting_is_drawn_again_with_the_error_and_what_was_typed(client, cast):
    client.force_login(cast["secretary"])
    response = client.post(
        reverse("deliberation:meetings"),
        {
            "community": cast["community"].pk,
            "kind": kind().pk,
            "title": "倒着的会",
            "starts_at": "2030-05-01T19:00",
            "ends_at": "2030-05-01T18:00",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "结束时间应晚于开始时间" in body and "倒着的会" in body
    assert not Meeting.objects.exists()


def test_a_community_elsewhere_in_the_form_is_not_found(client, cast):
    client.force_login(cast["secretary"])
    response = client.post(
        reverse("deliberation:meetings"),
        {
            "community": cast["places"]["neighbour"].pk,
            "kind": kind().pk,
            "title": "越界",
            "starts_at": "2030-05-01T19:00",
            "ends_at": "2030-05-01T20:00",
        },
    )
    assert response.status_code == 404 and not Meeting.objects.exists()


def test_staff_invite_mark_attendance_and_publish_minutes_on_the_meeting_page(
    client, cast, now_meeting
):
    client.force_login(cast["secretary"])
    url = reverse("deliberation:meeting", args=[now_meeting.pk])
    added = client.post(
        url,
        {
            "action": "participant",
            "category": "group_leader",
            "name": "",
            "username": cast["alice"].username,
        },
    )
    assert added.status_code == 302
    p = Participant.objects.get(meeting=now_meeting)
    assert (p.name, p.user_id) == ("艾丽", cast["alice"].pk)
    unknown = client.post(
        url,
        {
            "action": "participant",
            "category": "resident",
            "name": "某人",
            "username": "nobody-here",
        },
    )
    assert unknown.status_code == 400 and "本社区没有这个账号" in unknown.content.decode()
    elsewhere = client.post(
        url,
        {
            "action": "participant",
            "category": "resident",
            "name": "",
            "username": cast["neighbour"].username,
        },
    )
    assert elsewhere.status_code == 400 and Participant.objects.count() == 1
    assert (
        client.post(url, {"action": "attendance", "participant": p.pk, "present": "1"}).status_code
        == 302
    )
    assert Participant.objects.get(pk=p.pk).present
    assert (
        client.post(
            url, {"action": "minutes", "minutes": "议定三件事", "resolutions": "同意"}
        ).status_code
        == 302
    )
    page = client.get(url).content.decode()
    assert "议定三件事" in page and "待确认" in page
    # quorum is shown where the kind sets one
    assert 'data-testid="quorum"' not in page


def test_the_resident_sees_upcoming_meetings_raises_an_issue_and_follows_it(
    client, cast, later_meeting
):
    client.force_login(cast["alice"])
    home = client.get(reverse("deliberation_m:home")).content.decode()
    assert later_meeting.title in home
    page = client.get(reverse("deliberation_m:meeting", args=[later_meeting.pk])).content.decode()
    assert "通报上月议题落实情况" in page
    empty = client.post(reverse("deliberation_m:raise"), {"title": " ", "description": "x"})
    assert empty.status_code == 400 and not Issue.objects.exists()
    done = client.post(
        reverse("deliberation_m:raise"), {"title": "加装路灯", "description": "3 号楼前太暗"}
    )
    assert done.status_code == 302
    issue = Issue.objects.get()
    assert (issue.source, issue.scope_code, issue.raised_by_id) == (
        "phone",
        cast["community"].code,
        cast["alice"].pk,
    )
    mine = client.get(reverse("deliberation_m:mine")).content.decode()
    assert "加装路灯" in mine and "已收集" in mine
    assert AuditEntry.objects.filter(action="deliberation.issue.raise").count() == 1


def test_the_neighbours_resident_does_not_see_our_meeting(client, cast, later_meeting):
    client.force_login(cast["neighbour"])
    assert later_meeting.title not in client.get(reverse("deliberation_m:home")).content.decode()
    assert client.get(reverse("deliberation_m:meeting", args=[later_meeting.pk])).status_code == 404


def test_the_phone_check_in_and_minutes_approval(client, cast, now_meeting):
    client.force_login(cast["alice"])
    code = meetings.checkin_code(now_meeting)
    page = client.get(reverse("deliberation_m:checkin") + "?c=" + code)
    assert 'data-testid="checkin-button"' in page.content.decode()
    done = client.post(reverse("deliberation_m:checkin"), {"c": code})
    assert 'data-testid="checkin-done"' in done.content.decode()
    again = client.post(reverse("deliberation_m:checkin"), {"c": code})
    assert again.status_code == 409 and "已签到" in again.content.decode()
    bad = client.get(reverse("deliberation_m:checkin") + "?c=nonsense")
    assert bad.status_code == 400
    meetings.minutes_publish(by=cast["secretary"], meeting=now_meeting, minutes="议定：修路")
    url = reverse("deliberation_m:meeting", args=[now_meeting.pk])
    assert 'data-testid="approve"' in client.get(url).content.decode()
    assert client.post(url, {"comment": "同意"}).status_code == 302
    shown = client.get(url).content.decode()
    assert 'data-testid="approved"' in shown and "艾丽" in shown
    # bob was not there: he reads the minutes but has nothing to approve
    client.force_login(cast["bob"])
    page = client.get(url).content.decode()
    assert "议定：修路" in page and 'data-testid="approve"' not in page
    assert client.post(url, {"comment": ""}).status_code == 403


def test_the_homes_link_to_deliberation(client, cast):
    client.force_login(cast["alice"])
    assert (
        'data-testid="deliberation-link"' in client.get(reverse("resident_home")).content.decode()
    )
    member = user_with_role("member", division=cast["community"])
    client.force_login(member)
    assert 'data-testid="deliberation-link"' in client.get(reverse("member_home")).content.decode()
    assert client.get(reverse("deliberation_m:home")).status_code == 200


def test_the_public_page_shows_where_each_matter_stands(client, cast, records):
    decisions.matter_step(
        by=cast["secretary"],
        matter=records["matter"],
        action="consult",
        held_on=records["meeting"].starts_at.date(),
        evidence="两委联席会议纪要",
    )
    page = client.get(reverse("deliberation:public", args=[cast["community"].code]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "老旧小区加装电梯" in body and "两委已商议" in body
    assert body.count('class="done"') == 2
    assert client.get(reverse("deliberation:public", args=["360602009009"])).status_code == 404
    # the community's public page (the cases app's) shows the same, through core's registry
    cases_page = client.get(reverse("cases:public_metrics", args=[cast["community"].code]))
    shown = cases_page.content.decode()
    assert 'data-testid="public-matters"' in shown and "老旧小区加装电梯" in shown
    neighbour = client.get(reverse("cases:public_metrics", args=[cast["places"]["neighbour"].code]))
    assert "老旧小区加装电梯" not in neighbour.content.decode()


def test_lists_keep_to_a_query_budget(client, cast, django_assert_max_num_queries):
    for n in range(8):
        m = make_meeting(cast["secretary"], cast["community"], hours_from_now=-n * 24 - 1)
        meetings.participant_add(
            by=cast["secretary"], meeting=m, category=Category.DEPUTY, name=f"代表{n}"
        )
        issues.issue_raise(by=cast["alice"], community=cast["community"], title=f"议题{n}")
    client.force_login(cast["secretary"])
    for url in (
        reverse("deliberation:meetings"),
        reverse("deliberation:issues"),
        reverse("deliberation:matters"),
    ):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
    client.force_login(cast["alice"])
    for url in (reverse("deliberation_m:home"), reverse("deliberation_m:mine")):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_the_api_answers_within_scope(client, cast, records):
    client.force_login(cast["secretary"])
    meetings_json = client.get("/api/deliberation/meetings").json()
    assert [m["id"] for m in meetings_json["items"]] == [records["meeting"].pk]
    detail = client.get(f"/api/deliberation/meetings/{records['meeting'].pk}").json()
    assert detail["agenda"][0] == "通报上月议题落实情况"
    assert client.get("/api/deliberation/issues").json()["count"] == 1
    assert client.get("/api/deliberation/matters").json()["count"] == 1
    moved = client.post(
        f"/api/deliberation/issues/{records['issue'].pk}/move",
        {"action": "schedule", "meeting_id": records["meeting"].pk},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["status"] == "on_agenda"
    client.force_login(cast["outsider"])
    assert client.get("/api/deliberation/meetings").json()["count"] == 0
    for url in (
        f"/api/deliberation/meetings/{records['meeting'].pk}",
        f"/api/deliberation/matters/{records['matter'].pk}",
    ):
        assert client.get(url).status_code == 404
    skipped = client.post(
        f"/api/deliberation/matters/{records['matter'].pk}/steps",
        {"action": "resolve", "held_on": "2026-01-01", "evidence": "x"},
        content_type="application/json",
    )
    assert skipped.status_code == 404
    client.force_login(cast["alice"])
    mine = client.get("/api/deliberation/issues").json()
    assert [i["id"] for i in mine["items"]] == [records["issue"].pk]
    raised = client.post(
        "/api/deliberation/issues", {"title": "垃圾分类点太远"}, content_type="application/json"
    )
    assert raised.status_code == 201 and raised.json()["community_code"] == cast["community"].code
    elsewhere = client.post(
        "/api/deliberation/issues",
        {"title": "x", "community_code": cast["places"]["neighbour"].code},
        content_type="application/json",
    )
    assert elsewhere.status_code == 404
    assert client.get("/api/deliberation/matters").json()["count"] == 0
