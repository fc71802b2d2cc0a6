"""What party gives the shared surfaces: its figures, and (in scoring.py) its point sources."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.registry import register_figure, register_uploads
from jiceng.party.models import Member, Registration
from jiceng.party.permissions import visible_meetings
from jiceng.party.scoring import POINT_SOURCES  # noqa: F401 - declared here for the reader


def _members(scopes: list[str]) -> int:
    return Member.objects.within(*scopes).filter(is_active=True).count()


def _registered(scopes: list[str]) -> int:
    return Registration.objects.within(*scopes).filter(status="approved").count()


register_figure("party.members", _("党员"), _members)
register_figure("party.registered", _("双报到"), _registered)


def _may_see_meeting_photo(user, name: str) -> bool:
    """A meeting's photos show to whoever may open the meeting's record."""
    return visible_meetings(user).filter(photos__image=name).exists()


register_uploads("meetings/", _may_see_meeting_photo)
