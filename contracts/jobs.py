"""Time-driven work of the contracts package (see procurement/core/scheduler.py).

A contract waits on time (its ``next_check_at``): the signing deadline (flagged once
when overdue), the contract notice (published by the sweep on its last day if the
officer has not) and the filing (flagged once when overdue).
"""

from __future__ import annotations

from contracts.lifecycle import signing as lifecycle
from procurement.core.scheduler import SweepRegistry


def register(registry: SweepRegistry) -> None:
    registry.register("contracts.lifecycle_due", lifecycle.run_due_contracts, interval_seconds=600)
