"""What the dashboard gives the shared surfaces."""

# First: the map's URLs must be mounted before the dashboard's "<code>/" (manifest_map.py).
from jiceng.dashboard import manifest_map  # noqa: F401 - the map, screen, sites and warnings
