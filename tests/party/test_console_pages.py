"""The pages where branches keep their party life: arranging a meeting, its minutes, attendance
and photos; a member's dues, income and transfer; the organization tree; the member's own page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from jiceng.core.models import AuditEntry
from jiceng.party import meetings
from jiceng.party.models import (
    Attendance,
    CommitteeSeat,
    DuesPayment,
    Meeting,
    MeetingPhoto,
    MemberTransfer,
    Registration,
)
from tests.party.conftest import member_user

pytestmark = pytest.mark.django_db


def a_meeting(party, *, minutes_ago=5, org="branch", by="secretary"):
    starts = timezone.now() - timedelta(minutes=minutes_ago)
    return meetings.meeting_create(
        by=party[by],
        org=party[org],
        kind="general_meeting",
        title="支部党员大会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )


def jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG")
    return SimpleUploadedFile("a.jpg", out.getvalue(), content_type="image/jpeg")


def fmt(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_the_secretary_arranges_a_meeting_and_bad_times_change_nothing(client, party):
    client.force_login(party["secretary"])
    starts = timezone.now() + timedelta(days=2)
    form = {
        "org": party["branch"].pk,
        "kind": "theme_day",
        "title": "九月主题党日",
        "starts_at": fmt(starts),
        "ends_at": fmt(starts - timedelta(hours=1)),
        "place": "党群服务中心",
    }
    refused = client.post(reverse("party:meetings"), form, follow=True)
    assert "结束时间应晚于开始时间" in refused.content.decode()
    assert not Meeting.objects.exists()
    form["ends_at"] = fmt(starts + timedelta(hours=2))
    done = client.post(reverse("party:meetings"), form, follow=True)
    meeting = Meeting.objects.get()
    assert done.redirect_chain[-1][0] == reverse("party:meeting", args=[meeting.pk])
    assert meeting.org == party["branch"] and meeting.kind == "theme_day"


def test_a_neighbouring_secretary_cannot_arrange_a_meeting_of_our_branch(client, party):
    client.force_login(party["outsider"])
    starts = timezone.now() + timedelta(days=2)
    response = client.post(
        reverse("party:meetings"),
        {
            "org": party["branch"].pk,
            "kind": "theme_day",
            "title": "x",
            "starts_at": fmt(starts),
            "ends_at": fmt(starts + timedelta(hours=1)),
        },
    )
    assert response.status_code == 200  # the branch is not among their choices
    assert not Meeting.objects.exists()


def test_the_roll_shows_everyone_expected_and_staff_mark_leave_and_presence(client, party):
    meeting = a_meeting(party)
    client.force_login(party["secretary"])
    page = client.get(reverse("party:meeting", args=[meeting.pk])).content.decode()
    assert "艾丽" in page and "鲍勃" in page and "查理" not in page
    no_reason = client.post(
        reverse("party:meeting", args=[meeting.pk]),
        {"action": "attendance", "member": party["bob"].pk, "reason": ""},
        follow=True,
    )
    assert "请假须说明事由" in no_reason.content.decode()
    assert not Attendance.objects.exists()
    client.post(
        reverse("party:meeting", args=[meeting.pk]),
        {"action": "attendance", "member": party["bob"].pk, "reason": "出差"},
    )
    client.post(
        reverse("party:meeting", args=[meeting.pk]),
        {"action": "attendance", "member": party["alice"].pk, "present": "1"},
    )
    marks = dict(Attendance.objects.values_list("member__name", "status"))
    assert marks == {"鲍勃": "leave", "艾丽": "present"}


def test_minutes_make_the_meeting_held_and_photos_are_checked(client, party):
    meeting = a_meeting(party)
    client.force_login(party["secretary"])
    url = reverse("party:meeting", args=[meeting.pk])
    client.post(url, {"action": "minutes", "minutes": "传达学习了……"})
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.minutes == "传达学习了……"
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    refused = client.post(url, {"action": "photos", "photos": [fake]}, follow=True)
    assert "不是可识别的图片" in refused.content.decode()
    assert not MeetingPhoto.objects.exists()
    client.post(url, {"action": "photos", "photos": [jpeg(), jpeg()]})
    assert meeting.photos.count() == 2
    assert AuditEntry.objects.filter(action="party.meeting_photos").exists()


def test_a_grid_chief_reads_the_meeting_but_cannot_record_it(client, party):
    meeting = a_meeting(party)
    client.force_login(party["grid_chief"])
    url = reverse("party:meeting", args=[meeting.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "minutes", "minutes": "x"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_a_planned_meeting_is_cancelled_with_a_reason(client, party):
    meeting = a_meeting(party, minutes_ago=-60 * 24)
    client.force_login(party["secretary"])
    url = reverse("party:meeting", args=[meeting.pk])
    client.post(url, {"action": "cancel", "reason": ""})
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    client.post(url, {"action": "cancel", "reason": "台风停课"})
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_dues_are_recorded_once_per_month_on_the_member_page(client, party):
    alice = party["alice"]
    client.force_login(party["secretary"])
    url = reverse("party:member", args=[alice.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="due">40.00' in page  # 4,000 yuan at 1% (RULES.md's example)
    month = timezone.localdate().strftime("%Y-%m")
    client.post(url, {"action": "dues", "month": month})
    again = client.post(url, {"action": "dues", "month": month}, follow=True)
    assert "不能重复登记" in again.content.decode()
    assert DuesPayment.objects.filter(member=alice).count() == 1
    short = client.post(
        url, {"action": "dues", "month": "2099-01", "amount": "1.00"}, follow=True
    ).content.decode()
    assert "最多预交一年" in short
    assert DuesPayment.objects.filter(member=alice).count() == 1


def test_a_new_income_changes_the_amount_due(client, party):
    alice = party["alice"]
    client.force_login(party["secretary"])
    url = reverse("party:member", args=[alice.pk])
    client.post(url, {"action": "income", "income_kind": "retired", "dues_base": "6000"})
    assert 'data-testid="due">60.00' in client.get(url).content.decode()  # retired > 5,000: 1%


def test_a_member_is_transferred_with_history_and_not_outside_scope(client, party):
    alice = party["alice"]
    client.force_login(party["outsider"])
    url = reverse("party:member", args=[alice.pk])
    assert (
        client.post(url, {"action": "transfer", "to_org": party["other_branch"].pk}).status_code
        == 404
    )
    client.force_login(party["secretary"])
    client.post(url, {"action": "transfer", "to_org": party["branch2"].pk, "note": "搬家"})
    alice.refresh_from_db()
    assert alice.org == party["branch2"]
    assert MemberTransfer.objects.get().from_org == party["branch"]
    assert "公园社区第1网格党支部 → 公园社区第2网格党支部" in client.get(url).content.decode()


def test_the_arrears_warning_shows_on_the_member_page(client, party):
    alice = party["alice"]
    alice.dues_from = timezone.localdate() - timedelta(days=200)
    alice.save()
    client.force_login(party["secretary"])
    page = client.get(reverse("party:member", args=[alice.pk])).content.decode()
    assert 'data-testid="arrears"' in page and "自行脱党" in page


def test_the_org_tree_and_a_committee_with_its_part_time_members(
    client, party, django_assert_max_num_queries
):
    CommitteeSeat.objects.create(
        org=party["committee"],
        name="王建国",
        title="兼职委员",
        is_part_time=True,
        scope_code=party["committee"].scope_code,
    )
    client.force_login(party["secretary"])
    with django_assert_max_num_queries(12):
        tree = client.get(reverse("party:orgs")).content.decode()
    assert tree.index("中共公园社区委员会") < tree.index("公园社区第1网格党支部")
    assert "湖西社区" not in tree
    page = client.get(reverse("party:org", args=[party["committee"].pk])).content.decode()
    assert "王建国" in page and "兼职委员" in page
    client.force_login(party["outsider"])
    assert client.get(reverse("party:org", args=[party["committee"].pk])).status_code == 404


def test_a_member_asks_for_leave_and_registers_with_the_community_where_they_live(client, party):
    meeting = a_meeting(party, minutes_ago=-60 * 24)
    alice = party["alice"]
    alice.management_type = "in_service"
    alice.save()
    client.force_login(alice.user)
    page = client.get(reverse("party:mine")).content.decode()
    assert meeting.title in page and "40.00" in page
    client.post(reverse("party:mine"), {"action": "leave", "meeting": meeting.pk, "reason": "值班"})
    assert Attendance.objects.get(member=alice).reason == "值班"
    client.post(
        reverse("party:mine"),
        {"action": "register", "community": party["places"]["neighbour"].pk},
    )
    reg = Registration.objects.get(member=alice)
    assert reg.status == "pending" and reg.community == party["places"]["neighbour"]
    again = client.post(
        reverse("party:mine"),
        {"action": "register", "community": party["places"]["neighbour"].pk},
        follow=True,
    )
    assert "无需重复报到" in again.content.decode()
    assert Registration.objects.count() == 1


def test_a_member_cannot_ask_leave_for_another_branchs_meeting(client, party):
    meeting = a_meeting(party, org="other_branch", by="outsider", minutes_ago=-60 * 24)
    client.force_login(party["alice"].user)
    response = client.post(
        reverse("party:mine"), {"action": "leave", "meeting": meeting.pk, "reason": "x"}
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_someone_without_a_member_record_has_no_party_page(client, party):
    client.force_login(party["secretary"])
    assert client.get(reverse("party:mine")).status_code == 404
    new = member_user(party["branch"], "新党员")
    client.force_login(new.user)
    assert client.get(reverse("party:mine")).status_code == 200


def test_a_months_dues_of_a_branch_recorded_in_one_click_and_exported(client, party):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook

    client.force_login(party["secretary"])
    month = timezone.localdate().strftime("%Y-%m")
    url = reverse("party:dues") + f"?month={month}&org={party['branch'].pk}"
    with CaptureQueriesContext(connection) as two_members:
        page = client.get(url).content.decode()
    assert "艾丽" in page and "鲍勃" in page and "查理" not in page
    assert "已交 0 / 2 人" in page
    client.post(
        reverse("party:dues"),
        {"member": party["alice"].pk, "month": month, "org": party["branch"].pk},
    )
    page = client.get(url).content.decode()
    assert "已交 1 / 2 人，合计 40.00 元" in page
    book = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    # the dues record book as it is kept on paper: title, branch and month, numbered rows, signatures
    assert rows[0][0] == "党费收缴台账" and party["branch"].name in rows[1][0]
    assert rows[2][:3] == ("序号", "党员编号", "姓名")
    assert {r[2]: r[6] for r in rows[3:-2]} == {"艾丽": 40.0, "鲍勃": None}
    assert [r[0] for r in rows[3:-2]] == [1, 2] and rows[-2] == (None,) * len(rows[-2])
    assert "经办人" in rows[-1][0] and "支部书记" in rows[-1][0]
    for i in range(5):
        member_user(party["branch"], f"新党员{i}")
    with CaptureQueriesContext(connection) as seven_members:
        client.get(url)
    assert len(seven_members) == len(two_members)  # no query per member
    client.force_login(party["outsider"])
    assert client.get(url).status_code == 404
    outsider_post = client.post(reverse("party:dues"), {"member": party["bob"].pk, "month": month})
    assert outsider_post.status_code == 404
    assert not DuesPayment.objects.filter(member=party["bob"]).exists()
    client.force_login(party["grid_chief"])
    assert client.get(reverse("party:dues") + "?month=13-2026").status_code == 400
