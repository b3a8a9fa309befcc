"""How much the benchmark does: the default run (a few minutes) and ``--quick`` (CI)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    sizes: tuple[int, ...]  # notices, smallest first; the other pages are measured at the largest
    pairs: int  # project/bare pairs per ratio (the median is kept)
    seconds: float  # one wrk run
    mixed: int  # requests before reading the app's resident memory
    mixed_seconds: float  # ... or this long at most
    downloads: int  # repeated PDF downloads
    sweep: int  # due transitions in one sweep (PostgreSQL)
    sweep_seconds: float  # ... stopped after this long (the figure is then extrapolated)
    ranking: tuple[int, int, int] = (200, 7, 12)  # bids, members, criteria
    workers: int = 1  # procurement serve --workers, for the project and the bare app alike


DEFAULT = Scale(
    sizes=(1_000, 10_000, 100_000),
    pairs=3,
    seconds=2,
    mixed=10_000,
    mixed_seconds=30,
    downloads=20,
    sweep=10_000,
    sweep_seconds=30,
)
QUICK = Scale(
    sizes=(1_000, 10_000), pairs=1, seconds=1, mixed=1_000, mixed_seconds=10, downloads=5, sweep=1_000, sweep_seconds=10
)


def label(n: int) -> str:
    """1000 → 1k, 100000 → 100k."""
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)
