"""Party organizations (a tree tied to a division or a partner unit), members and their
transfers, registration with communities (双报到), lead households (1+10+N), meetings with
attendance (三会一课, 主题党日), dues, and learning records.

Dues brackets and meeting frequencies are rows (``DuesRule``, ``MeetingFrequency``) loaded by a
data migration with the regulation named, so that a district can change them in the admin.
"""

from jiceng.party.models.dues import DuesPayment, DuesRule
from jiceng.party.models.meetings import (
    Attendance,
    Meeting,
    MeetingFrequency,
    MeetingKind,
    MeetingPhoto,
)
from jiceng.party.models.members import (
    LeadHousehold,
    LeadHouseholdLink,
    LinkedHousehold,
    Member,
    MemberTransfer,
    Registration,
)
from jiceng.party.models.orgs import CommitteeSeat, PartyOrg
from jiceng.party.models.records import LearningRecord, WarningNotice

__all__ = [
    "Attendance",
    "CommitteeSeat",
    "DuesPayment",
    "DuesRule",
    "LeadHousehold",
    "LeadHouseholdLink",
    "LearningRecord",
    "LinkedHousehold",
    "Meeting",
    "MeetingFrequency",
    "MeetingKind",
    "MeetingPhoto",
    "Member",
    "MemberTransfer",
    "PartyOrg",
    "Registration",
    "WarningNotice",
]
