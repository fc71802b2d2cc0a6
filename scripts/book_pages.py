"""Page images of two of the demo's own record books, as a secretary prints them: the first page
of the case ledger (案件台账) and of the 三会一课 records of the demo's first community for last
month, written by the reports app's PDF writer and rendered with poppler's `pdftoppm` (Debian's
`poppler-utils`), into `docs/screenshots/`.

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
    ("cases.ledger", "reports-book-cases-pdf-1"),
    ("party.three_meetings", "reports-book-meetings-pdf-1"),
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

    seat = (
        RoleAssignment.objects.active()
        .filter(role="community_secretary")
        .select_related("user", "division")
        .order_by("division__code", "pk")
        .first()
    )
    if seat is None:
        print("no demo here: run `jiceng demo --no-serve` with the same JICENG_VAR_DIR first")
        return 2
    period = last_full("month")
    out = ROOT / "docs" / "screenshots"
    keep = Path(tempfile.mkdtemp(prefix="book-pages-"))
    for key, name in BOOKS:
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
