"""core.fields.EncryptedPhoneField: the one declaration of an encrypted phone number."""

from __future__ import annotations

import pytest
from django.db import connection, models

from jiceng.cases.models import Case
from jiceng.core.fields import EncryptedCharField, EncryptedPhoneField, lookup_hash
from jiceng.registry.models import Person
from jiceng.venues.models import Booking, Venue

PHONES = [
    (Case, "contact_phone"),
    (Person, "phone"),
    (Venue, "contact_phone"),
    (Booking, "contact_phone"),
]


@pytest.mark.parametrize(("model", "name"), PHONES)
def test_every_phone_is_the_one_field_hashed_beside_it(model, name):
    field = model._meta.get_field(name)
    assert isinstance(field, EncryptedPhoneField)
    assert field.hash_field == f"{name}_hash"
    assert field.hash_kind == "phone"
    assert field.null and field.blank
    assert isinstance(model._meta.get_field(field.hash_field), models.CharField)


def test_the_field_deconstructs_as_the_encrypted_char_field_it_was():
    field = Venue._meta.get_field("contact_phone")
    _name, path, _args, kwargs = field.deconstruct()
    assert path == "jiceng.core.fields.EncryptedCharField"
    assert kwargs["max_length"] == 20 and kwargs["null"] and kwargs["blank"]
    assert Case._meta.get_field("contact_phone").deconstruct()[3]["max_length"] == 11


def test_a_named_hash_field_wins_over_the_default():
    field = EncryptedPhoneField("电话", hash_field="other_hash")
    assert field.hash_field == "other_hash"
    assert isinstance(field, EncryptedCharField)


def test_the_hash_is_of_the_normal_form_of_a_mobile_number():
    field = Booking._meta.get_field("contact_phone")
    assert field.hash_of("+86 138 0013 8000") == field.hash_of("13800138000")
    assert field.hash_of("13800138000") == lookup_hash("phone", "13800138000")


@pytest.mark.django_db
def test_a_saved_phone_is_encrypted_with_its_hash_beside(places):
    from tests.registry.conftest import make_person

    person = make_person(places["grid1"], phone="13800138000")
    person.refresh_from_db()
    assert person.phone == "13800138000"
    assert person.phone_hash == lookup_hash("phone", "13800138000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM registry_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert "13800138000" not in stored
