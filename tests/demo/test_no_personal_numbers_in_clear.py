"""No mobile or citizen ID number is stored in clear anywhere: the demo district (which fills
every app: register, cases, party, services, venues) is built, then every text column of every
table is read raw and searched for the two patterns. A hit names table.column."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from jiceng.core.fields import FERNET_PREFIX
from jiceng.core.personal import ID_CHECK_CHARS, id_check_char
from jiceng.demo.builder import build_demo

pytestmark = pytest.mark.django_db

# 11 digits, 1 then 3-9, not part of a longer number (division codes, case numbers)
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
# GB 11643: 18 characters, the last a check digit or X
ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
TEXT_TYPES = {
    "CharField",
    "TextField",
    "JSONField",
    "SlugField",
    "EmailField",
    "GenericIPAddressField",
}
HEX_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def _id_numbers(text: str) -> list[str]:
    """18-character runs whose check character is right (GB 11643): real ID numbers."""
    return [
        m
        for m in ID_NUMBER.findall(text)
        if m[17].upper() in ID_CHECK_CHARS and id_check_char(m[:17]) == m[17].upper()
    ]


def _text_columns() -> list[tuple[str, str]]:
    introspection = connection.introspection
    columns = []
    with connection.cursor() as cursor:
        for table in introspection.table_names(cursor):
            for col in introspection.get_table_description(cursor, table):
                kind = introspection.get_field_type(col.type_code, col)
                if kind in TEXT_TYPES:
                    columns.append((table, col.name))
    return columns


def clear_personal_numbers() -> dict[str, str]:
    """table.column -> an example of a mobile or ID number found in clear there."""
    hits: dict[str, str] = {}
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(f"SELECT {qn(column)} FROM {qn(table)} WHERE {qn(column)} IS NOT NULL")
            for (value,) in cursor.fetchall():
                text = value if isinstance(value, str) else str(value)
                if text.startswith(FERNET_PREFIX) or HEX_DIGEST.match(text):
                    continue  # an encrypted value or a lookup hash
                found = MOBILE.findall(text) or _id_numbers(text)
                if found:
                    hits[f"{table}.{column}"] = found[0]
                    break
    return hits


def test_the_scan_finds_a_number_left_in_clear():
    # the scan itself can fail: a number in a plain column is found and named
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE scan_probe (note varchar(200))")
        cursor.execute(
            "INSERT INTO scan_probe VALUES ('请回电 13800138000，身份证 11010519491231002X')"
        )
    try:
        assert clear_personal_numbers() == {"scan_probe.note": "13800138000"}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE scan_probe")
    assert _id_numbers("身份证 11010519491231002X") == ["11010519491231002X"]
    assert _id_numbers("110105194912310021") == []  # wrong check digit: not an ID number


def test_a_filled_database_holds_no_mobile_or_id_number_in_clear():
    build_demo(residents=200)
    assert clear_personal_numbers() == {}
