"""Overdue rectification (整改, issue 14 §3, rule 32): an evaluation whose rectification
deadline passed without the provider's rectification report is flagged once by a due
sweep (``next_check_at``: the end of the deadline day, Beijing time), with an audit row,
and the buyer's officers and the provider's members are told.

What follows is the officer's call, not the system's: rule 32 says a 不合格 "may"
terminate the project, and a missed rectification deadline is not itself a grade. So
the sweep only flags and tells (conservative); the officer may then terminate the
contract through the lifecycle's existing termination, and the provider may still report
its rectification late (the flag stays on record, the report is marked late in the audit).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from contracts.assessments.states import STAGE_LABELS, AssessmentStatus
from contracts.assessments.tables import Assessment
from contracts.delivery import services as delivery
from contracts.lifecycle.services import party_users
from contracts.lifecycle.states import Party
from procurement.core import audit, clock
from procurement.core.actors import SYSTEM
from procurement.core.i18n import N_
from procurement.core.notify import NOTIFICATIONS, notify
from procurement.core.scheduler import Due, DueSweep, run_due

EVENT = "assessment.rectification_overdue"

NOTIFICATIONS.update(
    {
        EVENT: {
            "title": N_("整改逾期未报：{title}"),
            "body": N_(
                "合同「{title}」（编号 {number}）的{stage}要求于 {due} 前报送整改情况，至今未报，已逾期。"
                "请服务机构尽快报送；采购人可依合同约定处理。"
            ),
        },
    }
)


def overdue_from(due_on: date) -> datetime:
    """The instant a rectification due on ``due_on`` is overdue: the end of that day in Beijing."""
    return clock.after_local_day(due_on)


def is_overdue(due_on: date | None, reported: bool, now: datetime) -> bool:
    """Not reported by the end of its deadline day (Beijing time); the deadline day itself is on time."""
    return due_on is not None and not reported and now >= overdue_from(due_on)


def next_check(due_on: date | None, reported: bool, flagged: bool) -> datetime | None:
    """When the sweep looks at an evaluation in rectification: once, when it falls overdue."""
    if due_on is None or reported or flagged:
        return None
    return overdue_from(due_on)


def message_context(contract: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": contract["title"],
        "number": contract["number"],
        "stage": str(STAGE_LABELS[row["stage"]]),
        "due": f"{row['rectification_due_on']:%Y-%m-%d}",
        "link": f"/contracts/{contract['id']}/assessments/{row['id']}",
    }


async def check_due(assessment_id: int) -> Due:
    """Flag an evaluation in rectification whose deadline day has ended without the report,
    once (a conditional update), and tell both parties. Re-checks the row, so running twice
    does no harm and notifies once."""
    row = await Assessment.select().where(Assessment.id == assessment_id).first()
    if row is None or row["status"] != AssessmentStatus.RECTIFYING:
        return Due(False, None)
    reported = row["rectification_reported_at"] is not None
    flagged = row["rectification_overdue_at"] is not None
    now = clock.now()
    if reported or flagged:
        return Due(False, None)
    if not is_overdue(row["rectification_due_on"], reported, now):
        return Due(False, next_check(row["rectification_due_on"], reported, flagged))
    done = (
        await Assessment.update({Assessment.rectification_overdue_at: now})
        .where(
            (Assessment.id == assessment_id)
            & Assessment.rectification_overdue_at.is_null()
            & Assessment.rectification_reported_at.is_null()
            & (Assessment.status == AssessmentStatus.RECTIFYING)
        )
        .returning(Assessment.id)
    )
    if not done:
        return Due(False, None)
    contract = await delivery.contract_row(row["contract"])
    await audit.record(
        "assessment.rectification_overdue",
        "assessment",
        assessment_id,
        actor=SYSTEM,
        after={
            "contract_id": row["contract"],
            "stage": row["stage"],
            "due_on": row["rectification_due_on"].isoformat(),
        },
    )
    if contract is not None:
        recipients = await party_users(contract, Party.BUYER, Party.PROVIDER)
        await notify(EVENT, recipients, message_context(contract, row))
    return Due(True, None)


RECTIFICATION_DUE = DueSweep("contracts.assessments_rectification_due", Assessment, check_due)


async def run_due_rectifications() -> int:
    """Sweep: every evaluation whose ``next_check_at`` has passed."""
    return await run_due(RECTIFICATION_DUE)


async def ensure_checks() -> int:
    """Sweep (a catch-up): an evaluation in rectification without its check time (one that
    went into rectification before this sweep existed) gets it. Idempotent."""
    rows = await Assessment.select(Assessment.id, Assessment.rectification_due_on).where(
        (Assessment.status == AssessmentStatus.RECTIFYING)
        & Assessment.next_check_at.is_null()
        & Assessment.rectification_reported_at.is_null()
        & Assessment.rectification_overdue_at.is_null()
        & Assessment.rectification_due_on.is_not_null()
    )
    for r in rows:
        await Assessment.update(
            {Assessment.next_check_at: next_check(r["rectification_due_on"], reported=False, flagged=False)}
        ).where((Assessment.id == r["id"]) & Assessment.next_check_at.is_null())
    return len(rows)
