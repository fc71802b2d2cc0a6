"""core.personal.reveal: the one way a personal number is shown whole (register, call-back
numbers, venue phones): a reason, an audit entry, and a refusal in the reader's language."""

import pytest
from django.utils import translation

from jiceng.core.errors import UserError
from jiceng.core.models import AuditEntry
from jiceng.core.personal import reveal
from jiceng.geo.models import Division
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_number_is_shown_whole_only_with_a_reason_and_every_reading_is_audited():
    reader = UserFactory()
    place = Division.objects.create(code="360602001", name="甲街道", level="street")
    for too_short in ("", " ", "看"):
        with translation.override("en"), pytest.raises(UserError) as refused:
            reveal(by=reader, obj=place, field="phone", value="13800138000", reason=too_short,
                   action="test.reveal")  # fmt: skip
        assert refused.value.message == "Give the reason for viewing it."
    assert not AuditEntry.objects.exists()
    shown = reveal(by=reader, obj=place, field="phone", value="13800138000",
                   reason=" 回访核实 ", action="test.reveal")  # fmt: skip
    assert shown == "13800138000"
    entry = AuditEntry.objects.get()
    assert entry.action == "test.reveal" and entry.detail == {
        "field": "phone",
        "reason": "回访核实",
    }
