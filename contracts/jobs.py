"""Time-driven work of the contracts package (see procurement/core/scheduler.py).

Contracts has no time-driven work until its first aggregate (the contract)
arrives; its sweeps register here, beside the procurement package's.
"""

from __future__ import annotations

from procurement.core.scheduler import SweepRegistry


def register(registry: SweepRegistry) -> None:
    """Nothing waits on time in contracts yet."""
