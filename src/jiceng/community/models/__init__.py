"""Community services: the three lists (needs, offers, projects), volunteer teams, activities
with sign-up and check-in, service orders (派单/接单/评单) and micro-wishes (微心愿).

Every record belongs to one community: ``scope_code`` is the community's 12-digit code.
"""

from jiceng.community.models.activities import Activity, RegistrationEvent, Signup
from jiceng.community.models.base import USER, Scoped
from jiceng.community.models.lists import (
    Need,
    NeedEvent,
    Offer,
    Project,
    TeamMember,
    VolunteerTeam,
)
from jiceng.community.models.orders import ServiceOrder, ServiceOrderEvent
from jiceng.community.models.wishes import Wish, WishEvent, wish_photo_path

__all__ = [
    "USER",
    "Activity",
    "Need",
    "NeedEvent",
    "Offer",
    "Project",
    "RegistrationEvent",
    "Scoped",
    "ServiceOrder",
    "ServiceOrderEvent",
    "Signup",
    "TeamMember",
    "VolunteerTeam",
    "Wish",
    "WishEvent",
    "wish_photo_path",
]
