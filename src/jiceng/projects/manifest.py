"""What projects gives the shared surfaces (filled in by its issue)."""

from jiceng.projects import manifest_funds  # noqa: E402, F401  (fund lines, allocations, spending)
