"""What deliberation gives the shared surfaces."""

from jiceng.deliberation import manifest_polls  # noqa: E402, F401  (polls, surveys, selections, compacts)
