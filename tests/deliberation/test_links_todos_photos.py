"""Issues linked to the case or need they came from or produced, from the console; the console
home's to-dos counted against the lists they open; meeting photos uploaded by staff and served
only to who may see the meeting."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from jiceng.cases.models import Case, CaseCategory
from jiceng.core.registry import todos_for
from jiceng.deliberation import issues, meetings
from jiceng.deliberation.models import Issue, MeetingPhoto
from tests.conftest import restore_starter_categories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def case_in(place, reporter, number="T000001"):
    restore_starter_categories()
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


def test_staff_record_an_issue_from_a_case_by_its_number(client, cast):
    ours = case_in(cast["places"]["grid1"], cast["alice"])
    theirs = case_in(cast["places"]["grid_n"], cast["neighbour"], number="T000002")
    client.force_login(cast["secretary"])
    form = {
        "community": cast["community"].pk,
        "title": "井盖反复丢失",
        "description": "",
        "source": "case",
        "case": ours.number,
    }
    assert client.post(reverse("deliberation:issues"), form).status_code == 302
    issue = Issue.objects.get()
    assert (issue.source, issue.case_id) == ("case", ours.pk)
    # a case elsewhere reads as none: 404, nothing written
    response = client.post(reverse("deliberation:issues"), {**form, "case": theirs.number})
    assert response.status_code == 404 and Issue.objects.count() == 1


def test_an_issue_carried_out_links_the_case_it_produced(client, cast, now_meeting):
    issue = issues.issue_raise(by=cast["alice"], community=cast["community"], title="修路")
    issues.issue_schedule(by=cast["secretary"], issue=issue, meeting=now_meeting)
    issue = issues.issue_resolve(by=cast["secretary"], issue=issue, resolution="报城管")
    produced = case_in(cast["places"]["grid1"], cast["secretary"])
    client.force_login(cast["secretary"])
    url = reverse("deliberation:issue", args=[issue.pk])
    done = client.post(
        url,
        {
            "action": "carry_out",
            "note": "已立案派遣",
            "case": produced.number,
            "version": issue.version,
        },
    )
    assert done.status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.case_id) == ("carried_out", produced.pk)
    assert produced.number in client.get(url).content.decode()


def test_a_refused_step_on_the_issue_page_keeps_what_was_typed(client, cast):
    issue = issues.issue_raise(by=cast["alice"], community=cast["community"], title="修路")
    client.force_login(cast["secretary"])
    response = client.post(
        reverse("deliberation:issue", args=[issue.pk]),
        {"action": "report", "note": "已经告诉居民了"},
    )
    assert response.status_code == 400
    assert "已经告诉居民了" in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).status == "collected"


def test_the_to_dos_count_what_their_lists_show(client, cast, now_meeting):
    for n in range(3):
        issues.issue_raise(by=cast["alice"], community=cast["community"], title=f"议题{n}")
    meetings.participant_add(
        by=cast["secretary"], meeting=now_meeting, category="resident", name="", user=cast["bob"]
    )
    meetings.meeting_checkin(by=cast["bob"], code=meetings.checkin_code(now_meeting))
    meetings.minutes_publish(by=cast["secretary"], meeting=now_meeting, minutes="纪要")
    lines = {str(t.label): t for t in todos_for(cast["secretary"])}
    waiting = lines["待列入议程的议题"]
    assert waiting.count == 3
    client.force_login(cast["secretary"])
    page = client.get(waiting.url).content.decode()
    assert len(re.findall(r'href="/console/deliberation/issues/\d+/"', page)) == 3
    minutes = lines["纪要待参会人员确认的会议"]
    assert minutes.count == 1
    assert now_meeting.title in client.get(minutes.url).content.decode()
    meetings.minutes_approve(by=cast["bob"], meeting=now_meeting)
    assert "纪要待参会人员确认的会议" not in {str(t.label) for t in todos_for(cast["secretary"])}
    assert not [t for t in todos_for(cast["outsider"]) if "议题" in str(t.label)]
    assert todos_for(cast["alice"]) == [] or all(
        "议题" not in str(t.label) for t in todos_for(cast["alice"])
    )


def png(name="会场.png"):
    buf = io.BytesIO()
    Image.new("RGB", (1600, 1200), (20, 90, 160)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def test_meeting_photos_are_kept_and_shown_only_to_who_may_see_the_meeting(
    client, cast, now_meeting
):
    client.force_login(cast["secretary"])
    url = reverse("deliberation:meeting", args=[now_meeting.pk])
    assert client.post(url, {"action": "photos", "photos": [png()]}).status_code == 302
    photo = MeetingPhoto.objects.get()
    assert photo.image.name.startswith("deliberation/")
    assert client.get(photo.image.url).status_code == 200
    client.force_login(cast["alice"])  # a resident of the community sees its meetings
    assert client.get(photo.image.url).status_code == 200
    client.force_login(cast["neighbour"])
    assert client.get(photo.image.url).status_code == 404
    client.force_login(cast["outsider"])
    assert client.get(photo.image.url).status_code == 404
    # not a picture: refused, nothing kept
    client.force_login(cast["secretary"])
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    client.post(url, {"action": "photos", "photos": [bad]})
    assert MeetingPhoto.objects.count() == 1
