"""The reports pages: the permission cast, the books listed for a place and a period, a book
downloaded (audited, the right rows), the zip of every book made in the queue and kept, a
failed generation reported and retried without a half file, and the query budget."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from unittest import mock

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.core.models import AuditEntry
from jiceng.reports import services
from jiceng.reports.models import Generation
from tests.reports.conftest import RARE_NAMES

INDEX = "/console/reports/"
Q = "?kind=month&year=2026&number=10"


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("who", ["secretary", "worker", "street"])
def test_staff_see_their_books(client, cast, who):
    response = _get(client, cast[who], INDEX + Q)
    assert response.status_code == 200
    assert b'data-book="tests.fake"' in response.content


def test_plain_book_is_excel_only_and_only_for_its_roles(client, cast):
    html = _get(client, cast["secretary"], INDEX + Q).content.decode()
    assert 'data-book="tests.plain"' in html
    assert 'data-testid="pdf-tests.plain"' not in html
    html = _get(client, cast["worker"], INDEX + Q).content.decode()
    assert 'data-book="tests.plain"' not in html  # the secretary's book only


def test_anonymous_goes_to_login_and_a_resident_is_refused(client, cast):
    assert client.get(INDEX).status_code == 302
    assert _get(client, cast["resident"], INDEX).status_code == 403
    assert _get(client, cast["nobody"], INDEX).status_code == 403


def test_a_place_outside_the_scope_is_not_found(client, cast):
    neighbour = cast["places"]["neighbour"].code
    assert _get(client, cast["secretary"], f"{INDEX}?place={neighbour}").status_code == 404
    url = reverse("reports:book", args=["tests.fake", "xlsx"]) + f"{Q}&place={neighbour}"
    assert _get(client, cast["secretary"], url).status_code == 404
    assert _get(client, cast["secretary"], f"{INDEX}?place=36060200100100x").status_code == 404
    # the street sees both communities
    assert _get(client, cast["street"], f"{INDEX}?place={neighbour}").status_code == 200


def test_bad_period_is_a_clear_error(client, cast):
    response = _get(client, cast["secretary"], INDEX + "?kind=month&year=2026&number=13")
    assert response.status_code == 200  # an out-of-range month falls back to last month
    response = _get(client, cast["secretary"], INDEX + "?kind=week")
    assert response.status_code == 200


def test_book_download_has_the_rows_and_is_audited(client, cast):
    community = cast["places"]["community"].code
    url = reverse("reports:book", args=["tests.fake", "xlsx"]) + f"{Q}&place={community}"
    response = _get(client, cast["secretary"], url)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[3:7]] == list(RARE_NAMES)
    assert rows[7] == (None, None, None, None) or rows[7] == ()  # the blank line before signing
    entry = AuditEntry.objects.get(action="reports.book_download")
    assert entry.scope_code == community and entry.detail["rows"] == 4


def test_plain_book_has_no_pdf(client, cast):
    url = reverse("reports:book", args=["tests.plain", "pdf"]) + Q
    response = _get(client, cast["secretary"], url)
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="reports.book_download").exists()


def test_zip_of_every_book_in_one_click(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast["secretary"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INDEX + Q)
    generation = Generation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reports:generation", args=[generation.pk])
    assert generation.status == Generation.Status.DONE  # tasks run inline in tests
    progress = client.get(response.url + "?format=json").json()
    assert progress["percent"] == 100 and progress["formats"] == ["zip"]
    page = client.get(response.url)
    assert b'data-testid="download-zip"' in page.content
    download = client.get(reverse("reports:file", args=[generation.pk, "zip"]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = set(archive.namelist())
    # the test's books beside every app's own (one Excel each, a PDF where printed)
    assert {
        "测试台账-公园社区-2026-10.xlsx",
        "测试台账-公园社区-2026-10.pdf",
        "测试名册-公园社区-2026-10.xlsx",
    } <= names
    assert "测试名册-公园社区-2026-10.pdf" not in names  # not a printed book
    assert all(n.endswith(("-公园社区-2026-10.xlsx", "-公园社区-2026-10.pdf")) for n in names)
    assert AuditEntry.objects.filter(action="reports.file_download").count() == 1
    # the outsider cannot open it
    client.force_login(cast["outsider"])
    assert client.get(reverse("reports:generation", args=[generation.pk])).status_code == 404
    assert client.get(reverse("reports:file", args=[generation.pk, "zip"])).status_code == 404


def test_a_failed_generation_is_reported_and_leaves_no_file(
    client, cast, var_dir, django_capture_on_commit_callbacks
):
    client.force_login(cast["secretary"])
    failing = mock.patch.object(
        services.writers, "write_pdf", side_effect=RuntimeError("disk full")
    )
    with failing, django_capture_on_commit_callbacks(execute=True):
        client.post(INDEX + Q)
    generation = Generation.objects.get()
    assert generation.status == Generation.Status.FAILED
    assert "disk full" in generation.message and generation.files == {}
    assert not [p for p in (var_dir / "media").rglob("*") if p.is_file()]
    page = client.get(reverse("reports:generation", args=[generation.pk]))
    assert b'data-testid="failed"' in page.content
    # the retry succeeds
    services.run_generation(generation.pk)
    generation.refresh_from_db()
    assert generation.status == Generation.Status.DONE and generation.attempts == 2


def test_provisional_period_is_marked(client, cast):
    today = date.today()
    url = f"{INDEX}?kind=month&year={today.year}&number={today.month}"
    assert b'data-testid="provisional"' in _get(client, cast["secretary"], url).content


def test_query_budget(client, cast, django_assert_max_num_queries):
    client.force_login(cast["street"])
    client.get(INDEX + Q)
    with django_assert_max_num_queries(12):
        assert client.get(INDEX + Q).status_code == 200


@pytest.mark.parametrize("url", ["/console/reports/monthly/", "/console/reports/requests/"])
def test_other_pages_cast_and_budget(client, cast, url, django_assert_max_num_queries):
    assert client.get(url).status_code == 302
    assert _get(client, cast["resident"], url).status_code == 403
    neighbour = cast["places"]["neighbour"].code
    assert _get(client, cast["secretary"], f"{url}?place={neighbour}").status_code == 404
    client.force_login(cast["street"])
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_pages_in_english(client, cast):
    client.force_login(cast["secretary"])
    client.cookies["django_language"] = "en"
    html = client.get(INDEX + Q, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Books you may take" in html and "10/2026" in html
