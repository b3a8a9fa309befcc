"""Time-driven work of evaluations (issue 15 §1; see procurement/core/scheduler.py): an
evaluation not finished is reminded once, 3 days before its due day at 09:00 Beijing, to
the agency's evaluators and, while the self-assessment is missing, the provider's members.
A reminder that would come after the due day (the scheduler was down) is not sent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from contracts.assessments.states import STAGE_LABELS, AssessmentStatus
from contracts.assessments.tables import Assessment
from contracts.lifecycle.tables import Contract
from procurement.accounts import services as accounts
from procurement.core import clock
from procurement.core.actors import Role
from procurement.core.notify import notify
from procurement.core.scheduler import Due, DueSweep

REMINDER_DAYS = 3
REMINDER_HOUR = 9  # Beijing
PENDING = (AssessmentStatus.ASSIGNED, AssessmentStatus.SELF_ASSESSED)


def reminder_at(due_on: date) -> datetime:
    return clock.to_utc(datetime.combine(due_on - timedelta(days=REMINDER_DAYS), time(REMINDER_HOUR)))


def next_check(status: str, due_on: date, reminded_at: datetime | None, now: datetime) -> datetime | None:
    """The reminder's moment while the evaluation is pending and not yet reminded, and its
    due day has not passed; nothing otherwise."""
    if status not in PENDING or reminded_at is not None or now >= clock.after_local_day(due_on):
        return None
    return reminder_at(due_on)


async def check_due(assessment_id: int) -> Due:
    """Remind once (re-checks the row, so running twice does no harm)."""
    row = await Assessment.select().where(Assessment.id == assessment_id).first()
    if row is None:
        return Due(False, None)
    now = clock.now()
    moment = next_check(row["status"], row["due_on"], row["due_reminded_at"], now)
    if moment is None or moment > now:
        return Due(False, moment)
    await Assessment.update({Assessment.due_reminded_at: now}).where(Assessment.id == assessment_id)
    contract = (
        await Contract.select(Contract.id, Contract.title, Contract.number, Contract.provider)
        .where(Contract.id == row["contract"])
        .first()
    )
    if contract is None:
        return Due(True, None)
    recipients = await accounts.active_user_ids(row["agency"], Role.EVALUATOR)
    if row["status"] == AssessmentStatus.ASSIGNED:
        recipients += await accounts.active_user_ids(contract["provider"], Role.ORG_MEMBER)
    await notify(
        "assessment.due",
        recipients,
        {
            "title": contract["title"],
            "number": contract["number"],
            "stage": STAGE_LABELS[row["stage"]],
            "due": f"{row['due_on']:%Y-%m-%d}",
            "link": f"/contracts/{contract['id']}/assessments/{assessment_id}",
        },
    )
    return Due(True, None)


ASSESSMENT_DUE = DueSweep("contracts.assessments_due", Assessment, check_due)


async def arm_missing() -> int:
    """Evaluations written without a check (before issue 15, the demo) get one: idempotent."""
    now = clock.now()
    rows = await Assessment.select(Assessment.id, Assessment.status, Assessment.due_on).where(
        Assessment.next_check_at.is_null()
        & Assessment.due_reminded_at.is_null()
        & Assessment.status.is_in(list(PENDING))
    )
    armed = 0
    for row in rows:
        moment = next_check(row["status"], row["due_on"], None, now)
        if moment is not None:
            await Assessment.update({Assessment.next_check_at: moment}).where(
                (Assessment.id == row["id"]) & Assessment.next_check_at.is_null()
            )
            armed += 1
    return armed
