"""What delivery does when a contract's life moves on (the events of ``core.events``).

When a contract becomes active (``contract.activated``, emitted by the lifecycle's
signing in its transaction), its default monthly report schedule is written at once,
so every due report exists as a row from the first day (issue 12 §6). The lazy path
(the first read of the reports, the hourly sweep) stays as a catch-up for contracts
activated before this existed; ``ensure_schedule`` makes the schedule once whichever
comes first.
"""

from __future__ import annotations

from contracts.delivery.services import contract_row, ensure_schedule
from procurement.core import events


async def on_contract_activated(*, contract_id: int) -> None:
    contract = await contract_row(contract_id)
    if contract is not None:
        await ensure_schedule(contract)


def subscribe() -> None:
    events.subscribe("contract.activated", on_contract_activated)
