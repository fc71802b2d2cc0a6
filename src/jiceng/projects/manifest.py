"""What projects gives the shared surfaces: the console pages (项目与督查), the phone pages, the
API, the links on the member and resident homes, the card on a community's public page, the
to-dos (reports due, rectification items to close or verify), the report photos' and
rectification photos' folders, the audit labels, the indicators (projects on time,
rectification closed on time), the warnings (late reports, open rectification items) and the
projects ledger; fund lines, allocations and spending (manifest_funds)."""

from __future__ import annotations

from jiceng.projects import manifest_funds  # noqa: F401  (fund lines, allocations, spending)
from jiceng.projects.manifest_progress import register_progress_side

register_progress_side()
