"""Deliberation's records: meetings, issues and the five-step decision (``meetings.py``), polls,
ballots, surveys, selections and compacts (``polls.py``)."""
