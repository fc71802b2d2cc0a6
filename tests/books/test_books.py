"""The record books of the existing apps: each book's rows for a place and a period hold exactly
the records of that place and period, one cell per column, no personal number in clear, no
query per row; every book is declared whole (key, Chinese title, English, roles); the dues page's
Excel is the dues book, and taking it is audited."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from jiceng.core.books import Heading, Period, masked, write_excel
from jiceng.core.registry import MONTH, QUARTER, YEAR, record_book, record_books
from tests.books.conftest import (
    APRIL,
    END,
    ID_NUMBER,
    IN,
    MAY,
    MOBILE,
    OTHER_PLACE,
    OTHER_TIME,
    START,
    _cases,
    _community,
    _deliberation,
    _party,
    _registry,
    rows,
    text_of,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
# The books of the item 1 that the apps below reports keep.
EXPECTED = {
    "cases.ledger",
    "cases.ratings",
    "party.three_meetings",
    "party.theme_days",
    "party.dues",
    "points.ledger",
    "community.volunteer_hours",
    "community.team_hours",
    "community.needs",
    "community.offers",
    "community.projects",
    "community.activities",
    "deliberation.meetings",
    "deliberation.polls",
    "deliberation.surveys",
    "registry.changes",
}
# Books of records that happen in the period (the dues ledger and the offers list are lists of
# what stands in the period: tested on their own below).
EVENT_BOOKS = sorted(EXPECTED - {"party.dues", "community.offers"})


def test_every_book_is_declared_whole():
    books = record_books()
    keys = [b.key for b in books]
    assert len(keys) == len(set(keys))
    assert set(keys) >= EXPECTED
    for book in books:
        app, _, name = book.key.partition(".")
        assert app and name, book.key
        assert book.rows.__module__.startswith(f"jiceng.{app}"), book.key
        assert CJK.search(str(book.title)), book.key
        assert book.roles, book.key
        assert book.levels and book.levels <= {"district", "street", "community", "grid"}
        assert book.period in (MONTH, QUARTER, YEAR)
        assert book.columns and len({c.key for c in book.columns}) == len(book.columns)
        with translation.override("en"):
            for text in (book.title, book.definition, *(c.label for c in book.columns)):
                assert str(text) and not CJK.search(str(text)), (book.key, str(text))
            for line in book.signatures:
                assert not CJK.search(str(line)), (book.key, str(line))


@pytest.mark.parametrize("key", EVENT_BOOKS)
def test_a_books_rows_are_the_records_of_its_place_and_period(world, key):
    places = world["places"]
    book = record_book(key)
    table = rows(key, world["secretary"], places["community"].code)
    assert table, key
    assert all(len(r) == len(book.columns) for r in table)
    text = text_of(table)
    assert IN in text
    assert OTHER_PLACE not in text and OTHER_TIME not in text
    assert MOBILE not in text and ID_NUMBER not in text
    assert not any(n in text for n in world["id_numbers"])
    # The street's book holds both communities' records of the month, and still no other month.
    street = text_of(rows(key, world["secretary"], places["street"].code))
    assert IN in street and OTHER_PLACE in street and OTHER_TIME not in street
    # April's book holds April's records.
    april = text_of(
        rows(key, world["secretary"], places["community"].code, APRIL.date().replace(day=1), START)
    )
    assert OTHER_TIME + "四月" in april and IN not in april


def test_the_case_ledger_shows_every_stage_and_masks_numbers(world):
    table = rows("cases.ledger", world["secretary"], world["places"]["community"].code)
    (row,) = table
    cells = dict(zip([c.key for c in record_book("cases.ledger").columns], row, strict=True))
    assert cells["reported_at"].date() == MAY.date()
    assert cells["filed_at"] < cells["dispatched_at"] < cells["handled_at"] < cells["closed_at"]
    assert cells["unit"] == f"处置单位{IN}" and cells["person"] == f"处置人{IN}"
    assert cells["place"] == "公园社区第1网格"
    assert cells["rating"] == "满意" and cells["status"] == "已评价"
    assert "139****5678" in cells["description"] and MOBILE not in cells["description"]
    assert "360602********0013" in cells["result"]


def test_the_meeting_records_count_who_came_asked_leave_or_stayed_away(world):
    (row,) = rows("party.three_meetings", world["secretary"], world["places"]["community"].code)
    assert row[5:9] == [3, 1, 1, 1]  # expected, present, on leave, absent
    assert row[9] == f"到会党员{IN}"
    assert row[10] == f"请假党员{IN}（出差{IN}）"
    assert row[11] == f"缺席党员{IN}"
    (theme,) = rows("party.theme_days", world["secretary"], world["places"]["community"].code)
    assert theme[1] == "主题党日"


def test_the_dues_ledger_lists_the_months_payers_and_payments(world):
    table = rows("party.dues", world["secretary"], world["places"]["community"].code)
    paid = {r[1]: r[5] for r in table}
    assert paid[f"到会党员{IN}"] == 20  # May's payment
    assert paid[f"到会党员{OTHER_TIME}四月"] is None  # paid for April, not May
    assert not any(OTHER_PLACE in name or "六月" in name for name in paid)  # joined in June
    assert all(len(r) == 7 for r in table)


def test_the_offers_list_is_what_stands_in_the_period(world):
    text = text_of(rows("community.offers", world["secretary"], world["places"]["community"].code))
    assert f"服务{IN}" in text and f"项目{IN}" in text
    assert f"服务{OTHER_TIME}四月" in text  # still offered in May
    assert f"项目{OTHER_TIME}四月" not in text  # April's project is not May's
    assert "六月" not in text and OTHER_PLACE not in text


def test_outcomes_and_turnouts(world):
    code = world["places"]["community"].code
    (project,) = rows("community.projects", world["secretary"], code)
    assert project[7:] == [1, 1, Decimal("2.50")]
    (poll,) = rows("deliberation.polls", world["secretary"], code)
    assert poll[5:8] == [4, 3, 75] and poll[8] == "通过"
    (survey,) = rows("deliberation.surveys", world["secretary"], code)
    assert survey[4] == 3 and str(survey[7]) == "3.67" and str(survey[8]) == "66.7"
    (hours,) = rows("community.volunteer_hours", world["secretary"], code)
    assert hours == [f"志愿者{IN}", "公园社区", 1, Decimal("2.50")] and str(hours[3]) == "2.50"


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_no_query_per_row(world, key):
    code = world["places"]["community"].code
    with CaptureQueriesContext(connection) as one:
        first = rows(key, world["secretary"], code)
    for i in range(12):
        tag = f"{IN}{i}"
        grid = world["places"]["grid1"]
        if key.startswith("cases."):
            _cases(world, tag, grid, MAY)
        elif key.startswith(("party.", "points.")):
            _party(world, tag, world["places"]["community"], grid, MAY)
        elif key.startswith("community."):
            _community(world, tag, world["places"]["community"], MAY)
        elif key.startswith("deliberation."):
            _deliberation(world, tag, world["places"]["community"], MAY)
        else:
            _registry(world, tag, grid, MAY)
    with CaptureQueriesContext(connection) as many:
        more = rows(key, world["secretary"], code)
    assert len(more) > len(first)
    assert len(many) == len(one), key


def test_rows_stream(world):
    for book in record_books():
        out = book.rows(world["secretary"], world["places"]["community"].code, START, END)
        assert iter(out) is out, book.key  # a generator, read as it is written


def excel(book, table, place: str = "测试社区") -> list[tuple]:
    """``table`` written by the one book writer, read back."""
    out = io.BytesIO()
    heading = Heading.of(book, place, Period("month", START.year, START.month))
    write_excel(book, heading, table, out)
    return list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_a_book_written_as_excel_reads_back_whole(world, key):
    book = record_book(key)
    table = rows(key, world["secretary"], world["places"]["community"].code)
    read = excel(book, table)
    assert read[0][0] == str(book.title)
    assert list(read[2]) == ["序号", *(str(c.label) for c in book.columns)]
    assert len(read) == 3 + len(table) + 2  # title, place and period, header; blank, signatures
    for n, (written, back) in enumerate(zip(table, read[3:-2], strict=True), start=1):
        assert back[0] == n
        back = back[1:]
        assert [c for c in written if isinstance(c, str) and c] == [
            c for c in back if isinstance(c, str) and c
        ]
        assert sum(1 for c in back if c not in (None, "")) == sum(
            1 for c in written if c not in (None, "")
        )


def test_free_text_numbers_are_masked():
    assert masked(f"电话{MOBILE}，身份证{ID_NUMBER}") == "电话139****5678，身份证360602********0013"
    assert masked("订单号 123456789012345678901") == "订单号 123456789012345678901"


def test_the_dues_pages_excel_is_the_dues_book_and_is_audited(client, world):
    from jiceng.core.models import AuditEntry

    code = world["places"]["community"].code
    client.force_login(world["secretary"])
    response = client.get(reverse("party:dues") + "?month=2026-05&format=xlsx")
    assert response.status_code == 200
    page = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    book = record_book("party.dues")
    place = world["places"]["community"].name
    mine = excel(book, book.rows(world["secretary"], code, START, END), place=place)
    assert page == mine
    # laid out as on paper: the title, the place and the month, numbered rows, signatures
    assert page[0][0] == "党费收缴台账"
    assert place in page[1][0] and "2026年5月" in page[1][0]
    assert page[2][:3] == ("序号", "党员编号", "姓名") and len(page) > 6
    assert [r[0] for r in page[3:-2]] == list(range(1, len(page) - 4))
    assert "经办人" in page[-1][0] and "支部书记" in page[-1][0] and "年" in page[-1][0]
    entry = AuditEntry.objects.get(action="party.dues_book")
    assert entry.actor_id == world["secretary"].pk and entry.detail["month"] == "2026-05"
    assert entry.detail["rows"] == len(page) - 5
