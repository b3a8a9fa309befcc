"""Time-driven work of the contracts package (see procurement/core/scheduler.py).

A contract waits on time (its ``next_check_at``): the signing deadline (flagged once
when overdue), the contract notice (published by the sweep on its last day if the
officer has not) and the filing (flagged once when overdue). A progress report waits on its due day (flagged
once when overdue); a running contract without a report schedule gets the default one. An
evaluation in rectification waits on its deadline (flagged once when overdue).
"""

from __future__ import annotations

from contracts.assessments import due as assessments
from contracts.delivery import due as delivery
from contracts.lifecycle import signing as lifecycle
from contracts.payments import due as payments
from procurement.core.scheduler import SweepRegistry


def register(registry: SweepRegistry) -> None:
    registry.register("contracts.lifecycle_due", lifecycle.run_due_contracts, interval_seconds=600)
    registry.register("contracts.delivery_due", delivery.run_due_reports, interval_seconds=600)
    registry.register("contracts.delivery_schedules", delivery.ensure_schedules, interval_seconds=3600)
    registry.register("contracts.payments_due", payments.run_due_payments, interval_seconds=600)
    registry.register("contracts.payments_rows", payments.ensure_payments, interval_seconds=3600)
    registry.register(
        "contracts.assessments_rectification_due", assessments.run_due_rectifications, interval_seconds=600
    )
    registry.register("contracts.assessments_rectification_checks", assessments.ensure_checks, interval_seconds=3600)
