"""Followers and notifications, duplicates, and the whistle (吹哨报到)."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from jiceng.cases import escalation, services
from jiceng.cases.models import Case, CaseFollower, WhistleResponse
from jiceng.core.errors import UserError
from jiceng.core.models import Notification
from jiceng.core.notify import WebhookChannel, deliver
from tests.cases.conftest import make_case, site_photo
from tests.factories import partner, user_with_role

pytestmark = pytest.mark.django_db


def titles(user):
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_the_reporter_and_followers_are_told_of_every_change_but_not_the_actor(cast, category):
    case = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    neighbour = user_with_role("resident", division=cast["places"]["grid1"])
    escalation.follow(case=case, by=neighbour)
    services.case_file(case=case, by=cast["secretary"])
    assert titles(cast["resident"]) == [f"您反映的问题已受理（{case.number}）"]
    assert titles(neighbour) == [f"您反映的问题已受理（{case.number}）"]
    assert titles(cast["secretary"]) == []


WORKFLOW_TERMS = ("三事分流", "分流", "立案", "派遣", "大事", "小事", "私事")


def bodies(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("title", "body"))


@pytest.mark.parametrize(
    ("triage", "plain"),
    [
        ("minor", "您反映的问题已受理，由社区处理"),
        ("major", "您反映的问题已受理，将由职能部门处理"),
        ("private", "您反映的问题已受理，社区将指导协商解决"),
    ],
)
def test_a_resident_is_told_of_the_triage_plainly_without_workflow_terms(
    cast, category, triage, plain
):
    case = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    services.case_file(case=case, by=cast["secretary"])
    services.case_triage(case=case, by=cast["secretary"], triage=triage)
    told = bodies(cast["resident"])
    assert told[-1][0] == f"{plain}（{case.number}）"
    for title, body in told:
        assert not any(term in title + body for term in WORKFLOW_TERMS), (title, body)


def test_a_resident_follows_a_major_case_to_its_end_in_plain_words(cast, category):
    case = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    case = services.case_file(case=case, by=cast["secretary"])
    case = services.case_triage(case=case, by=cast["secretary"], triage="major")
    case = services.case_dispatch(case=case, by=cast["street"], to_unit=cast["department"])
    case = services.case_accept(case=case, by=cast["handler"])
    told = bodies(cast["resident"])
    assert told[-2][1].endswith(f"处理单位：{cast['department'].name}。")
    assert told[-1][0] == f"处理单位已开始处理您反映的问题（{case.number}）"
    for title, body in told:
        assert not any(term in title + body for term in WORKFLOW_TERMS), (title, body)


def test_a_dispatch_tells_the_handler_units_staff(cast, category):
    case = make_case(cast, category, status="filed")
    services.case_dispatch(case=case, by=cast["street"], to_unit=cast["department"])
    assert titles(cast["handler"]) == [f"新派遣案件 {case.number}"]
    assert titles(cast["other_handler"]) == []


def test_a_dissatisfied_rating_asks_the_community_to_review(cast, category):
    case = make_case(cast, category, status="closed")
    services.case_rate(case=case, by=cast["resident"], rating="dissatisfied", comment="没修好")
    assert titles(cast["secretary"]) == [f"案件 {case.number} 需要复核"]


def test_followers_of_a_merged_duplicate_follow_the_case_it_repeats(cast, category):
    first = make_case(cast, category, status="filed")
    dup = services.case_report(by=cast["resident"], category=category, description="同一个井盖")
    services.case_merge(case=dup, into=first, by=cast["secretary"], note="重复")
    assert CaseFollower.objects.filter(case=first, user=cast["resident"]).exists()
    services.case_triage(case=first, by=cast["secretary"], triage="major")
    assert f"您反映的问题已受理，将由职能部门处理（{first.number}）" in titles(cast["resident"])


def test_reporting_near_an_open_case_offers_to_follow_it(client, cast, category):
    first = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    other = user_with_role("resident", division=cast["places"]["grid1"])
    client.force_login(other)
    body = client.post(
        "/cases/report/", {"category": "0101", "description": "这里井盖没了"}
    ).content.decode()
    assert 'data-testid="duplicates"' in body and first.number in body
    assert Case.objects.count() == 1  # nothing made yet
    client.post(f"/cases/{first.number}/follow/")
    assert CaseFollower.objects.filter(case=first, user=other).exists()
    # or the resident insists that it is another problem
    client.post(
        "/cases/report/", {"category": "0101", "description": "另一个井盖", "confirm_new": "1"}
    )
    assert Case.objects.count() == 2


def test_duplicates_need_the_same_category_and_50_metres():
    from jiceng.cases.escalation import metres_between

    assert metres_between(117.0, 28.0, 117.0, 28.0004) == pytest.approx(44.5, abs=0.5)
    assert metres_between(117.0, 28.0, 117.0006, 28.0) > 50


def test_the_street_whistles_and_sees_who_has_reported(client, cast, category):
    case = make_case(cast, category, status="dispatched")
    w = escalation.whistle(
        case=case,
        by=cast["street"],
        units=[cast["department"], cast["other_unit"]],
        note="井盖涉及供水和道路",
        hours=2,
    )
    assert f"街道吹哨：案件 {case.number}" in titles(cast["handler"])
    response = WhistleResponse.objects.get(whistle=w, unit=cast["department"])
    escalation.whistle_respond(response=response, by=cast["handler"], note="已派人到场")
    with pytest.raises(UserError, match="已经报到过了"):
        escalation.whistle_respond(response=response, by=cast["handler"], note="再次")
    other = WhistleResponse.objects.get(whistle=w, unit=cast["other_unit"])
    with pytest.raises(UserError, match="只有被召集单位"):
        escalation.whistle_respond(response=other, by=cast["handler"], note="代报")
    client.force_login(cast["street"])
    body = client.get(f"/cases/{case.number}/").content.decode()
    assert f'data-unit="{cast["department"].pk}" data-responded="1"' in body
    assert f'data-unit="{cast["other_unit"].pk}" data-responded="0"' in body
    assert case.events.filter(action="whistle").count() == 1


@pytest.mark.parametrize(
    ("who", "units", "note", "message"),
    [
        ("secretary", ["department"], "需要", "只有本街道"),
        ("street", [], "需要", "至少一个"),
        ("street", ["department"], " ", "事由"),
    ],
)
def test_bad_whistles_are_refused(cast, category, who, units, note, message):
    case = make_case(cast, category, status="filed")
    with pytest.raises(UserError, match=message):
        escalation.whistle(case=case, by=cast[who], units=[cast[u] for u in units], note=note)
    assert not case.whistles.exists()


def test_a_closed_case_cannot_be_whistled(cast, category):
    case = make_case(cast, category, status="closed")
    with pytest.raises(UserError, match="不能吹哨"):
        escalation.whistle(case=case, by=cast["street"], units=[cast["department"]], note="x")


def test_notifications_go_through_a_webhook_channel_and_retry_what_failed(cast, settings):
    received: list[dict] = []
    fail_first = {"left": 1}

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if fail_first["left"]:
                fail_first["left"] -= 1
                self.send_response(503)
            else:
                received.append(body)
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.NOTIFY_CHANNELS = [
        "jiceng.core.notify.ConsoleChannel",
        "jiceng.core.notify.WebhookChannel",
    ]
    settings.NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/send"
    try:
        note = Notification.objects.create(
            user=cast["resident"], title="案件 1 立案", body="现为已立案"
        )
        with pytest.raises(Exception):  # noqa: B017 - the gateway's 503 makes the task retry
            deliver(note.pk)
        note.refresh_from_db()
        assert note.sent == ["console"]
        assert deliver(note.pk) == ["console", "webhook"]
        assert received == [
            {
                "user": cast["resident"].username,
                "title": "案件 1 立案",
                "body": "现为已立案",
                "url": "",
            }
        ]
        assert deliver(note.pk) == ["console", "webhook"] and len(received) == 1
    finally:
        server.shutdown()
    assert WebhookChannel(url="").url == settings.NOTIFY_WEBHOOK_URL


def test_the_messages_page_lists_and_marks_read(client, cast, category):
    case = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    services.case_file(case=case, by=cast["secretary"])
    client.force_login(cast["resident"])
    assert '<span class="badge">1</span>' in client.get("/m/").content.decode()
    body = client.get("/console/notifications/").content.decode()
    assert f"您反映的问题已受理（{case.number}）" in body
    assert not Notification.objects.filter(user=cast["resident"], read_at__isnull=True).exists()


def test_each_next_owner_is_told_when_the_case_reaches_them(cast, category):
    """Street staff when a major case waits for dispatch; the grid worker when a result waits
    for verification; the handler when verification fails; the street when a unit returns."""
    worker_elsewhere = user_with_role("grid_worker", division=cast["places"]["grid2"])
    case = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    case = services.case_file(case=case, by=cast["secretary"])
    case = services.case_triage(case=case, by=cast["secretary"], triage="major")
    assert titles(cast["street"]) == [f"待派遣案件 {case.number}"]
    case = services.case_dispatch(case=case, by=cast["street"], to_unit=cast["department"])
    case = services.case_return(case=case, by=cast["handler"], note="不属于本单位")
    assert f"案件 {case.number} 被退回" in titles(cast["street"])
    case = services.case_dispatch(case=case, by=cast["street"], to_unit=cast["department"])
    case = services.case_accept(case=case, by=cast["handler"])
    case = services.case_report_back(case=case, by=cast["handler"], note="已补装")
    assert titles(cast["grid_worker"]) == [f"待核查案件 {case.number}"]
    assert titles(worker_elsewhere) == []  # only the case's own grid
    case = services.case_verify(
        case=case, by=cast["grid_worker"], ok=False, note="不平", photos=[site_photo()]
    )
    assert f"案件 {case.number} 需要返工" in titles(cast["handler"])
    assert titles(cast["other_handler"]) == []
    # The actor is never told of what they did themselves.
    assert f"案件 {case.number} 需要返工" not in titles(cast["grid_worker"])


def test_the_whistle_board_shows_who_reported_late_and_who_is_overdue(client, cast, category):
    case = make_case(cast, category, status="dispatched")
    w = escalation.whistle(
        case=case,
        by=cast["street"],
        units=[cast["department"], cast["other_unit"]],
        note="涉及供水和道路",
        hours=1,
    )
    response = WhistleResponse.objects.get(whistle=w, unit=cast["department"])
    escalation.whistle_respond(response=response, by=cast["handler"], note="已派人到场")
    assert titles(cast["street"]) == [f"案件 {case.number}：{cast['department'].name}已报到"]
    later = w.responses.get(unit=cast["other_unit"]).deadline_at + timezone.timedelta(minutes=1)
    board = escalation.whistle_board(case, now=later)
    assert (board[0].done, board[0].total, board[0].overdue) == (1, 2, 1)
    states = {r.unit_id: r.state for r in board[0].rows}
    assert states == {cast["department"].pk: "on_time", cast["other_unit"].pk: "overdue"}
    WhistleResponse.objects.filter(pk=response.pk).update(responded_at=later)
    assert escalation.whistle_board(case, now=later)[0].rows[0].state == "late"
    client.force_login(cast["street"])
    body = client.get(f"/cases/{case.number}/").content.decode()
    assert "已报到 1 / 2 个单位" in body


def test_a_follower_and_a_called_unit_open_the_case_page_and_nobody_else(client, cast, category):
    """The page a notification links to opens for the follower it told and for a unit called
    by a whistle (who reports in there); another resident and an uncalled unit get 404."""
    case = make_case(cast, category, status="dispatched")
    follower = user_with_role("resident", division=cast["places"]["grid2"])
    # offered as a duplicate when they reported it where they stood (their home is grid2)
    escalation.follow(case=case, by=follower, offered=[case.number])
    w = escalation.whistle(
        case=case, by=cast["street"], units=[cast["other_unit"]], note="涉及供水", hours=2
    )
    third_unit = partner("水务局", "department", cast["places"]["district"])
    uncalled = user_with_role("department_staff", unit=third_unit)
    stranger = user_with_role("resident", division=cast["places"]["grid2"])
    url = f"/cases/{case.number}/"
    for who, status in (
        (follower, 200),
        (cast["other_handler"], 200),
        (stranger, 404),
        (uncalled, 404),
        (cast["neighbour_resident"], 404),
    ):
        client.force_login(who)
        assert client.get(url).status_code == status, who
    client.force_login(cast["other_handler"])
    response = w.responses.get()
    client.post(f"{url}whistle/{response.pk}/respond/", {"note": "已派人到场"})
    response.refresh_from_db()
    assert response.responded_by == cast["other_handler"]
    # Following widens the page only, never the lists.
    client.force_login(follower)
    assert case.number not in client.get("/api/cases/").content.decode()
    client.logout()
    assert client.get(url).status_code in (302, 401, 404)


def test_the_owner_is_warned_once_at_80_percent_and_once_when_late(cast, category):
    now = timezone.now()
    hour = timezone.timedelta(hours=1)
    case = make_case(
        cast, category, status="dispatched", warn_at=now - hour, deadline_at=now + hour
    )
    calm = make_case(
        cast, category, status="dispatched", warn_at=now + hour, deadline_at=now + 2 * hour
    )
    assert escalation.send_deadline_alerts(now=now) == 1
    assert titles(cast["handler"]) == [f"案件 {case.number} 即将超时"]
    assert escalation.send_deadline_alerts(now=now) == 0  # once
    later = now + 2 * hour
    assert escalation.send_deadline_alerts(now=later) == 2  # ours is late, the calm one yellow
    assert f"案件 {case.number} 已超时" in titles(cast["handler"])
    assert f"案件 {calm.number} 即将超时" in titles(cast["handler"])
    assert titles(cast["secretary"]) == titles(cast["resident"]) == []  # only the owner
    assert escalation.send_deadline_alerts(now=later) == 0
    # A transition starts the new stage's clock and its alerts afresh.
    case.refresh_from_db()
    case = services.case_accept(case=case, by=cast["handler"])
    assert case.alerted == "" and case.deadline_at > later


def test_each_stage_alerts_its_own_owner(cast, category):
    now = timezone.now()
    past = {"warn_at": now - timezone.timedelta(hours=2), "deadline_at": now}
    reported = make_case(cast, category, status="reported", triage="", **past)
    waiting = make_case(cast, category, status="filed", triage="major", **past)
    handled = make_case(cast, category, status="handled", **past)
    escalation.send_deadline_alerts(now=now + timezone.timedelta(minutes=1))
    assert f"案件 {reported.number} 已超时" in titles(cast["secretary"])
    assert titles(cast["street"]) == [f"案件 {waiting.number} 已超时"]
    assert titles(cast["grid_worker"]) == [f"案件 {handled.number} 已超时"]


def test_each_called_unit_reports_within_its_own_time_limit(client, cast, category):
    case = make_case(cast, category, status="dispatched")
    client.force_login(cast["street"])
    client.post(
        f"/cases/{case.number}/whistle/",
        {
            "units": [cast["department"].pk, cast["other_unit"].pk],
            "note": "涉及供水和道路",
            "hours": "4",
            f"hours_{cast['other_unit'].pk}": "1",
        },
    )
    limits = dict(
        WhistleResponse.objects.filter(whistle__case=case).values_list("unit_id", "deadline_at")
    )
    assert limits[cast["other_unit"].pk] < limits[cast["department"].pk]
    bad = client.post(
        f"/cases/{case.number}/whistle/",
        {"units": [cast["department"].pk], "note": "再叫", f"hours_{cast['department'].pk}": "999"},
        follow=True,
    )
    assert bad.status_code == 400 and "0 到 168" in bad.content.decode()
    assert "再叫</textarea>" in bad.content.decode()  # nothing written is lost
    assert f'value="{cast["department"].pk}" checked' in bad.content.decode()
    assert case.whistles.count() == 1


def test_a_called_unit_finds_its_open_whistles_in_its_inbox(client, cast, category):
    case = make_case(cast, category, status="dispatched")
    w = escalation.whistle(
        case=case,
        by=cast["street"],
        units=[cast["department"], cast["other_unit"]],
        note="涉及供水和道路",
        hours=2,
    )
    client.force_login(cast["other_handler"])
    body = client.get("/cases/inbox/").content.decode()
    assert 'data-testid="pending-whistles"' in body and f'data-case="{case.number}"' in body
    escalation.whistle_respond(
        response=w.responses.get(unit=cast["other_unit"]), by=cast["other_handler"], note="到场"
    )
    body = client.get("/cases/inbox/").content.decode()
    assert 'data-testid="pending-whistles"' not in body
    client.force_login(cast["secretary"])  # not a unit: no such list
    assert 'data-testid="pending-whistles"' not in client.get("/cases/inbox/").content.decode()


def test_notifications_are_written_in_the_districts_language_whoever_acts(cast, category):
    from django.utils import translation

    case = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    with translation.override("en"):  # the secretary reads the console in English
        services.case_file(case=case, by=cast["secretary"])
    note = Notification.objects.get(user=cast["resident"])
    assert note.title == f"您反映的问题已受理（{case.number}）"
    assert "社区正在安排处理" in note.body


def test_a_district_that_works_in_english_tells_residents_in_plain_english(
    cast, category, settings
):
    settings.LANGUAGE_CODE = "en"
    case = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    services.case_file(case=case, by=cast["secretary"])
    services.case_triage(case=case, by=cast["secretary"], triage="minor")
    assert bodies(cast["resident"])[-1] == (
        f"Your report is accepted and the community will handle it ({case.number})",
        f"{category.name}: The community will bring together whoever is needed to fix it.",
    )


def test_the_case_page_puts_the_stage_actions_first_and_folds_the_whistle_form(
    client, cast, category
):
    """Issue 19: the whistle block (a checkbox and a deadline for every unit of the district)
    sat above the dispatch form and made the page 3,100 px tall. The stage's actions come
    first; calling units is one folded line until opened, or open when refused input came back."""
    case = make_case(cast, category, status="dispatched")
    client.force_login(cast["street"])
    body = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="whistle-form"' in body
    assert body.index('class="card action"') < body.index('data-testid="whistles"')
    folded = re.search(r'<details class="whistle-new" data-testid="whistle-new"( open)?>', body)
    assert folded and folded.group(1) is None
    # a refused whistle comes back with the form open and what was typed kept
    body = client.post(
        f"/cases/{case.number}/whistle/",
        {"units": [], "note": "涉及供水", "hours": "4"},
        follow=True,
    ).content.decode()
    assert '<details class="whistle-new" data-testid="whistle-new" open>' in body
    assert "涉及供水" in body
