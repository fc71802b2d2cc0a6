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
from jiceng.dashboard.models.sites import (
    DOMAIN_COLOURS,
    DemoSite,
    DemoSitePhoto,
    SiteDomain,
    SiteLevel,
)
from jiceng.dashboard.models.warnings import Severity, Warning, WarningEvent

__all__ = [
    "DOMAIN_COLOURS",
    "Category",
    "DemoSite",
    "DemoSitePhoto",
    "Domain",
    "IndicatorFiling",
    "PeriodKind",
    "Severity",
    "SiteDomain",
    "SiteLevel",
    "Snapshot",
    "Warning",
    "WarningEvent",
]
