"""What the payment services share: the rows of a contract's installments and payments,
the payable amount, the cap on the total released (invariant 7), the payment term
(rule 35) and the messages. Reads only, plus making the rows of a signed contract."""

from __future__ import annotations

from typing import Any

from contracts.lifecycle.states import ContractStatus
from contracts.lifecycle.tables import Contract, Installment
from contracts.payments import rules
from contracts.payments.states import PaymentStatus
from contracts.payments.tables import InstallmentPayment, PaymentLedger
from procurement.accounts import services as accounts
from procurement.core import clock, db
from procurement.core.i18n import N_
from procurement.core.money import format_yuan
from procurement.core.notify import NOTIFICATIONS
from procurement.settings import get_settings

S = PaymentStatus
SIGNED_STATES = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.COMPLETED, ContractStatus.TERMINATED)

NOTIFICATIONS.update(
    {
        "contract.payment_due": {
            "title": N_("款项应付：{title}"),
            "body": N_(
                "合同「{title}」（编号 {number}）第 {seq} 期款项 {amount} 付款条件已达成，付款期限至 {deadline}。"
            ),
        },
        "contract.payment_requested": {
            "title": N_("拨付申请待审核：{title}"),
            "body": N_("合同「{title}」（编号 {number}）第 {seq} 期款项 {amount} 已申请拨付，请审核。"),
        },
        "contract.payment_approved": {
            "title": N_("拨付待办理：{title}"),
            "body": N_("合同「{title}」（编号 {number}）第 {seq} 期款项 {amount} 已审核通过，请于 {deadline} 前拨付。"),
        },
        "contract.payment_late": {
            "title": N_("款项逾期未付：{title}"),
            "body": N_(
                "合同「{title}」（编号 {number}）第 {seq} 期款项 {amount} 的付款期限为 {deadline}，至今尚未拨付，已逾期。采购人应按合同约定及时支付（《政府采购法实施条例》第五十一条），请尽快办理。"
            ),
        },
        "contract.payment_released": {
            "title": N_("款项已拨付：{title}"),
            "body": N_("合同「{title}」（编号 {number}）第 {seq} 期款项 {amount} 已拨付，凭证号 {voucher}。"),
        },
    }
)


def grade_effects() -> rules.GradeEffects:
    settings = get_settings()
    return rules.GradeEffects(
        midterm_fail_withholds=settings.payment_midterm_fail_withholds,
        final_fail_withholds=settings.payment_final_fail_withholds,
        final_scaled_by_score=settings.payment_final_scaled_by_score,
    )


async def contract_row(contract_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    if lock:
        await db.lock(Contract, Contract.id == contract_id)
    return await Contract.select().where(Contract.id == contract_id).first()


async def installments_by_seq(contract_id: int) -> dict[int, dict[str, Any]]:
    rows = await Installment.select().where(Installment.contract == contract_id).order_by(Installment.seq)
    return {r["seq"]: r for r in rows}


async def payments_by_seq(contract_id: int) -> dict[int, dict[str, Any]]:
    rows = (
        await InstallmentPayment.select()
        .where(InstallmentPayment.contract == contract_id)
        .order_by(InstallmentPayment.seq)
    )
    return {r["seq"]: r for r in rows}


async def ledger_row(contract_id: int) -> dict[str, Any] | None:
    return await PaymentLedger.select().where(PaymentLedger.contract == contract_id).first()


async def ensure_rows(contract: dict[str, Any]) -> None:
    """The ledger row and one payment row per installment (the caller holds the contract's
    lock). A 补充合同 rewrites the installment rows: the payment rows follow by number."""
    now = clock.now()
    if await ledger_row(contract["id"]) is None:
        await PaymentLedger.insert(PaymentLedger(contract=contract["id"], created_at=now, updated_at=now))
    payments = await payments_by_seq(contract["id"])
    for seq, inst in (await installments_by_seq(contract["id"])).items():
        pay = payments.get(seq)
        if pay is None:
            await InstallmentPayment.insert(
                InstallmentPayment(
                    contract=contract["id"],
                    seq=seq,
                    installment_id=inst["id"],
                    status=S.WAITING,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif pay["installment_id"] != inst["id"]:
            await InstallmentPayment.update(
                {InstallmentPayment.installment_id: inst["id"], InstallmentPayment.updated_at: now}
            ).where(InstallmentPayment.id == pay["id"])


def payable_fen(inst: dict[str, Any], pay: dict[str, Any]) -> int:
    """What an installment pays: its amount, or what was released; the final installment
    scaled by the final score when that setting was on when its gate was met."""
    if pay["status"] == S.RELEASED:
        return int(pay["released_fen"])
    if pay["score_tenths"] is not None:
        return rules.scaled_amount(int(inst["amount_fen"]), int(pay["score_tenths"]))
    return int(inst["amount_fen"])


async def cap_fen(contract: dict[str, Any]) -> int:
    """The most the contract may pay in total (invariant 7): its amount after changes; once
    terminated, what was released before the termination plus the settlement."""
    if contract["status"] != ContractStatus.TERMINATED or contract["terminated_at"] is None:
        return int(contract["amount_fen"])
    before = await InstallmentPayment.select(InstallmentPayment.released_fen).where(
        (InstallmentPayment.contract == contract["id"])
        & (InstallmentPayment.status == S.RELEASED)
        & (InstallmentPayment.released_at <= contract["terminated_at"])
    )
    paid = sum(int(r["released_fen"]) for r in before)
    return min(int(contract["amount_fen"]), paid + int(contract["settlement_fen"] or 0))


async def payment_days(contract: dict[str, Any]) -> int:
    settings = get_settings()
    ledger = await ledger_row(contract["id"])
    kind = (await accounts.organization_record(contract["provider"])).kind
    return rules.payment_days(
        kind, settings.payment_days_by_kind, settings.payment_days, ledger["agreed_days"] if ledger else None
    )


def message(contract: dict[str, Any], seq: int, amount: int, **extra: Any) -> dict[str, Any]:
    return {
        "title": contract["title"],
        "number": contract["number"],
        "seq": seq,
        "amount": format_yuan(amount),
        "link": f"/contracts/{contract['id']}",
        **extra,
    }
