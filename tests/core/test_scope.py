"""core.scope: the one helper that resolves what a request names through what the actor sees."""

import pytest
from django.utils import translation

from jiceng.core.errors import NotFound
from jiceng.core.scope import covers, visible_or_404
from jiceng.geo.models import Division


def test_covers_is_a_prefix_rule():
    assert covers(["360602001"], "360602001002")
    assert covers(["360602001"], "360602001")
    assert not covers(["360602001"], "360602002001")
    assert not covers([], "360602")
    assert not covers(["360602"], "")


@pytest.mark.django_db
def test_outside_the_set_missing_malformed_and_huge_ids_read_alike():
    inside = Division.objects.create(code="360602001", name="甲街道", level="street")
    outside = Division.objects.create(code="360602002", name="乙街道", level="street")
    visible = Division.objects.filter(code__startswith="360602001")
    assert visible_or_404(visible, pk=inside.pk) == inside
    messages = set()
    for value in (outside.pk, 10**6, "abc", 2**63, -(2**63) - 1, None):
        with pytest.raises(NotFound) as refused:
            visible_or_404(visible, pk=value)
        messages.add(refused.value.message)
    assert len(messages) == 1


@pytest.mark.django_db
def test_not_found_reads_in_the_users_language():
    with translation.override("en"), pytest.raises(NotFound) as refused:
        visible_or_404(Division.objects.none(), pk=1)
    assert refused.value.message == "Not found, or outside what you may see."
