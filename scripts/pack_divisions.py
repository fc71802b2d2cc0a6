"""Pack the national statistical division data (2023) into the package, compressed.

    python3 scripts/pack_divisions.py ../shared/data/divisions

writes ``src/jiceng/geo/data/divisions-2023/``: ``areas.csv.xz`` (provinces, cities and
county-level divisions: code, name) and one ``<province>.csv.xz`` per province (its streets,
communities and villages: code, name). A district's setup reads only its province's file.
"""

from __future__ import annotations

import csv
import gzip
import lzma
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/jiceng/geo/data/divisions-2023"


def _rows(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _write(path: Path, rows: list[tuple[str, str]]) -> None:
    with lzma.open(path, "wt", encoding="utf-8", newline="", preset=9 | lzma.PRESET_EXTREME) as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(sorted(rows))


def main(source: str) -> None:
    src = Path(source)
    OUT.mkdir(parents=True, exist_ok=True)
    upper = [(r["code"], r["name"]) for r in _rows(src / "provinces.csv")]
    upper += [(r["code"], r["name"]) for r in _rows(src / "cities.csv")]
    upper += [(r["code"], r["name"]) for r in _rows(src / "areas.csv")]
    _write(OUT / "areas.csv.xz", upper)
    by_province: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name in ("streets.csv", "villages.csv.gz"):
        for r in _rows(src / name):
            by_province[r["code"][:2]].append((r["code"], r["name"]))
    for province, rows in by_province.items():
        _write(OUT / f"{province}.csv.xz", rows)
    print(f"{len(upper)} upper rows, {sum(map(len, by_province.values()))} lower rows")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/divisions")
