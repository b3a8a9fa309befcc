"""How a contract is suspended, resumed and ended (issue 12 §4; rule 28): no party changes,
suspends or ends it alone (《政府采购法》第五十条), so the buyer's officer records each step
with the provider's consent or a stated legal ground. Each use case is one transaction."""

from __future__ import annotations

from contracts.lifecycle import policies, rules
from contracts.lifecycle.schemas import ContractOut, GroundIn, TerminateIn
from contracts.lifecycle.services import get_contract, message_context, party_users, readable
from contracts.lifecycle.states import CONTRACT_TABLE, GROUND_LABELS, Party
from contracts.lifecycle.tables import Contract
from procurement.core import clock, db
from procurement.core.auth import CurrentUser
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
    """What has been paid under the contract. Payments arrive with a later issue; until
    then nothing has been paid."""
    return 0


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


async def complete_contract(user: CurrentUser, contract_id: int) -> ContractOut:
    """Completion needs the final evaluation and the settled payments, which later issues
    provide; until they exist it is refused with a clear message."""
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        actor = policies.buyer_officer(user, row, _("确认合同履行完毕")).acting(user)
        CONTRACT_TABLE.decide(row["status"], "complete", actor)
        raise Conflict(
            _("合同须在终期评估完成、各期款项结清后方可确认履行完毕；本系统尚未登记终期评估和付款结算，暂不能完成。")
        )
