"""Deliberation's records: meetings, issues and the five-step decision (``meetings.py``), polls,
ballots, surveys, selections and compacts (``polls.py``)."""

from jiceng.deliberation.models.polls import *  # noqa: F403
