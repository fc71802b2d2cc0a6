"""ID numbers and mobile numbers by RULES.md; encrypted fields, lookup hashes and key rotation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from jiceng.core.errors import UserError
from jiceng.core.fields import lookup_hashes
from jiceng.core.personal import (
    id_check_char,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_mobile,
)

RULES_EXAMPLE = "11010519491231002X"  # RULES.md "Personal data", with a valid check


def test_the_example_of_the_rules_is_valid():
    info = validate_id_number(RULES_EXAMPLE)
    assert info.birth_date == date(1949, 12, 31)
    assert info.area_code == "110105"
    assert info.gender == "female"  # sequence 002: even
    assert id_check_char(RULES_EXAMPLE[:17]) == "X"


def test_a_lower_case_x_and_spaces_are_accepted():
    assert validate_id_number(" 110105 19491231002x ").number == RULES_EXAMPLE


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("110105194912310021", "校验位错误（最后一位应为 X）"),
        ("110105194902300028", "出生日期 19490230 不存在"),
        ("110105209912310028", "不可能"),
        ("11010519491231002", "应为 18 位"),
        ("110105491231002", "15 位的旧身份证号"),
        ("11010519491231002Y", "只能由数字组成"),
        ("", "不能为空"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(value, says):
    with pytest.raises(UserError) as err:
        validate_id_number(value, today=date(2026, 11, 23))
    assert says in err.value.message


def test_mobile_numbers_follow_the_rules():
    assert validate_mobile("138 0013 8000") == "13800138000"
    assert validate_mobile("+86 139-0000-1111") == "13900001111"
    for bad in ["12800138000", "1380013800", "23800138000", "1380013800a"]:
        with pytest.raises(UserError, match="11 位"):
            validate_mobile(bad)


def test_masks_show_first_and_last_digits_only():
    assert mask_id_number(RULES_EXAMPLE) == "110105********002X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("") == ""


@pytest.fixture
def person(places):
    from tests.registry.conftest import make_person

    return make_person(places["grid1"], id_number=RULES_EXAMPLE, phone="13800138000")


def _raw(person):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_hash FROM registry_person WHERE id = %s",
            [person.pk],
        )
        return cursor.fetchone()


def test_id_and_phone_are_stored_encrypted_with_a_hash_beside(person):
    from jiceng.registry.models import Person

    raw_id, raw_phone, raw_hash = _raw(person)
    assert RULES_EXAMPLE not in raw_id and "13800138000" not in raw_phone
    assert raw_id.startswith("gAAAAA")
    assert raw_hash in lookup_hashes("id", RULES_EXAMPLE)
    again = Person.objects.get(pk=person.pk)
    assert (again.id_number, again.phone) == (RULES_EXAMPLE, "13800138000")


def test_a_wrong_key_fails_loudly_instead_of_showing_ciphertext(person, settings):
    from django.core.exceptions import ImproperlyConfigured

    from jiceng.registry.models import Person

    settings.FIELD_KEY = "another key altogether"
    with pytest.raises(ImproperlyConfigured):
        Person.objects.get(pk=person.pk)


def test_a_rotated_database_reads_back_the_same_values(places, settings):
    from jiceng.registry.models import Person
    from tests.registry.conftest import make_person

    settings.FIELD_KEY, settings.HASH_KEY = "old field key", "old hash key"
    people = [
        make_person(places["grid1"], id_number=n, phone=f"1390000{i:04d}")
        for i, n in enumerate(["11010519491231002X", "110105198001010011", "320508199912310016"])
    ]
    people.append(make_person(places["grid2"], id_number=None, phone=None))
    before = {p.pk: (p.name, p.id_number, p.phone) for p in Person.objects.all()}
    raw_before = {p.pk: _raw(p) for p in people}

    settings.FIELD_KEY, settings.FIELD_KEY_FALLBACKS = "new field key", ["old field key"]
    settings.HASH_KEY, settings.HASH_KEY_FALLBACKS = "new hash key", ["old hash key"]
    # Half-way (processes restarted, rotation not run): everything still reads and is found.
    assert {p.pk: (p.name, p.id_number, p.phone) for p in Person.objects.all()} == before
    assert Person.objects.get(id_number_hash__in=lookup_hashes("id", "110105198001010011"))

    call_command("rotate_field_key", batch=2, stdout=open("/dev/null", "w"))  # noqa: SIM115

    settings.FIELD_KEY_FALLBACKS, settings.HASH_KEY_FALLBACKS = [], []  # old keys gone
    assert Person.objects.count() == len(before)
    assert {p.pk: (p.name, p.id_number, p.phone) for p in Person.objects.all()} == before
    for p in people:
        assert _raw(p)[0] != raw_before[p.pk][0] or raw_before[p.pk][0] is None
    found = Person.objects.get(id_number_hash__in=lookup_hashes("id", "320508199912310016"))
    assert found.pk == people[2].pk
    from jiceng.core.keyrotation import rows_under_old_keys

    assert set(rows_under_old_keys().values()) == {0}


def test_deploy_check_warns_when_the_hash_key_is_left_to_each_machine(monkeypatch):
    from jiceng.core.checks import lookup_hash_key_is_set

    monkeypatch.setenv("JICENG_FIELD_KEY", "x" * 40)
    monkeypatch.delenv("JICENG_HASH_KEY", raising=False)
    assert [w.id for w in lookup_hash_key_is_set(None)] == ["jiceng.W001"]
    monkeypatch.setenv("JICENG_HASH_KEY", "y" * 40)
    assert lookup_hash_key_is_set(None) == []


def test_keys_are_derived_once_and_a_changed_key_setting_applies_at_once(
    person, settings, monkeypatch
):
    """The keys are read from the settings once per process (an import hashes and encrypts
    hundreds of thousands of values), yet a rotation made through the settings applies to the
    very next lookup and the very next value written."""
    from django.core.exceptions import ImproperlyConfigured
    from django.test import override_settings

    from jiceng.core import fields
    from jiceng.registry.models import Person

    derived: list[bytes] = []
    real = fields._derive

    def counting(secret: str, purpose: bytes) -> bytes:
        derived.append(purpose)
        return real(secret, purpose)

    monkeypatch.setattr(fields, "_derive", counting)
    fields.forget_keys()
    first = lookup_hashes("id", RULES_EXAMPLE)
    assert lookup_hashes("id", RULES_EXAMPLE) == first
    assert fields.encrypt("13800138000") != fields.encrypt("13800138000")  # a fresh IV each
    assert derived == [b"jiceng lookup hash", b"jiceng field encryption"]  # once each

    settings.HASH_KEY = "a new hash key"
    assert lookup_hashes("id", RULES_EXAMPLE) != first  # the new key, at once
    with override_settings(HASH_KEY_FALLBACKS=["an older hash key"]):
        assert len(lookup_hashes("id", RULES_EXAMPLE)) == 2
    assert len(lookup_hashes("id", RULES_EXAMPLE)) == 1  # and forgotten again on the way out

    old_key = settings.FIELD_KEY
    settings.FIELD_KEY = "a new field key"
    with pytest.raises(ImproperlyConfigured):  # read with the new key alone: loud
        Person.objects.get(pk=person.pk)
    settings.FIELD_KEY_FALLBACKS = [old_key]
    assert Person.objects.get(pk=person.pk).phone == "13800138000"  # the old key decrypts
    token = fields.encrypt("13900139000")
    settings.FIELD_KEY_FALLBACKS = []
    assert fields.field_fernet().decrypt(token.encode()) == b"13900139000"  # written new
