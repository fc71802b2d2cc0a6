"""The record-book registration: a book's key is taken once, its period is one the reports app
can lay out, and the list comes back in the declared order."""

import pytest

from jiceng.core.registry import (
    MONTH,
    BookColumn,
    RecordBook,
    record_book,
    record_books,
    register_record_book,
    unregister_record_book,
)


def _rows_a(user, code, start, end):
    yield ("一",)


def _rows_b(user, code, start, end):
    yield ("二",)


def _book(key, rows=_rows_a, period=MONTH, order=100):
    return RecordBook(
        key=key,
        title="测试台账",
        levels=frozenset({"community"}),
        columns=(BookColumn("name", "姓名"),),
        rows=rows,
        roles=frozenset({"community_staff"}),
        period=period,
        order=order,
    )


@pytest.fixture
def cleanup():
    keys = []
    yield keys
    for key in keys:
        unregister_record_book(key)


def test_a_book_is_listed_in_its_order_and_found_by_key(cleanup):
    cleanup += ["t.late", "t.early"]
    register_record_book(_book("t.late", order=999))
    register_record_book(_book("t.early", order=-1))
    keys = [b.key for b in record_books()]
    assert keys.index("t.early") < keys.index("t.late")
    assert record_book("t.early").columns[0].label == "姓名"


def test_a_key_taken_by_another_book_is_refused(cleanup):
    cleanup.append("t.same")
    register_record_book(_book("t.same"))
    register_record_book(_book("t.same"))  # the same declaration again (a re-import) is fine
    with pytest.raises(ValueError, match="registered twice"):
        register_record_book(_book("t.same", rows=_rows_b))


def test_a_period_the_reports_cannot_lay_out_is_refused():
    with pytest.raises(ValueError, match="period"):
        register_record_book(_book("t.week", period="week"))
    assert record_book("t.week") is None
