"""A fake record book (names with rare characters, a formula-looking note) registered for the
reports tests, and the cast around our community."""

from __future__ import annotations

from datetime import date

import pytest

from jiceng.core.registry import (
    MONTH,
    BookColumn,
    RecordBook,
    register_record_book,
    unregister_record_book,
)
from tests.factories import UserFactory, user_with_role

RARE_NAMES = ("张㐂", "李𠀋", "王喆", "赵堃")
SEEN: list[tuple] = []


def fake_rows(user, code, start, end):
    """Four rows in our community, one in the neighbour's; what the book was asked is kept."""
    SEEN.append((user, code, start, end))
    data = [
        ("360602001001", name, "=1+1" if i == 0 else f"记录{i}", date(start.year, start.month, 2))
        for i, name in enumerate(RARE_NAMES)
    ] + [("360602001002", "邻居", "别处", date(start.year, start.month, 3))]
    for place, name, note, day in data:
        if place.startswith(code):
            yield (name, note, day)


FAKE = RecordBook(
    key="tests.fake",
    title="测试台账",
    levels=frozenset({"community", "street"}),
    columns=(
        BookColumn("name", "姓名", 8),
        BookColumn("note", "备注", 20),
        BookColumn("day", "日期", 10),
    ),
    rows=fake_rows,
    roles=frozenset({"community_secretary", "community_worker", "street_staff"}),
    period=MONTH,
    printed=True,
    signatures=("记录人", "审核人"),
)

PLAIN = RecordBook(
    key="tests.plain",
    title="测试名册",
    levels=frozenset({"community"}),
    columns=(BookColumn("name", "姓名", 8),),
    rows=lambda user, code, start, end: iter([("甲",), ("乙",)]),
    roles=frozenset({"community_secretary"}),
    period=MONTH,
    printed=False,
)


@pytest.fixture
def books():
    SEEN.clear()
    register_record_book(FAKE)
    register_record_book(PLAIN)
    yield {"fake": FAKE, "plain": PLAIN}
    unregister_record_book(FAKE.key)
    unregister_record_book(PLAIN.key)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def cast(places, books, var_dir):
    return {
        "places": places,
        "secretary": user_with_role(
            "community_secretary", division=places["community"], full_name="王书记"
        ),
        "worker": user_with_role("community_worker", division=places["community"]),
        "street": user_with_role("street_staff", division=places["street"]),
        "outsider": user_with_role("community_secretary", division=places["neighbour"]),
        "resident": user_with_role("resident", division=places["grid1"]),
        "nobody": UserFactory(),
    }
