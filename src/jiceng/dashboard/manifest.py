"""What the dashboard gives the shared surfaces."""

from jiceng.dashboard import manifest_map  # noqa: E402,F401 - the map, screen and warnings
