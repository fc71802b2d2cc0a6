"""The case pages: reporting on a phone, following a case, acting on it, the inbox."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from jiceng.cases.models import Case, CasePhoto
from tests.cases.conftest import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(width=2400, height=1800, name="井盖.png"):
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 40)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def test_a_resident_reports_with_photos_and_follows_the_case(client, cast, category):
    client.force_login(cast["resident"])
    form = client.get("/cases/report/").content.decode()
    assert "井盖破损或缺失" in form
    response = client.post(
        "/cases/report/",
        {
            "category": "0101",
            "description": "小区门口井盖缺失",
            "token": "a1b2c3",
            "photos": [png(), png(name="2.webp")],
        },
        follow=True,
    )
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == f"/cases/{case.number}/"
    body = response.content.decode()
    assert f"案件编号 {case.number}" in body and "已上报" in body
    photos = list(CasePhoto.objects.filter(case=case))
    assert len(photos) == 2
    assert max(photos[0].width, photos[0].height) == 1600  # resized on upload


def test_a_replayed_report_form_does_not_make_a_second_case(client, cast, category):
    client.force_login(cast["resident"])
    data = {"category": "0101", "description": "井盖缺失", "token": "same-token"}
    client.post("/cases/report/", data)
    client.post("/cases/report/", data)
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("假照片.jpg", b"not an image at all", content_type="image/jpeg"),
            "不是可识别的图片",
        ),
        ([png(100, 100, f"{i}.png") for i in range(10)], "最多上传 9 张"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_kept(client, cast, category, upload, message):
    client.force_login(cast["resident"])
    body = client.post(
        "/cases/report/", {"category": "0101", "description": "井盖缺失", "photos": upload}
    ).content.decode()
    assert message in body
    assert not Case.objects.exists() and not CasePhoto.objects.exists()


def test_a_report_without_category_says_so(client, cast, category):
    client.force_login(cast["resident"])
    body = client.post("/cases/report/", {"description": "井盖缺失"}).content.decode()
    assert "请选择问题类别" in body
    assert not Case.objects.exists()


def test_staff_cannot_report_as_residents(client, cast):
    client.force_login(cast["street"])
    assert client.get("/cases/report/").status_code == 403


def test_a_case_outside_ones_reach_is_not_found(client, cast, category):
    case = make_case(cast, category)
    for who in ("outsider", "neighbour_resident", "other_handler"):
        client.force_login(cast[who])
        assert client.get(f"/cases/{case.number}/").status_code == 404


def test_the_community_files_and_triages_on_the_case_page(client, cast, category):
    case = make_case(cast, category)
    client.force_login(cast["secretary"])
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-action="file"' in page and 'data-action="rate"' not in page
    client.post(f"/cases/{case.number}/act/file/", {"version": 0})
    response = client.post(
        f"/cases/{case.number}/act/triage/", {"version": 1, "triage": "minor"}, follow=True
    )
    assert "已三事分流" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "coordinating"


def test_a_stale_form_is_refused_with_a_message(client, cast, category):
    case = make_case(cast, category)
    client.force_login(cast["secretary"])
    client.post(f"/cases/{case.number}/act/file/", {"version": 0})
    response = client.post(
        f"/cases/{case.number}/act/reject/", {"version": 0, "note": "与 T000009 重复，已在处理"}
    )
    body = response.content.decode()
    assert response.status_code == 409 and "刚被他人处理过" in body
    # What they wrote is kept: in its form if the page still offers it, aside otherwise.
    assert 'data-testid="kept"' in body and "与 T000009 重复，已在处理</textarea>" in body
    response = client.post(
        f"/cases/{case.number}/act/triage/", {"version": 0, "triage": "minor", "note": "先协调"}
    )
    body = response.content.decode()
    assert response.status_code == 409 and 'data-testid="kept"' not in body
    assert 'name="version" value="1"' in body and "先协调</textarea>" in body
    case.refresh_from_db()
    assert case.status == "filed"


def test_the_reporter_rates_a_closed_case_and_nobody_else_can(client, cast, category):
    case = make_case(cast, category, status="closed")
    client.force_login(cast["secretary"])
    client.post(f"/cases/{case.number}/act/rate/", {"version": 0, "rating": "satisfied"})
    case.refresh_from_db()
    assert case.rating == ""
    client.force_login(cast["resident"])
    client.post(
        f"/cases/{case.number}/act/rate/",
        {"version": 0, "rating": "basically_satisfied", "note": "还可以"},
    )
    case.refresh_from_db()
    assert (case.status, case.rating, case.rating_comment) == (
        "evaluated",
        "basically_satisfied",
        "还可以",
    )


def test_the_inbox_marks_cases_yellow_and_red_and_filters(
    client, cast, category, django_assert_max_num_queries
):
    now = timezone.now()
    fine = make_case(
        cast, category, deadline_at=now + timedelta(hours=5), warn_at=now + timedelta(hours=4)
    )
    soon = make_case(
        cast, category, deadline_at=now + timedelta(hours=1), warn_at=now - timedelta(minutes=5)
    )
    late = make_case(
        cast, category, deadline_at=now - timedelta(hours=1), warn_at=now - timedelta(hours=2)
    )
    make_case(cast, category, scope_code=cast["places"]["grid_n"].code)  # the neighbour's
    for _ in range(20):
        make_case(cast, category)
    client.force_login(cast["secretary"])
    with django_assert_max_num_queries(12):
        body = client.get("/cases/inbox/").content.decode()
    assert body.count("<tr class=") == 23
    assert f'data-light="red"><td data-label="编号"><a href="/cases/{late.number}/"' in body
    assert f'data-light="yellow"><td data-label="编号"><a href="/cases/{soon.number}/"' in body
    assert f'data-light=""><td data-label="编号"><a href="/cases/{fine.number}/"' in body
    overdue = client.get("/cases/inbox/?overdue=1").content.decode()
    assert late.number in overdue and soon.number not in overdue
    assert client.get("/cases/inbox/?status=bogus").status_code == 400


def test_a_resident_lists_their_own_cases(client, cast, category):
    ours = make_case(cast, category)
    make_case(cast, category, reporter=cast["neighbour_resident"])
    client.force_login(cast["resident"])
    body = client.get("/cases/mine/").content.decode()
    assert ours.number in body and body.count("/cases/T") == 1


def test_a_resident_finds_the_cases_they_follow(
    client, cast, category, django_assert_max_num_queries
):
    from jiceng.cases import escalation

    theirs = make_case(cast, category, reporter=cast["neighbour_resident"])
    escalation.follow(case=theirs, by=cast["resident"])
    for _ in range(5):
        escalation.follow(
            case=make_case(cast, category, reporter=cast["neighbour_resident"]), by=cast["resident"]
        )
    client.force_login(cast["resident"])
    with django_assert_max_num_queries(12):
        body = client.get("/cases/mine/").content.decode()
    assert 'data-testid="followed-cases"' in body and theirs.number in body
    client.force_login(cast["neighbour_resident"])  # the reporter sees it once, as their own
    body = client.get("/cases/mine/").content.decode()
    assert 'data-testid="followed-cases"' not in body


def test_a_dissatisfied_case_waits_in_the_inbox_for_review(client, cast, category):
    case = make_case(cast, category, status="evaluated", needs_review=True, rating="dissatisfied")
    client.force_login(cast["secretary"])
    assert case.number in client.get("/cases/inbox/").content.decode()
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-action="reopen"' in page and 'data-action="uphold"' in page
    client.post(
        f"/cases/{case.number}/act/uphold/", {"version": 0, "note": "已按标准修复，已向居民解释"}
    )
    case.refresh_from_db()
    assert not case.needs_review
    assert case.number not in client.get("/cases/inbox/").content.decode()
