"""Projects of every kind and their money. ``projects.py``: kinds (data), the project tree,
milestones, progress, supervision, commitments and evaluations; ``funds.py``: fund lines,
allocations and spending."""

from jiceng.projects.models.funds import Allocation, FundKind, FundLine, Spending
from jiceng.projects.models.projects import Project, ProjectKind

__all__ = ["Allocation", "FundKind", "FundLine", "Project", "ProjectKind", "Spending"]
