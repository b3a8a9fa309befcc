"""How a contract is suspended, resumed and ended (issue 12 §4; rule 28): no party changes,
suspends or ends it alone (《政府采购法》第五十条), so the buyer's officer records each step
with the provider's consent or a stated legal ground. Each use case is one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.lifecycle import policies, rules
from contracts.lifecycle.schemas import BondRefundIn, ContractOut, GroundIn, TerminateIn
from contracts.lifecycle.services import get_contract, message_context, next_check_for, party_users, readable
from contracts.lifecycle.states import CONTRACT_TABLE, GROUND_LABELS, ContractStatus, Party
from contracts.lifecycle.tables import Contract
from procurement.core import audit, clock, db
from procurement.core.auth import CurrentUser
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import Conflict, ValidationFailed
from procurement.core.i18n import _
from procurement.core.money import format_yuan
from procurement.core.notify import notify
from procurement.core.transitions import apply_transition
from procurement.tenders import services as tenders

# --------------------------------------------------------------------------- suspension and termination (rule 28)


def _ground_text(data: GroundIn) -> str:
    return _("{ground}：{reason}").format(ground=GROUND_LABELS[data.ground], reason=data.reason)


async def suspend_contract(user: CurrentUser, contract_id: int, data: GroundIn) -> ContractOut:
    """中止 recorded by the buyer with the provider's consent or a stated legal ground
    (《政府采购法》第五十条: no party suspends the contract on its own)."""
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        actor = policies.buyer_officer(user, row, _("中止合同")).acting(user)
        await apply_transition(
            CONTRACT_TABLE,
            Contract,
            contract_id,
            row["status"],
            "suspend",
            actor,
            values={
                Contract.suspended_at: clock.now(),
                Contract.suspension_ground: data.ground,
                Contract.suspension_reason: data.reason,
            },
            after={"ground": data.ground, "reason": data.reason},
        )
        await notify(
            "contract.suspended",
            await party_users(row, Party.PROVIDER),
            message_context(row, reason=_ground_text(data)),
        )
    return await get_contract(user, contract_id)


async def resume_contract(user: CurrentUser, contract_id: int) -> ContractOut:
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        actor = policies.buyer_officer(user, row, _("恢复履行合同")).acting(user)
        await apply_transition(
            CONTRACT_TABLE, Contract, contract_id, row["status"], "resume", actor, values={Contract.suspended_at: None}
        )
        await notify("contract.resumed", await party_users(row, Party.PROVIDER), message_context(row))
    return await get_contract(user, contract_id)


async def paid_fen(contract_id: int) -> int:
    """What has been released under the contract so far, from the payments ledger
    (invariant 7): the termination settlement may cover only what remains unpaid."""
    # Imported here: contracts.payments reads the lifecycle's tables and services.
    from contracts.payments import services as payments

    return await payments.released_total(contract_id)


async def terminate_contract(user: CurrentUser, contract_id: int, data: TerminateIn) -> ContractOut:
    """解除 recorded by the buyer with the provider's consent or a stated legal ground
    (《政府采购法》第五十条), with a reason, a settlement no more than what remains unpaid,
    and a public notice."""
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        actor = policies.buyer_officer(user, row, _("解除合同")).acting(user)
        CONTRACT_TABLE.decide(row["status"], "terminate", actor)
        problems = rules.settlement_problems(data.settlement_fen, row["amount_fen"], await paid_fen(contract_id))
        if problems:
            raise ValidationFailed(field_errors=problems)
        text = "\n".join(
            [
                _("合同编号：{number}").format(number=row["number"]),
                _("合同名称：{title}").format(title=row["title"]),
                _("采购人（甲方）：{name}").format(name=row["buyer_name"]),
                _("服务机构（乙方）：{name}").format(name=row["provider_name"]),
                _("解除依据：{ground}").format(ground=_ground_text(data)),
                _("结算金额：{amount}").format(amount=format_yuan(data.settlement_fen)),
            ]
        )
        notice_id = await tenders.publish_contract_notice(
            row["tender"], _("{title}合同解除公告").format(title=row["title"]), text
        )
        await apply_transition(
            CONTRACT_TABLE,
            Contract,
            contract_id,
            row["status"],
            "terminate",
            actor,
            values={
                Contract.terminated_at: clock.now(),
                Contract.termination_ground: data.ground,
                Contract.termination_reason: data.reason,
                Contract.settlement_fen: data.settlement_fen,
                Contract.termination_notice_id: notice_id,
                Contract.bond_refund_due_on: _bond_refund_due(row),
                # its sweep flags the bond's return once late (issue 15 §1)
                Contract.next_check_at: next_check_for(
                    row, status=ContractStatus.TERMINATED, bond_refund_due_on=_bond_refund_due(row)
                ),
            },
            after={
                "ground": data.ground,
                "reason": data.reason,
                "settlement_fen": data.settlement_fen,
                "notice_id": notice_id,
            },
        )
        await notify(
            "contract.terminated",
            await party_users(row, Party.BUYER, Party.PROVIDER),
            message_context(row, reason=_ground_text(data), settlement=format_yuan(data.settlement_fen)),
        )
    return await get_contract(user, contract_id)


async def completion_missing(contract_id: int) -> list[str]:
    """What still stands between an active contract and its completion: the final
    evaluation finished with a grade (rule 33) and every installment released (rule 35)."""
    # Imported here: both sub-domains read the lifecycle's tables and services.
    from contracts.assessments import services as assessments
    from contracts.payments import services as payments

    missing = []
    if not await assessments.final_graded(contract_id):
        missing.append(_("终期评估尚未完成并评定等级"))
    if not await payments.settled(contract_id):
        missing.append(_("各期款项尚未全部拨付"))
    return missing


async def complete_contract(user: CurrentUser, contract_id: int) -> ContractOut:
    """履行完毕, recorded by the buyer's officer once the final evaluation is finished with
    a grade and every installment is released (issue 14 §4; rules 33, 35); otherwise refused
    with what is missing."""
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        actor = policies.buyer_officer(user, row, _("确认合同履行完毕")).acting(user)
        CONTRACT_TABLE.decide(row["status"], "complete", actor)
        missing = await completion_missing(contract_id)
        if missing:
            raise Conflict(
                _("合同须在终期评估完成、各期款项结清后方可确认履行完毕。尚缺：{missing}。").format(
                    missing="；".join(missing)
                )
            )
        await apply_transition(
            CONTRACT_TABLE,
            Contract,
            contract_id,
            row["status"],
            "complete",
            actor,
            values={
                Contract.bond_refund_due_on: _bond_refund_due(row),
                Contract.next_check_at: next_check_for(
                    row, status=ContractStatus.COMPLETED, bond_refund_due_on=_bond_refund_due(row)
                ),
            },
        )
        await notify("contract.completed", await party_users(row, Party.BUYER, Party.PROVIDER), message_context(row))
    return await get_contract(user, contract_id)


def _bond_refund_due(row: dict[str, Any]) -> date | None:
    """When the contract ends, the day its performance bond should be back (none without a bond)."""
    if not row["performance_bond_fen"]:
        return None
    return rules.bond_refund_due_on(clock.today_local(), get_default_calendar())


async def record_bond_refund(user: CurrentUser, contract_id: int, data: BondRefundIn) -> ContractOut:
    """The buyer's finance records that the performance bond (履约保证金, rule 29) was returned,
    with its voucher number, once the contract is completed or ended; once only (a
    conditional update, so two clicks record one refund)."""
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        actor = policies.buyer_finance(user, row).acting(user)
        if not row["performance_bond_fen"]:
            raise Conflict(_("本合同未收取履约保证金。"))
        if row["bond_refund_due_on"] is None:
            raise Conflict(_("合同履行完毕或解除后，方可退还履约保证金。"))
        done = (
            await Contract.update(
                {
                    Contract.bond_refunded_at: clock.now(),
                    Contract.bond_refund_voucher: data.voucher_no,
                    Contract.updated_at: clock.now(),
                }
            )
            .where((Contract.id == contract_id) & Contract.bond_refunded_at.is_null())
            .returning(Contract.id)
        )
        if not done:
            raise Conflict(_("履约保证金已登记退还，不能重复登记。"))
        await audit.record(
            "contract.bond_refunded",
            "contract",
            contract_id,
            actor=actor,
            after={"amount_fen": row["performance_bond_fen"], "voucher_no": data.voucher_no},
        )
        await notify(
            "contract.bond_refunded",
            await party_users(row, Party.PROVIDER),
            message_context(row, amount=format_yuan(row["performance_bond_fen"])),
        )
    return await get_contract(user, contract_id)
