"""Commitments and the year-end evaluation through the pages: the first secretary writes the
commitment and its task list, the quarterly exchanges and the self-report on the phone; the
community's and the street's staff see the commitments of their places on the console and give
their scores once, which sets the grade. Refused input is drawn again and changes nothing;
outside the scope is 404; the pages read in English."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from jiceng.projects import services
from jiceng.projects.models import Commitment, Evaluation, Exchange
from tests.projects.conftest import YEAR

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LETTER = "我承诺：扎根社区，办好一老一小实事。"


def commit(cast, year=YEAR, who="first"):
    return services.commitment_save(
        by=cast[who],
        person=cast[who],
        place=cast["community"],
        kind="first_secretary",
        year=year,
        letter=LETTER,
        tasks="建立助餐点\n开设四点半课堂",
    )


def past_day_of_this_year() -> tuple[int, date]:
    """A day of this year's first quarter not after today, with its quarter."""
    return 1, min(TODAY, date(YEAR, 1, 2))


def test_the_first_secretary_writes_the_commitment_on_the_phone(client, cast):
    url = reverse("projects_m:commitments")
    client.force_login(cast["first"])
    home = client.get(reverse("projects_m:home")).content.decode()
    assert 'data-testid="commitments-link"' in home
    page = client.get(url).content.decode()
    assert cast["community"].name in page and cast["places"]["neighbour"].name not in page
    data = {
        "kind": "first_secretary",
        "place": cast["community"].pk,
        "year": YEAR,
        "letter": LETTER,
        "tasks": "   ",
    }
    r = client.post(url, data)
    assert r.status_code == 400 and "任务清单" in r.content.decode()
    assert not Commitment.objects.exists()
    # a community where the person neither serves nor owns a project is not theirs to pick
    r = client.post(url, {**data, "tasks": "走访", "place": cast["places"]["neighbour"].pk})
    assert r.status_code == 404 and not Commitment.objects.exists()
    r = client.post(url, {**data, "year": YEAR + 5, "tasks": "走访"})
    assert r.status_code == 400 and "承诺年度" in r.content.decode()
    assert not Commitment.objects.exists()
    r = client.post(url, {**data, "tasks": "建立助餐点\n开设四点半课堂"})
    c = Commitment.objects.get()
    assert r.status_code == 302 and r.url == reverse("projects_m:commitment", args=[c.pk])
    assert c.task_lines() == ["建立助餐点", "开设四点半课堂"] and c.person == cast["first"]
    assert AuditEntry.objects.filter(action="projects.commitment").count() == 1
    detail = reverse("projects_m:commitment", args=[c.pk])
    page = client.get(detail).content.decode()
    assert "开设四点半课堂" in page and 'data-testid="exchange-form"' in page
    r = client.post(detail, {"action": "edit", "letter": "新的承诺", "tasks": "走访50户"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.letter == "新的承诺" and c.task_lines() == ["走访50户"]
    # only the person opens their commitment on the phone
    for who in ("alice", "street", "outsider"):
        client.force_login(cast[who])
        assert client.get(detail).status_code == 404, who


def test_an_exchange_outside_the_year_or_its_quarter_or_still_to_come_is_refused(client, cast):
    c = commit(cast)
    url = reverse("projects_m:commitment", args=[c.pk])
    client.force_login(cast["first"])
    for quarter, day, words in (
        (1, date(YEAR - 1, 2, 1), f"承诺年度（{YEAR} 年）"),
        (2, date(YEAR, 2, 1), "不在所选季度"),
    ):
        r = client.post(
            url,
            {"action": "exchange", "quarter": quarter, "held_on": day.isoformat(), "summary": "x"},
        )
        assert r.status_code == 400 and words in r.content.decode()
    assert not Exchange.objects.exists()
    ahead = commit(cast, year=YEAR + 1)
    with pytest.raises(UserError, match="不能晚于今天"):
        services.exchange_add(
            by=cast["first"],
            commitment=ahead,
            quarter=1,
            held_on=date(YEAR + 1, 1, 10),
            summary="x",
        )
    quarter, day = past_day_of_this_year()
    r = client.post(
        url,
        {
            "action": "exchange",
            "quarter": quarter,
            "held_on": day.isoformat(),
            "summary": "汇报助餐点选址",
        },
    )
    assert r.status_code == 302
    assert Exchange.objects.get().summary == "汇报助餐点选址"
    assert AuditEntry.objects.filter(action="projects.exchange").count() == 1
    assert "汇报助餐点选址" in client.get(url).content.decode()


def test_the_scores_are_given_once_each_and_set_the_grade(client, cast):
    c = commit(cast)
    phone = reverse("projects_m:commitment", args=[c.pk])
    client.force_login(cast["first"])
    r = client.post(phone, {"action": "self_report", "self_report": "全年完成承诺事项两项。"})
    assert r.status_code == 302
    console = reverse("projects:commitment", args=[c.pk])
    client.force_login(cast["secretary"])
    page = client.get(console).content.decode()
    assert "全年完成承诺事项两项" in page and 'data-testid="community_score-form"' in page
    assert 'data-testid="street_score-form"' not in page
    r = client.post(console, {"action": "community_score", "community_score-score": "150"})
    assert r.status_code == 400 and "0 到 100" in r.content.decode()
    assert Evaluation.objects.get().community_score is None
    r = client.post(console, {"action": "community_score", "community_score-score": "88"})
    assert r.status_code == 302
    # the community's score of the year is given once: a colleague cannot give it again
    client.force_login(cast["worker"])
    assert 'data-testid="community_score-form"' not in client.get(console).content.decode()
    r = client.post(console, {"action": "community_score", "community_score-score": "60"})
    assert r.status_code == 400 and "只评一次" in r.content.decode()
    assert Evaluation.objects.get().community_score == Decimal("88")
    # the street gives the street's score, not the community's
    client.force_login(cast["street"])
    r = client.post(console, {"action": "community_score", "community_score-score": "70"})
    assert r.status_code == 403
    r = client.post(console, {"action": "street_score", "street_score-score": "92"})
    assert r.status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.street_score == Decimal("92") and evaluation.grade == "excellent"
    assert "优秀" in client.get(console).content.decode()
    assert AuditEntry.objects.filter(action="projects.evaluation").count() == 3
    # graded: the self-report and the exchanges stay as they were graded
    client.force_login(cast["first"])
    page = client.get(phone).content.decode()
    assert "优秀" in page and 'data-testid="self-report-form"' not in page
    r = client.post(phone, {"action": "self_report", "self_report": "改写"})
    assert r.status_code == 400 and "已完成考评" in r.content.decode()
    assert Evaluation.objects.get().self_report == "全年完成承诺事项两项。"


def test_the_console_lists_the_commitments_of_the_scope(
    client, cast, django_assert_max_num_queries
):
    c = commit(cast)
    for i in range(5):
        services.commitment_save(
            by=cast["secretary"],
            person=cast[["worker", "secretary", "street", "street2", "district"][i]],
            place=cast["community"],
            kind="secretary",
            year=YEAR,
            letter="承诺",
            tasks="任务",
        )
    url = reverse("projects:commitments")
    for who, status, seen in (
        ("street", 200, True),
        ("secretary", 200, True),
        ("district", 200, True),
        ("outsider", 200, False),
        ("first", 403, False),
        ("alice", 403, False),
    ):
        client.force_login(cast[who])
        r = client.get(url)
        assert r.status_code == status, who
        if status == 200:
            table = r.content.decode().split('data-testid="commitments"')[1]
            assert ("李第一书记" in table) is seen, who
    client.force_login(cast["street"])
    with django_assert_max_num_queries(12):
        r = client.get(url)
    assert len(re.findall(r'href="/console/projects/commitments/\d+/"', r.content.decode())) == 6
    assert client.get(url + f"?year={YEAR - 1}").content.decode().count("李第一书记") == 0
    client.force_login(cast["outsider"])
    assert client.get(reverse("projects:commitment", args=[c.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_staff_record_an_exchange_on_the_console(client, cast):
    c = commit(cast)
    url = reverse("projects:commitment", args=[c.pk])
    client.force_login(cast["street"])
    r = client.post(url, {"action": "exchange", "quarter": 3, "held_on": f"{YEAR}-01-05"})
    assert r.status_code == 400 and not Exchange.objects.exists()
    quarter, day = past_day_of_this_year()
    r = client.post(
        url,
        {"action": "exchange", "quarter": quarter, "held_on": day.isoformat(), "summary": "座谈"},
    )
    assert r.status_code == 302 and Exchange.objects.get().summary == "座谈"


def test_the_commitment_pages_in_english(client, cast):
    c = commit(cast)
    client.cookies["django_language"] = "en"
    client.force_login(cast["street"])
    page = client.get(reverse("projects:commitments")).content.decode()
    assert "Commitments and evaluation" in page and "First secretary" in page
    page = client.get(reverse("projects:commitment", args=[c.pk])).content.decode()
    assert "Quarterly exchange" in page and "Year-end evaluation" in page
    client.force_login(cast["first"])
    page = client.get(reverse("projects_m:commitment", args=[c.pk])).content.decode()
    assert "Commitment letter" in page and "Self-report" in page
    page = client.get(reverse("projects_m:commitments")).content.decode()
    assert "My commitments" in page
    for text in ("承诺书", "季度交流", "述职报告"):
        assert text not in page
