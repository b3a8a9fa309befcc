"""Time-driven work of the contracts package (see procurement/core/scheduler.py).

A contract waits on time (its ``next_check_at``): the signing deadline (flagged once
when overdue), the contract notice (published by the sweep on its last day if the
officer has not) and the filing (flagged once when overdue). A progress report waits on its due day (flagged
once when overdue); a running contract without a report schedule gets the default one. An
evaluation in rectification waits on its deadline (flagged once when overdue). A social
worker's registration waits on its reminder before it expires (issue 15 §1); rows written
without a check are armed hourly.
"""

from __future__ import annotations

from contracts.assessments import due as assessments
from contracts.delivery import due as delivery
from contracts.lifecycle import signing as lifecycle
from contracts.payments import due as payments
from contracts.staffing import expiry as staffing
from procurement.core.scheduler import SweepRegistry


def register(registry: SweepRegistry) -> None:
    registry.register("contracts.lifecycle_due", lifecycle.CONTRACT_DUE, interval_seconds=600)
    registry.register("contracts.delivery_due", delivery.REPORT_DUE, interval_seconds=600)
    registry.register("contracts.delivery_schedules", delivery.ensure_schedules, interval_seconds=3600)
    registry.register("contracts.payments_due", payments.PAYMENT_DUE, interval_seconds=600)
    registry.register("contracts.staffing_due", staffing.WORKERS_DUE, interval_seconds=3600)
    registry.register("contracts.staffing_armed", staffing.arm_missing, interval_seconds=3600)
    registry.register("contracts.payments_rows", payments.ensure_payments, interval_seconds=3600)
    registry.register("contracts.assessments_rectification_due", assessments.RECTIFICATION_DUE, interval_seconds=600)
    registry.register("contracts.assessments_rectification_checks", assessments.ensure_checks, interval_seconds=3600)
