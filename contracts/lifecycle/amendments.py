"""The contract's side of an agreed change (issue 12 §5; rule 28): what its current terms
are, what its original (signed) amount was, and writing the new terms once both parties
have signed a change. The lifecycle owns the contract row; ``contracts.changes`` calls
these functions and never writes the row itself.

The contract's status does not change (an amended contract stays active), so no
transition is taken; the write is guarded by the status and audited as ``contract.amended``.
After amendments ``Contract.amount_fen`` is the amount in force, which the later payment
invariant reads (sum released ≤ amount after amendments).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from contracts.lifecycle.services import installment_rows
from contracts.lifecycle.states import ContractStatus
from contracts.lifecycle.tables import Contract, ContractVersion, Installment
from procurement.core import audit, clock, db
from procurement.core.actors import Actor
from procurement.core.errors import Conflict, NotFound
from procurement.core.i18n import _


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


async def current_terms(row: dict[str, Any]) -> dict[str, Any]:
    """The terms a change may set, as JSON-ready values (``contracts.changes.rules.Terms``)."""
    return {
        "amount_fen": row["amount_fen"],
        "term_start": _iso(row["term_start"]),
        "term_end": _iso(row["term_end"]),
        "delivery_place": row["delivery_place"],
        "indicators": json.loads(row["indicators"]),
        "installments": [
            {
                "seq": i["seq"],
                "label": i["label"],
                "percent": i["percent"],
                "amount_fen": i["amount_fen"],
                "gate": i["gate"],
                "min_grade": i["min_grade"],
                "due_date": _iso(i["due_date"]),
            }
            for i in await installment_rows(row["id"])
        ],
    }


async def original_amount_fen(row: dict[str, Any]) -> int:
    """The amount of the contract as both parties signed it (the frozen text of its
    current version), the base of the 10 % cap on supplementary contracts."""
    frozen = await ContractVersion.select(ContractVersion.snapshot).where(
        (ContractVersion.contract == row["id"]) & (ContractVersion.version == row["version"])
    )
    if not frozen:
        raise Conflict(_("合同尚未签订，不能变更。"))
    return int(json.loads(frozen[0]["snapshot"])["amount_fen"])


async def apply_agreed_change(
    contract_id: int, terms: dict[str, Any], actor: Actor, *, change_id: int, change_seq: int
) -> None:
    """Write the terms of a change both parties signed. The caller holds the contract's
    row lock and has checked that the contract still has the terms the change was
    proposed against; the contract must still be active."""
    async with db.transaction():
        row = await Contract.select().where(Contract.id == contract_id).first()
        if row is None:
            raise NotFound(_("找不到该合同。"))
        before = await current_terms(row)
        changed = (
            await Contract.update(
                {
                    Contract.amount_fen: terms["amount_fen"],
                    Contract.term_start: date.fromisoformat(terms["term_start"]),
                    Contract.term_end: date.fromisoformat(terms["term_end"]),
                    Contract.delivery_place: terms["delivery_place"],
                    Contract.indicators: json.dumps(terms["indicators"], ensure_ascii=False),
                    Contract.updated_at: clock.now(),
                }
            )
            .where((Contract.id == contract_id) & (Contract.status == ContractStatus.ACTIVE))
            .returning(Contract.id)
        )
        if not changed:
            raise Conflict(_("合同当前不在履行中，变更不能生效。"))
        await Installment.delete().where(Installment.contract == contract_id)
        await Installment.insert(
            *[
                Installment(
                    contract=contract_id,
                    seq=i["seq"],
                    label=i["label"],
                    percent=i["percent"],
                    amount_fen=i["amount_fen"],
                    gate=i["gate"],
                    min_grade=i["min_grade"],
                    due_date=date.fromisoformat(i["due_date"]) if i["due_date"] else None,
                )
                for i in terms["installments"]
            ]
        )
        await audit.record(
            "contract.amended",
            "contract",
            contract_id,
            actor=actor,
            before=before,
            after={**terms, "change_id": change_id, "change_seq": change_seq},
        )
