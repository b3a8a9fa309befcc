"""Pure helpers of the benchmark: percentiles, wrk's summary, the verdict of a
figure against its goal and the printed table (tested in tests/unit)."""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from procurement.benchmark.goals import GOALS

WRK_MARK = "BENCH "


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of unsorted samples."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Load:
    """One run of the load generator: counts, throughput and latency."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def parse_wrk(output: str) -> Load:
    """The line our Lua ``done()`` prints (``BENCH {json}``) from wrk's output."""
    for line in output.splitlines():
        if line.startswith(WRK_MARK):
            data = json.loads(line[len(WRK_MARK) :])
            errors = sum(int(data[k]) for k in ("connect", "read", "write", "status", "timeout"))
            return Load(
                requests=int(data["requests"]),
                seconds=int(data["duration_us"]) / 1e6,
                errors=errors,
                p50_ms=float(data["p50_us"]) / 1000,
                p99_ms=float(data["p99_us"]) / 1000,
            )
    raise ValueError("wrk printed no summary line: " + output[-500:])


def median_pair(pairs: Sequence[tuple[Load, Load]]) -> tuple[Load, Load, float]:
    """The pair whose project ÷ bare ratio (req/s) is the median (the lower middle one
    of an even count), with that ratio."""
    if not pairs:
        raise ValueError("no pairs")
    rated = sorted(((p.rps / b.rps if b.rps else 0.0), i) for i, (p, b) in enumerate(pairs))
    value, index = rated[(len(rated) - 1) // 2]
    project, bare = pairs[index]
    return project, bare, value


@dataclass(frozen=True)
class Row:
    """One line of the table. ``value`` is what the goal ``key`` judges (None: not measured)."""

    figure: str
    size: str
    project: str
    bare: str
    value: float | None
    key: str | None
    shown: str = ""  # how the value is printed; a ratio with 2 decimals when empty


def verdict(row: Row) -> str:
    """pass, FAIL (below the goal) or FAIL½ (below half the goal: what CI refuses); '' when no goal."""
    if row.key is None:
        return ""
    if row.value is None:
        return "n/a"
    goal = GOALS[row.key]
    if goal.met(row.value):
        return "pass"
    return "FAIL" if goal.half_met(row.value) else "FAIL½"


def below_half(rows: Sequence[Row]) -> list[Row]:
    return [r for r in rows if verdict(r) == "FAIL½"]


def refused(rows: Sequence[Row], not_yet: Collection[str]) -> list[Row]:
    """What CI refuses: a figure below half its goal that is not on the list of figures
    the code has not yet brought to half (``goals.NOT_YET_HALF``)."""
    return [r for r in below_half(rows) if r.key not in not_yet]


def reached_half(rows: Sequence[Row], not_yet: Collection[str]) -> list[Row]:
    """Figures on that list that now reach half their goal: take them off it."""
    return [r for r in rows if r.key in not_yet and verdict(r) in ("pass", "FAIL")]


def width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def format_table(rows: Sequence[Row]) -> str:
    header = ("figure", "data", "project", "bare", "project÷bare", "goal", "")
    lines = [header]
    for r in rows:
        value = r.shown or ("" if r.value is None else f"{r.value:.2f}")
        goal = GOALS[r.key].text if r.key else ""
        lines.append((r.figure, r.size, r.project, r.bare, value, goal, verdict(r)))
    widths = [max(width(line[i]) for line in lines) for i in range(len(header))]
    right = {2, 3, 4}
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(pad(c, widths[i], i in right) for i, c in enumerate(line)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def rps(load: Load) -> str:
    return f"{load.rps:,.0f}/s" if load.rps >= 10 else f"{load.rps:.2f}/s"


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"
