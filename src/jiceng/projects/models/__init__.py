"""Projects of every kind and their money. ``projects.py``: kinds (data), the project tree;
``progress.py``: milestones, links, proposals, monthly reports; ``supervision.py``: supervision,
rectification, commitments and evaluations; ``funds.py``: fund lines, allocations and
spending."""

from jiceng.projects.models.funds import Allocation, FundKind, FundLine, Spending
from jiceng.projects.models.progress import (
    Milestone,
    ProgressReport,
    ProjectLink,
    Proposal,
    ReportPhoto,
)
from jiceng.projects.models.projects import Health, Project, ProjectKind
from jiceng.projects.models.supervision import (
    Commitment,
    Evaluation,
    Exchange,
    Rectification,
    Supervision,
)

__all__ = [
    "Allocation",
    "Commitment",
    "Evaluation",
    "Exchange",
    "FundKind",
    "FundLine",
    "Health",
    "Milestone",
    "ProgressReport",
    "Project",
    "ProjectKind",
    "ProjectLink",
    "Proposal",
    "Rectification",
    "ReportPhoto",
    "Spending",
    "Supervision",
]
