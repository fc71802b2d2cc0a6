"""Deliberation's records: meetings, issues and the five-step decision (``meetings.py``), polls,
ballots, surveys, selections and compacts (``polls.py``)."""

from jiceng.deliberation.models.meetings import (
    AgendaItem,
    Category,
    Issue,
    IssueEvent,
    Matter,
    MatterStep,
    Meeting,
    MeetingKind,
    MeetingPhoto,
    Participant,
    Quorum,
    meeting_photo_path,
)

__all__ = [
    "AgendaItem",
    "Category",
    "Issue",
    "IssueEvent",
    "Matter",
    "MatterStep",
    "Meeting",
    "MeetingKind",
    "MeetingPhoto",
    "Participant",
    "Quorum",
    "meeting_photo_path",
]

from jiceng.deliberation.models.polls import *  # noqa: E402, F403
