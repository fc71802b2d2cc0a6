"""The dashboard's records: indicator snapshots and the editable classification
(``indicators.py``), the warning centre and the demonstration sites (``warnings.py``,
``sites.py``)."""

from jiceng.dashboard.models.indicators import (
    Category,
    Domain,
    IndicatorFiling,
    PeriodKind,
    Snapshot,
)

__all__ = ["Category", "Domain", "IndicatorFiling", "PeriodKind", "Snapshot"]
