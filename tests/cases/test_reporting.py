"""Reporting a problem: numbers, places, deadlines in working hours, and bad input."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jiceng.cases import services
from jiceng.cases.models import Case, CaseCategory
from jiceng.cases.permissions import visible_cases
from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from jiceng.geo.models import Division
from jiceng.geo.services import load_real_district
from tests.cases.conftest import make_case
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_a_report_gets_a_number_the_reporters_grid_and_a_filing_deadline(
    cast, category, monkeypatch
):
    moment = datetime(2025, 9, 30, 17, 0, tzinfo=SH)  # 30 min before the day ends, then a holiday
    monkeypatch.setattr(timezone, "now", lambda: moment)
    c = services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    assert c.number.startswith("20250930") and len(c.number) >= 13
    assert c.scope_code == cast["places"]["grid1"].code
    assert c.deadline_at == datetime(2025, 10, 9, 9, 0, tzinfo=SH)  # 1 working hour
    assert c.source == "resident"
    second = services.case_report(by=cast["grid_worker"], category=category, description="路灯不亮")
    assert second.number[:8] == "20250930" and int(second.number[8:]) > int(c.number[8:])
    assert second.source == "patrol"
    assert AuditEntry.objects.filter(action="case.report").count() == 2


def test_a_location_places_the_case_in_its_grid():
    load_real_district(code="360602")
    grid = Division.objects.get(code="360602003001001")
    resident = user_with_role("resident", division=Division.objects.get(code="360602001001001"))
    c = services.case_report(
        by=resident,
        category="1101",
        description="垃圾堆积",
        lon=grid.centroid_lon,
        lat=grid.centroid_lat,
    )
    assert c.scope_code == grid.code


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"category": None}, "请选择问题类别"),
        ({"category": "9999"}, "未知的问题类别"),
        ({"description": "   "}, "请填写问题描述"),
        ({"description": "井" * 2001}, "不能超过 2000 字"),
        ({"lon": "东经", "lat": "28"}, "必须是数字"),
        ({"lon": 116.0, "lat": 39.9}, "不在本区任何网格内"),
        ({"address": "路" * 201}, "地址不能超过 200 字"),
        ({"grid": "360602001009001"}, "所选网格不存在"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_written(cast, category, kwargs, message):
    args = {"by": cast["resident"], "category": "0101", "description": "井盖缺失", **kwargs}
    with pytest.raises(UserError, match=message):
        services.case_report(**args)
    assert not Case.objects.exists()


def test_a_stopped_category_takes_no_new_reports(cast, category):
    services.case_report(by=cast["resident"], category="0101", description="井盖缺失")
    category.is_active = False
    category.save()  # as the admin does
    with pytest.raises(UserError, match="未知的问题类别"):
        services.case_report(by=cast["resident"], category="0101", description="井盖缺失")
    assert Case.objects.count() == 1


def test_a_category_stopped_by_another_process_is_refused_within_a_minute(
    cast, category, monkeypatch
):
    import time

    from jiceng.core import memo

    clock = [time.monotonic()]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    services.case_report(by=cast["resident"], category="0101", description="井盖缺失")
    # Another server process stops it: this one does not see the save.
    CaseCategory.objects.filter(pk=category.pk).update(is_active=False)
    clock[0] += 61
    with pytest.raises(UserError, match="未知的问题类别"):
        services.case_report(by=cast["resident"], category="0101", description="井盖缺失")


def test_who_sees_which_cases(cast, category):
    ours = make_case(cast, category, status="dispatched")
    theirs = make_case(
        cast,
        category,
        status="reported",
        scope_code=cast["places"]["grid_n"].code,
        reporter=cast["neighbour_resident"],
    )
    seen = lambda who: set(visible_cases(cast[who]).values_list("pk", flat=True))  # noqa: E731
    assert seen("secretary") == {ours.pk}
    assert seen("street") == {ours.pk, theirs.pk}
    assert seen("handler") == {ours.pk}
    assert seen("other_handler") == set()
    assert seen("resident") == {ours.pk}
    assert seen("neighbour_resident") == {theirs.pk}
    assert seen("outsider") == {theirs.pk}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_acting_at_once_cannot_both_win(cast, category):
    import threading

    from django.db import connection

    case = make_case(cast, category, status="reported")
    results: list[str] = []
    barrier = threading.Barrier(2)

    def act(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except UserError as exc:
            results.append(exc.message)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act, args=(lambda: services.case_file(case=case, by=cast["secretary"]),)
        ),
        threading.Thread(
            target=act,
            args=(lambda: services.case_reject(case=case, by=cast["secretary"], note="重复"),),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    case.refresh_from_db()
    assert case.version == 1 and case.events.count() == 1


@pytest.mark.parametrize(
    ("data", "api_says", "page_says"),
    [
        ({"description": "井盖缺失"}, None, "Please choose the kind of problem."),
        (
            {"category": "9999", "description": "x"},
            "Unknown kind of problem: 9999",
            "Please choose",
        ),
        ({"category": "0101", "description": " "}, "Please fill in: ", "Please fill in: "),
        ({"category": "0101", "description": "x", "lon": 116.0, "lat": 39.9}, "in no grid", None),
        ({"category": "0101", "description": "x", "address": "路" * 201}, "at most 200", None),
    ],
)
def test_bad_reports_are_explained_in_english_to_who_chose_it(
    client, cast, category, data, api_says, page_says
):
    client.force_login(cast["resident"])
    client.cookies["django_language"] = "en"
    api = client.post("/api/cases/", data, content_type="application/json")
    assert api.status_code in (400, 422), api.content
    if api_says:
        assert api.status_code == 400 and api_says in api.json()["detail"]
    page = client.post("/cases/report/", data).content.decode()
    page = page.replace("&quot;", '"').replace("&#x27;", "'")
    assert (page_says or api_says) in page
    assert not Case.objects.exists()


def test_a_report_that_fails_halfway_leaves_nothing_behind(cast, category, monkeypatch):
    from jiceng.cases.models import CaseEvent, CaseFollower, CaseTally

    def broken(**kwargs):
        raise RuntimeError("the audit log is unreachable")

    monkeypatch.setattr(services, "audit", broken)
    with pytest.raises(RuntimeError):
        services.case_report(by=cast["resident"], category=category, description="井盖缺失")
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not CaseFollower.objects.exists()
    assert not CaseTally.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_once_makes_one_case(cast, category):
    import threading

    from django.db import connection

    numbers: list[str] = []
    barrier = threading.Barrier(2)

    def send():
        try:
            barrier.wait()
            case = services.case_report(
                by=cast["resident"],
                category=category,
                description="井盖缺失",
                client_token="0b3c6f0e-5d7a-4f53-9a55-7d3c1c2f9e10",
            )
            numbers.append(case.number)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 2 and numbers[0] == numbers[1]
    assert Case.objects.count() == 1
    assert Case.objects.get().events.count() == 1
