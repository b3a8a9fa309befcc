"""Time-driven work of an evaluation, on its one ``next_check_at``; which moment it stands
for follows from the status, so the two never meet:

- the reminder before its due day (issue 15 §1): an evaluation not finished (assigned, or
  self-assessed) is reminded once, ``REMINDER_DAYS`` before its due day at 09:00 Beijing,
  to the agency's evaluators and, while the self-assessment is missing, the provider's
  members; a reminder that would come after the due day (the scheduler was down) is not sent;
- overdue rectification (整改, issue 14 §3, rule 32): an evaluation whose rectification
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

from datetime import date, datetime, time, timedelta
from typing import Any

from contracts.assessments.states import STAGE_LABELS, AssessmentStatus
from contracts.assessments.tables import Assessment
from contracts.delivery import services as delivery
from contracts.lifecycle.services import party_users
from contracts.lifecycle.states import Party
from procurement.accounts import services as accounts
from procurement.core import audit, clock
from procurement.core.actors import SYSTEM, Role
from procurement.core.i18n import N_
from procurement.core.notify import NOTIFICATIONS, notify
from procurement.core.scheduler import Due, DueSweep, run_due

EVENT = "assessment.rectification_overdue"
REMINDER_EVENT = "assessment.due"
REMINDER_DAYS = 3
REMINDER_HOUR = 9  # Beijing
PENDING = (AssessmentStatus.ASSIGNED, AssessmentStatus.SELF_ASSESSED)

NOTIFICATIONS.update(
    {
        REMINDER_EVENT: {
            "title": N_("评估即将到期：{title}"),
            "body": N_(
                "合同「{title}」（编号 {number}）的{stage}应于 {due} 前完成。尚未提交自评的服务机构请尽快提交，评估机构请按时完成评估。"
            ),
        },
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


def reminder_check(status: str, due_on: date, reminded_at: datetime | None, now: datetime) -> datetime | None:
    """The reminder's moment while the evaluation is pending, not yet reminded, and its due
    day has not ended; None otherwise."""
    if status not in PENDING or reminded_at is not None or now >= clock.after_local_day(due_on):
        return None
    return clock.to_utc(datetime.combine(due_on - timedelta(days=REMINDER_DAYS), time(REMINDER_HOUR)))


async def remind_if_due(row: dict[str, Any]) -> Due:
    """Remind once (a conditional update claims the reminder; running twice does no harm)."""
    now = clock.now()
    moment = reminder_check(row["status"], row["due_on"], row["due_reminded_at"], now)
    if moment is None or moment > now:
        return Due(False, moment)
    claimed = (
        await Assessment.update({Assessment.due_reminded_at: now})
        .where(
            (Assessment.id == row["id"]) & Assessment.due_reminded_at.is_null() & Assessment.status.is_in(list(PENDING))
        )
        .returning(Assessment.id)
    )
    if not claimed:
        return Due(False, None)
    contract = await delivery.contract_row(row["contract"])
    if contract is None:
        return Due(True, None)
    recipients = await accounts.active_user_ids(row["agency"], Role.EVALUATOR)
    if row["status"] == AssessmentStatus.ASSIGNED:
        recipients += await party_users(contract, Party.PROVIDER)
    await notify(
        REMINDER_EVENT,
        recipients,
        {
            "title": contract["title"],
            "number": contract["number"],
            "stage": str(STAGE_LABELS[row["stage"]]),
            "due": f"{row['due_on']:%Y-%m-%d}",
            "link": f"/contracts/{contract['id']}/assessments/{row['id']}",
        },
    )
    return Due(True, None)


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
    if row is not None and row["status"] in PENDING:
        return await remind_if_due(row)
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
    # Evaluations still pending without their reminder's check (written before issue 15, the demo).
    now = clock.now()
    pending = await Assessment.select(Assessment.id, Assessment.status, Assessment.due_on).where(
        Assessment.next_check_at.is_null()
        & Assessment.due_reminded_at.is_null()
        & Assessment.status.is_in(list(PENDING))
    )
    armed = 0
    for r in pending:
        moment = reminder_check(r["status"], r["due_on"], None, now)
        if moment is not None:
            await Assessment.update({Assessment.next_check_at: moment}).where(
                (Assessment.id == r["id"]) & Assessment.next_check_at.is_null()
            )
            armed += 1
    return len(rows) + armed
