"""Page images of two of the demo's own record books as they are printed: the first page of the
district's case ledger (案件台账: every case of last month, the district staff's book) and of the
dues ledger (党费收缴台账) of the demo secretary's community for last month, written by the
reports app's PDF writer and rendered with poppler's `pdftoppm` (Debian's `poppler-utils`), into
`docs/screenshots/`.

    export JICENG_VAR_DIR=/tmp/jiceng-demo
    uv run jiceng demo --no-serve            # builds the demo district (SQLite under the var dir)
    uv run python scripts/book_pages.py      # writes the PNGs (and keeps the PDFs beside them)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOKS = (
    ("cases.ledger", "district_staff", "reports-book-cases-pdf-1"),
    ("party.dues", "community_secretary", "reports-book-dues-pdf-1"),
)


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from jiceng.accounts.models import RoleAssignment
    from jiceng.core.registry import record_book
    from jiceng.reports.periods import last_full
    from jiceng.reports.services import write_book

    period = last_full("month")
    out = ROOT / "docs" / "screenshots"
    keep = Path(tempfile.mkdtemp(prefix="book-pages-"))
    for key, role, name in BOOKS:
        seat = (
            RoleAssignment.objects.active()
            .filter(role=role)
            .select_related("user", "division")
            .order_by("division__code", "pk")
            .first()
        )
        if seat is None:
            print("no demo here: run `jiceng demo --no-serve` with the same JICENG_VAR_DIR first")
            return 2
        pdf = keep / f"{name}.pdf"
        rows = write_book(seat.user, record_book(key), seat.division, period, "pdf", pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "110",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(out / name),
            ],
            check=True,
        )
        print(f"{key}: {seat.division.name} {period.label()}, {rows} rows -> {out / name}.png")
    print(f"the PDFs: {keep}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
