"""Pages and API: the member's phone check-in, the console pages with the permission cast, and
concurrent check-ins on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from jiceng.party import meetings
from jiceng.party.models import Attendance
from jiceng.points.models import PointEntry
from tests.party.conftest import member_user


def a_meeting(party, org="branch"):
    starts = timezone.now() - timedelta(minutes=5)
    return meetings.meeting_create(
        by=party["secretary"],
        org=party[org],
        kind="general_meeting",
        title="支部党员大会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )


@pytest.mark.django_db
def test_a_member_checks_in_on_the_phone_page_and_sees_the_points(client, party):
    meeting = a_meeting(party)
    client.force_login(party["alice"].user)
    url = reverse("party:checkin") + "?c=" + meetings.checkin_code(meeting)
    page = client.get(url)
    assert 'data-testid="checkin-button"' in page.content.decode()
    done = client.post(reverse("party:checkin"), {"c": meetings.checkin_code(meeting)})
    body = done.content.decode()
    assert done.status_code == 200 and 'data-testid="checkin-points">+3<' in body
    again = client.post(reverse("party:checkin"), {"c": meetings.checkin_code(meeting)})
    assert again.status_code == 409 and "已签到" in again.content.decode()
    me = client.get(reverse("points:me"))
    assert 'data-testid="balance">3<' in me.content.decode()
    assert Attendance.objects.count() == 1


@pytest.mark.django_db
def test_a_forged_code_on_the_page_is_a_clear_error(client, party):
    client.force_login(party["alice"].user)
    response = client.post(reverse("party:checkin"), {"c": "1:forged:xx"})
    assert response.status_code == 400 and "签到码无效" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_console_pages_for_the_cast(client, party):
    meeting = a_meeting(party)
    pages = [
        reverse("party:home"),
        reverse("party:members"),
        reverse("party:member", args=[party["alice"].pk]),
        reverse("party:meetings"),
        reverse("party:meeting", args=[meeting.pk]),
        reverse("party:meeting_qr", args=[meeting.pk]),
        reverse("party:registrations"),
        reverse("points:ranking"),
        reverse("points:manual"),
    ]
    client.force_login(party["secretary"])
    for url in pages:
        assert client.get(url).status_code == 200, url
    client.force_login(party["outsider"])
    assert client.get(reverse("party:meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("party:member", args=[party["alice"].pk])).status_code == 404
    client.force_login(party["grid_chief"])
    assert client.get(reverse("party:meeting", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("party:meeting_qr", args=[meeting.pk])).status_code == 403
    client.force_login(party["alice"].user)
    assert client.get(reverse("party:home")).status_code == 403
    client.logout()
    assert client.get(reverse("party:home")).status_code == 302


@pytest.mark.django_db
def test_api_check_in_learning_and_ranking(client, party):
    meeting = a_meeting(party)
    client.force_login(party["alice"].user)
    code = meetings.checkin_code(meeting)
    ok = client.post("/api/party/checkin", {"code": code}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["points"] == 3
    twice = client.post("/api/party/checkin", {"code": code}, content_type="application/json")
    assert twice.status_code == 409 and "已签到" in twice.json()["detail"]
    learning = {
        "course": "习近平新时代中国特色社会主义思想",
        "minutes": 45,
        "finished_at": timezone.now().isoformat(),
        "external_id": "xx-1",
    }
    first = client.post("/api/party/learning", learning, content_type="application/json")
    again = client.post("/api/party/learning", learning, content_type="application/json")
    assert first.json()["created"] and not again.json()["created"]
    me = client.get("/api/points/me").json()
    assert me["balance"] == 4 and me["rank_branch"] == 1
    client.force_login(party["secretary"])
    ranking = client.get(f"/api/points/ranking?year={timezone.localdate().year}").json()
    assert [(r["name"], r["points"]) for r in ranking] == [("艾丽", 4)]
    assert client.get("/api/party/members").json()["count"] == 2
    client.force_login(party["outsider"])
    assert client.get(f"/api/points/ranking?org={party['branch'].pk}").status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_members_checking_in_at_once_never_lose_or_double(party):
    """25 members, each scanning twice at the same moment, in 50 threads (each with its own
    connection: well inside PostgreSQL's default 100, beside whatever else runs)."""
    meeting = a_meeting(party)
    members = [member_user(party["branch"], f"党员{i}") for i in range(25)]
    code = meetings.checkin_code(meeting)
    barrier = threading.Barrier(len(members) * 2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def scan(member):
        try:
            barrier.wait()
            meetings.meeting_checkin(by=member.user, code=code)
            result = "ok"
        except Exception as exc:  # noqa: BLE001 - the outcome is what we count
            result = type(exc).__name__ + ":" + str(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=scan, args=(m,)) for m in members for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == len(members), outcomes
    assert all("已签到" in o for o in outcomes if o != "ok")
    assert Attendance.objects.filter(meeting=meeting).count() == len(members)
    assert PointEntry.objects.filter(source_key__startswith="attendance:").count() == len(members)
    assert {e.member_id for e in PointEntry.objects.all()} == {m.pk for m in members}
