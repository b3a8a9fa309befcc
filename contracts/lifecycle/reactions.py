"""What a contract does when procurement changes under it (the events of ``core.events``).

Procurement never imports contracts, so when an upheld challenge revokes an award
(rule 27), awards emits ``award.revoked`` and the unsigned contract drawn up from it
is voided here, in the transaction of the revocation. A contract already signed
stays as it is: ending it is the buyer's act (《政府采购法》第五十条).

Awards also asks (``award.contract_signed``) whether the contract of an award is signed
by both before it lets the buyer award a lot to the next-ranked bidder (rule 28): only an
unsigned contract (or none) lets the winner's refusal be recorded.
"""

from __future__ import annotations

from contracts.lifecycle.services import message_context, party_users
from contracts.lifecycle.states import CONTRACT_TABLE, ContractStatus, Party
from contracts.lifecycle.tables import Contract
from procurement.core import clock, db, events
from procurement.core.actors import SYSTEM
from procurement.core.notify import notify
from procurement.core.transitions import apply_transition

UNSIGNED = (ContractStatus.DRAFT, ContractStatus.AWAITING_SIGNATURES)


async def on_award_revoked(*, award_id: int, reason: str) -> None:
    await db.lock(Contract, Contract.award == award_id)
    row = await Contract.select().where(Contract.award == award_id).first()
    if row is None or row["status"] not in UNSIGNED:
        return
    await apply_transition(
        CONTRACT_TABLE,
        Contract,
        row["id"],
        row["status"],
        "void",
        SYSTEM,
        values={Contract.updated_at: clock.now(), Contract.next_check_at: None},
        after={"award_id": award_id, "reason": reason},
    )
    await notify(
        "contract.voided", await party_users(row, Party.BUYER, Party.PROVIDER), message_context(row, reason=reason)
    )


async def award_contract_signed(*, award_id: int, lock: bool = False) -> bool:
    """Whether a contract drawn up from the award has been signed by both (or is past that:
    suspended, completed, terminated). With ``lock`` the contract row is held until the
    asker's transaction ends, so no signature lands between the answer and the refusal."""
    if lock:
        await db.lock(Contract, Contract.award == award_id)
    row = await Contract.select(Contract.status).where(Contract.award == award_id).first()
    return row is not None and row["status"] not in (*UNSIGNED, ContractStatus.VOIDED)


def subscribe() -> None:
    events.subscribe("award.revoked", on_award_revoked)
    events.subscribe("award.contract_signed", award_contract_signed)
