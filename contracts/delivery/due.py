"""Time-driven work of delivery tracking (see procurement/core/scheduler.py): a report
not submitted by the end of its due day is flagged once; a running contract without a
report schedule gets the default one. Both re-check the rows, so running twice does
no harm."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.delivery import rules
from contracts.delivery.services import REPORTING_STATES, contract_row, ensure_schedule, report_context
from contracts.delivery.states import ReportStatus
from contracts.delivery.tables import ProgressReport, ReportSchedule
from contracts.lifecycle.services import party_users
from contracts.lifecycle.states import Party
from contracts.lifecycle.tables import Contract
from procurement.core import audit, clock
from procurement.core.actors import SYSTEM
from procurement.core.notify import notify
from procurement.core.scheduler import Due, DueSweep, run_due
from procurement.settings import get_settings


async def check_due(report_id: int) -> Due:
    """A report coming due (``PROCUREMENT_REPORT_REMINDER_DAYS`` before its due day) is
    announced to the provider's members once; one not submitted by the end of its due day
    (Beijing) is flagged once, and they are told. Re-checks the row, so running twice does
    no harm."""
    row = await ProgressReport.select().where(ProgressReport.id == report_id).first()
    if row is None:
        return Due(False, None)
    submitted = row["first_submitted_at"] is not None
    flagged = row["overdue_at"] is not None
    now = clock.now()
    if submitted or flagged or row["status"] != ReportStatus.DUE:
        return Due(False, None)
    if not rules.is_overdue(row["due_on"], submitted, now):
        return await _remind(row, now)
    contract = await contract_row(row["contract"])
    if contract is None or contract["status"] not in REPORTING_STATES:
        return Due(False, None)  # a contract no longer running owes no report
    await ProgressReport.update({ProgressReport.overdue_at: now}).where(ProgressReport.id == report_id)
    await audit.record(
        "progress_report.overdue",
        "contract_report",
        report_id,
        actor=SYSTEM,
        after={"contract_id": row["contract"], "seq": row["seq"], "due_on": row["due_on"].isoformat()},
    )
    await notify("contract.report_overdue", await party_users(contract, Party.PROVIDER), report_context(contract, row))
    return Due(True, None)


async def _remind(row: dict[str, Any], now: datetime) -> Due:
    """Issue 15 §3 "a report due": once, by a conditional update of ``reminded_at``."""
    days = get_settings().report_reminder_days
    reminded = row["reminded_at"] is not None
    if not rules.reminder_due(row["due_on"], False, reminded, days, now):
        return Due(False, rules.next_check(row["due_on"], False, False, remind_days=days, reminded=reminded))
    contract = await contract_row(row["contract"])
    if contract is None or contract["status"] not in REPORTING_STATES:
        return Due(False, None)  # a contract no longer running owes no report
    marked = (
        await ProgressReport.update({ProgressReport.reminded_at: now})
        .where((ProgressReport.id == row["id"]) & ProgressReport.reminded_at.is_null())
        .returning(ProgressReport.id)
    )
    if marked:
        await audit.record(
            "progress_report.reminded",
            "contract_report",
            row["id"],
            actor=SYSTEM,
            after={"contract_id": row["contract"], "seq": row["seq"], "due_on": row["due_on"].isoformat()},
        )
        await notify("contract.report_due", await party_users(contract, Party.PROVIDER), report_context(contract, row))
    return Due(bool(marked), rules.next_check(row["due_on"], False, False))


REPORT_DUE = DueSweep("contracts.delivery_due", ProgressReport, check_due)


async def run_due_reports() -> int:
    """Sweep: every report whose ``next_check_at`` has passed."""
    return await run_due(REPORT_DUE)


async def ensure_schedules() -> int:
    """Sweep: the default monthly schedule for every running contract without one (a
    catch-up: activation makes it through ``contract.activated``). Idempotent."""
    made = 0
    have = {r["contract"] for r in await ReportSchedule.select(ReportSchedule.contract)}
    running = await Contract.select(Contract.id).where(Contract.status.is_in(list(REPORTING_STATES)))
    for item in running:
        if item["id"] not in have:
            contract = await contract_row(item["id"])
            if contract is not None:
                made += await ensure_schedule(contract)
    return made
