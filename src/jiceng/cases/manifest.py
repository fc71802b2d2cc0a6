"""What cases gives the shared surfaces: who may see its uploaded photos."""

from __future__ import annotations

from jiceng.cases.models import CasePhoto
from jiceng.cases.selectors import case_for
from jiceng.core.errors import NotFound
from jiceng.core.registry import register_uploads


def _may_see_photo(user, name: str) -> bool:
    """A case's photo shows to whoever may open the case's page (the same rule, in one place)."""
    for number in CasePhoto.objects.filter(image=name).values_list("case__number", flat=True):
        try:
            case_for(user=user, number=number)
        except NotFound:
            continue
        return True
    return False


register_uploads("cases/", _may_see_photo)
