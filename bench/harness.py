"""A small benchmark harness: time named callables, report each against a reference measured
in the same run (so the figures survive a slower or busier machine), write JSON to bench/out/."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

OUT = Path(__file__).parent / "out"


def setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()


@dataclass
class Timing:
    name: str
    seconds: list[float]
    items: int = 1  # items handled per call, for throughput

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]

    @property
    def throughput(self) -> float:
        return self.items / self.median


def measure(
    name: str, fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1, items: int = 1
) -> Timing:
    for _ in range(warmup):
        fn()
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return Timing(name, seconds, items)


@dataclass
class Report:
    benchmark: str
    rows: list[dict] = field(default_factory=list)
    notes: dict = field(default_factory=dict)

    def compare(self, ours: Timing, reference: Timing, *, budget: str, passed: bool) -> None:
        self.rows.append(
            {
                "ours": ours.name,
                "reference": reference.name,
                "ours_median_s": round(ours.median, 4),
                "reference_median_s": round(reference.median, 4),
                "ours_per_s": round(ours.throughput),
                "reference_per_s": round(reference.throughput),
                "ratio": round(ours.throughput / reference.throughput, 2),
                "budget": budget,
                "passed": passed,
            }
        )

    def print(self) -> None:
        self.notes.setdefault("load average (1 min) at the end", round(os.getloadavg()[0], 2))
        print(
            f"\n{self.benchmark}  ({platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.2f})"
        )
        for row in self.rows:
            if "reference" not in row:
                continue  # absolute budgets are printed by the benchmark itself
            print(
                f"  ours   {row['ours']}: median {row['ours_median_s']} s, {row['ours_per_s']:,}/s"
            )
            print(
                f"  ref    {row['reference']}: median {row['reference_median_s']} s, "
                f"{row['reference_per_s']:,}/s"
            )
            verdict = "PASS" if row["passed"] else "FAIL"
            print(
                f"  ratio  {row['ratio']}x the reference's throughput, "
                f"{row['ours_median_s'] / row['reference_median_s']:.2f}x its time  "
                f"(budget: {row['budget']})  {verdict}"
            )
        for key, value in self.notes.items():
            print(f"  {key}: {value}")

    def save(self) -> Path:
        OUT.mkdir(exist_ok=True)
        path = OUT / f"{self.benchmark}.json"
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")
        return path


def measure_pair(
    ours: tuple[str, Callable[[], object]],
    reference: tuple[str, Callable[[], object]],
    *,
    repeat: int = 60,
    warmup: int = 3,
) -> tuple[Timing, Timing]:
    """Time two callables in alternation (ours, reference, ours, ...), so that a load that
    comes and goes on a shared machine falls on both alike."""
    for _ in range(warmup):
        ours[1]()
        reference[1]()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for fn, out in ((ours[1], a), (reference[1], b)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return Timing(ours[0], a), Timing(reference[0], b)


def gunicorn_workers() -> int:
    """As `jiceng serve` runs it by default: cores × 2 + 1."""
    return (os.cpu_count() or 1) * 2 + 1


def start_server(port: int, *, threads: int = 4) -> subprocess.Popen:
    """gunicorn with gthread workers on a loopback port, as `jiceng serve` runs it; the caller
    waits for it to answer and terminates it."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "jiceng.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(gunicorn_workers()),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        cwd=str(Path(__file__).resolve().parent.parent),
    )
