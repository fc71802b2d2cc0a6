"""The dashboard's records: indicator snapshots and the editable classification
(``indicators.py``), the warning centre and the demonstration sites (``warnings.py``,
``sites.py``)."""

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
    "DemoSite",
    "DemoSitePhoto",
    "Severity",
    "SiteDomain",
    "SiteLevel",
    "Warning",
    "WarningEvent",
]
