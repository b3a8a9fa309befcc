"""Installment gates (invariant 8): met on signing (``contract.activated``), by the
evaluation of their stage with the required grade (``assessment.finished``, with the
grade-effect settings), and on their date (the due sweep). A gate met makes the
installment due with its payment deadline (rule 35); a failed evaluation withholds it
(暂缓支付) until a passing re-evaluation after 整改."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from contracts.lifecycle.rules import after_day
from contracts.lifecycle.services import party_users
from contracts.lifecycle.states import ContractStatus, Party
from contracts.payments import rules
from contracts.payments.records import (
    SIGNED_STATES,
    S,
    contract_row,
    ensure_rows,
    grade_effects,
    installments_by_seq,
    message,
    payable_fen,
    payment_days,
    payments_by_seq,
)
from contracts.payments.states import PAYMENT_TABLE
from contracts.payments.tables import InstallmentPayment
from procurement.core import clock, db
from procurement.core.actors import SYSTEM
from procurement.core.i18n import _
from procurement.core.notify import notify
from procurement.core.transitions import apply_transition
from procurement.settings import get_settings
from procurement.tenders.schemas import Gate


async def _meet_gate(
    contract: dict[str, Any],
    inst: dict[str, Any],
    pay: dict[str, Any],
    *,
    assessment_id: int | None = None,
    score_tenths: int | None = None,
) -> None:
    """The gate is met: the installment is due, with its payment deadline (rule 35); when
    the provider need not ask, the system makes the request at once."""
    now = clock.now()
    today = clock.to_local(now).date()
    deadline = rules.payment_deadline(today, await payment_days(contract))
    await apply_transition(
        PAYMENT_TABLE,
        InstallmentPayment,
        pay["id"],
        pay["status"],
        "gate_met",
        SYSTEM,
        values={
            InstallmentPayment.gate_met_at: now,
            InstallmentPayment.due_on: today,
            InstallmentPayment.deadline_on: deadline,
            InstallmentPayment.late_at: None,
            InstallmentPayment.withheld_reason: "",
            InstallmentPayment.assessment_id: assessment_id,
            InstallmentPayment.score_tenths: score_tenths,
            InstallmentPayment.next_check_at: after_day(deadline),
            InstallmentPayment.updated_at: now,
        },
        after={"contract_id": contract["id"], "seq": pay["seq"], "deadline_on": deadline.isoformat()},
    )
    status = S.DUE
    if not get_settings().payment_provider_requests:
        await apply_transition(
            PAYMENT_TABLE,
            InstallmentPayment,
            pay["id"],
            status,
            "auto_request",
            SYSTEM,
            values={InstallmentPayment.requested_at: now, InstallmentPayment.updated_at: now},
            after={"contract_id": contract["id"], "seq": pay["seq"]},
        )
        status = S.REQUESTED
    amount = payable_fen(inst, {**pay, "status": status, "score_tenths": score_tenths})
    await notify(
        "contract.payment_due",
        await party_users(contract, Party.BUYER, Party.PROVIDER),
        message(contract, pay["seq"], amount, deadline=f"{deadline:%Y-%m-%d}"),
    )


async def _withhold(pay: dict[str, Any], reason: str, assessment_id: int | None) -> None:
    now = clock.now()
    await apply_transition(
        PAYMENT_TABLE,
        InstallmentPayment,
        pay["id"],
        pay["status"],
        "withhold",
        SYSTEM,
        values={
            InstallmentPayment.withheld_at: now,
            InstallmentPayment.withheld_reason: reason,
            InstallmentPayment.assessment_id: assessment_id,
            InstallmentPayment.next_check_at: None,
            InstallmentPayment.updated_at: now,
        },
        after={"contract_id": pay["contract"], "seq": pay["seq"], "reason": reason},
    )


async def _reinstate(inst: dict[str, Any], pay: dict[str, Any]) -> None:
    now = clock.now()
    due = inst["due_date"]
    await apply_transition(
        PAYMENT_TABLE,
        InstallmentPayment,
        pay["id"],
        pay["status"],
        "reinstate",
        SYSTEM,
        values={
            InstallmentPayment.withheld_reason: "",
            InstallmentPayment.next_check_at: date_check_at(due),
            InstallmentPayment.updated_at: now,
        },
        after={"contract_id": pay["contract"], "seq": pay["seq"]},
    )


def date_check_at(due: date | None) -> datetime | None:
    """When the sweep looks at a date-gated installment: the start of its day (Beijing)."""
    return None if due is None else after_day(due - timedelta(days=1))


async def sync_contract(contract_id: int) -> int:
    """Make the payment rows of a signed contract and meet the gates that need no
    evaluation: signing, and dates that have come. Locks the contract; idempotent;
    returns how many gates it met."""
    met = 0
    async with db.transaction():
        contract = await contract_row(contract_id, lock=True)
        if contract is None or contract["status"] not in SIGNED_STATES or contract["signed_at"] is None:
            return 0
        await ensure_rows(contract)
        today = clock.today_local()
        installments = await installments_by_seq(contract_id)
        for seq, pay in (await payments_by_seq(contract_id)).items():
            inst = installments.get(seq)
            if inst is None or pay["status"] != S.WAITING or contract["status"] == ContractStatus.TERMINATED:
                continue
            if inst["gate"] in (Gate.SIGNING, Gate.DATE) and rules.gate_met(
                inst["gate"], inst["min_grade"], signed=True, grades={}, due_date=inst["due_date"], today=today
            ):
                await _meet_gate(contract, inst, pay)
                met += 1
            elif inst["gate"] == Gate.DATE and pay["next_check_at"] is None and inst["due_date"] is not None:
                await InstallmentPayment.update(
                    {InstallmentPayment.next_check_at: date_check_at(inst["due_date"])}
                ).where(InstallmentPayment.id == pay["id"])
    return met


async def on_contract_activated(contract_id: int, **_payload: Any) -> None:
    """``contract.activated``: the signing gates are met; date gates start waiting."""
    await sync_contract(contract_id)


async def on_assessment_finished(
    contract_id: int,
    assessment_id: int,
    stage: str,
    grade: str,
    score_tenths: int,
    finished_at: Any = None,
    **_payload: Any,
) -> None:
    """``assessment.finished``: an evaluation gate is met or failed (invariant 8), with the
    grade effects of the settings; a re-evaluation after 整改 comes again for the same
    stage and the latest counts."""
    await sync_contract(contract_id)
    async with db.transaction():
        contract = await contract_row(contract_id, lock=True)
        if contract is None or contract["status"] not in SIGNED_STATES:
            return
        installments = await installments_by_seq(contract_id)
        payments = await payments_by_seq(contract_id)
        slots = [
            rules.Slot(seq, inst["gate"], inst["min_grade"], payments[seq]["status"], inst["due_date"])
            for seq, inst in installments.items()
            if seq in payments
        ]
        effects = grade_effects()
        last = max(installments) if installments else None
        reason = (
            _("中期评估不合格，暂缓支付（整改复评合格后恢复）。")
            if stage == "midterm"
            else _("终期评估未达到本期要求的等级，暂缓支付。")
        )
        for seq, action in rules.evaluation_effects(slots, stage, grade, effects, clock.today_local()).items():
            pay, inst = payments[seq], installments[seq]
            if action == "withhold":
                await _withhold(pay, reason, assessment_id)
            elif action == "reinstate":
                await _reinstate(inst, pay)
            elif contract["status"] != ContractStatus.TERMINATED:
                scaled = stage == Gate.FINAL and effects.final_scaled_by_score and seq == last
                await _meet_gate(
                    contract, inst, pay, assessment_id=assessment_id, score_tenths=score_tenths if scaled else None
                )
