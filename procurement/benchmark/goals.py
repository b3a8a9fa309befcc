"""The goals of issue 11 as data, in one place: the table's pass/fail column
and the CI check (``scripts/bench --quick`` fails below half a goal) read them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Goal:
    """``at_least``: the figure must be ≥ ``target`` (a ratio, a count); otherwise ≤ (a time, a size)."""

    target: float
    at_least: bool
    text: str

    def met(self, value: float) -> bool:
        return value >= self.target if self.at_least else value <= self.target

    def half_met(self, value: float) -> bool:
        """Half the goal: a ratio at least half its target, a time or size at most twice it."""
        return value >= self.target / 2 if self.at_least else value <= self.target * 2


def ratio(target: float) -> Goal:
    return Goal(target, True, f"≥ {target:g}")


def at_most(target: float, unit: str) -> Goal:
    return Goal(target, False, f"≤ {target:g} {unit}".rstrip())


GOALS: dict[str, Goal] = {
    "notices.sqlite": ratio(0.40),  # /notices at the largest size, project ÷ bare Jinja page
    "notices.postgres": ratio(0.60),
    "notices.flat": at_most(1.5, "×"),  # page time at the largest size ÷ at the smallest
    "home": ratio(0.40),
    "tender": ratio(0.40),
    "dashboard": ratio(0.40),
    "api.notices": ratio(0.50),  # ListNotices ÷ a bare JSON handler
    "upload.16": ratio(0.50),  # 1 MB bid document ÷ a bare upload handler
    "upload.64": ratio(0.50),
    "upload.64.p99": at_most(300, "ms"),
    "upload.errors": at_most(0, ""),
    "pdf.ms": at_most(5, "ms"),  # the tender PDF downloaded again
    "pdf.304": Goal(1, True, "304"),  # 1 when a matching If-None-Match gets 304
    "login.p99": ratio(0.67),  # other pages' p99 without ÷ with 8 logins/s: unchanged within 1.5×
    "ranking.ms": at_most(50, "ms"),  # 200 bids × 7 members × 12 criteria
    "sweep.s": at_most(5, "s"),  # 10,000 due transitions, PostgreSQL
    "rss.mb": at_most(250, "MB"),  # the app process after 10,000 mixed requests
    "cold.s": at_most(2, "s"),  # `procurement serve` to the first 200 of /healthz
}


# Figures today's code does not yet bring to half their goal (issue 11 is open for them; the
# README's benchmark section gives the latest figures). CI reports them but refuses only the
# others, so every figure that has reached half its goal is held there: a change that brings
# back a table scan, a blocking call or an uncached PDF still fails the build. A figure leaves
# this set in the commit that brings it to half its goal (``scripts/bench --quick`` says which).
NOT_YET_HALF: frozenset[str] = frozenset(
    {
        "upload.16",  # reached 0.27–0.28 against 0.25 in two runs: too close to hold CI on yet
        "upload.64",
        "upload.64.p99",
        # Held by a test instead (a login hashes in its own thread, tests/integration/test_accounts_api.py):
        # on a 2-core machine where wrk takes one core the hash's CPU must come from the server's or
        # wrk's, and the figure read 0.35–0.55 with three pairs against a half of 0.335 (eighth round).
        "login.p99",
        # "sweep.s" left in the eighth round: 4.6 s in the full run, 4.7–4.8 s in quick runs (half: 10 s)
    }
)
