"""Time-driven work of installment payments (see procurement/core/scheduler.py): a
date-gated installment becomes due on its day; a due installment not released by its
payment deadline (rule 35) is flagged late once; a signed contract without payment
rows gets them. Each re-checks its rows, so running twice does no harm."""

from __future__ import annotations

from typing import Any

from contracts.lifecycle.services import party_users
from contracts.lifecycle.states import Party
from contracts.lifecycle.tables import Contract
from contracts.payments import rules
from contracts.payments.gates import sync_contract
from contracts.payments.records import SIGNED_STATES, contract_row, installments_by_seq, message, payable_fen
from contracts.payments.states import PaymentStatus
from contracts.payments.tables import InstallmentPayment, PaymentLedger
from procurement.accounts import services as accounts
from procurement.core import audit, clock, db
from procurement.core.actors import SYSTEM, Role
from procurement.core.notify import notify
from procurement.core.scheduler import Due, DueSweep, run_due

OWED = (PaymentStatus.DUE, PaymentStatus.REQUESTED, PaymentStatus.APPROVED, PaymentStatus.CHECKED)


async def check_due(payment_id: int) -> Due:
    """A waiting installment: meet its date gate when the day has come (the contract's
    sync does it). An owed one past its deadline: flag it late once."""
    row = await InstallmentPayment.select().where(InstallmentPayment.id == payment_id).first()
    if row is None:
        return Due(False, None)
    if row["status"] == PaymentStatus.WAITING:
        met = await sync_contract(row["contract"])
        fresh = await InstallmentPayment.select(InstallmentPayment.status, InstallmentPayment.next_check_at).where(
            InstallmentPayment.id == payment_id
        )
        if met or not fresh or fresh[0]["status"] != PaymentStatus.WAITING:
            return Due(bool(met), fresh[0]["next_check_at"] if fresh else None)
        return Due(False, None)
    if row["status"] not in OWED or row["late_at"] is not None:
        return Due(False, None)
    if not rules.is_late(row["deadline_on"], clock.today_local(), released=False):
        return Due(False, row["next_check_at"])
    async with db.transaction():
        flagged = (
            await InstallmentPayment.update({InstallmentPayment.late_at: clock.now()})
            .where((InstallmentPayment.id == payment_id) & InstallmentPayment.late_at.is_null())
            .returning(InstallmentPayment.id)
        )
        if flagged:
            await audit.record(
                "installment_payment.late",
                "contract_installment_payment",
                payment_id,
                actor=SYSTEM,
                after={
                    "contract_id": row["contract"],
                    "seq": row["seq"],
                    "deadline_on": row["deadline_on"].isoformat(),
                },
            )
            await _tell_late(row)
    return Due(bool(flagged), None)


async def _tell_late(row: dict[str, Any]) -> None:
    """Issue 15 §3, rule 35: the buyer's officers and finance staff (who approve and pay)
    and the provider hear once that an installment passed its payment deadline (the
    conditional update above flags it once)."""
    contract = await contract_row(row["contract"])
    if contract is None:
        return
    inst = (await installments_by_seq(contract["id"])).get(row["seq"])
    amount = payable_fen(inst, row) if inst is not None else int(row["released_fen"] or 0)
    recipients = await party_users(contract, Party.BUYER, Party.PROVIDER)
    recipients += await accounts.active_user_ids(contract["buyer"], Role.FINANCE)
    await notify(
        "contract.payment_late",
        recipients,
        message(contract, row["seq"], amount, deadline=f"{row['deadline_on']:%Y-%m-%d}")
        | {"link": f"/contracts/{contract['id']}/payments"},
    )


PAYMENT_DUE = DueSweep("contracts.payments_due", InstallmentPayment, check_due)


async def run_due_payments() -> int:
    """Sweep: every payment whose ``next_check_at`` has passed."""
    return await run_due(PAYMENT_DUE)


async def ensure_payments() -> int:
    """Sweep: the payment rows (and signing/date gates) of every signed contract without
    them; the lifecycle's ``contract.activated`` normally does it. Idempotent."""
    have = {r["contract"] for r in await PaymentLedger.select(PaymentLedger.contract)}
    signed = await Contract.select(Contract.id).where(Contract.status.is_in(list(SIGNED_STATES)))
    made = 0
    for item in signed:
        if item["id"] not in have:
            await sync_contract(item["id"])
            made += 1
    return made
