"""What bids does when a tender changes (the events tenders emits, ``core.events``).

Tenders sits below bids and never reads a bid, so the bidders hear about an
amendment or a termination from here, and the bid bonds of a failed or
terminated tender fall due for refund here (rule 29). Each handler runs in
the transaction of the change it answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procurement.accounts.tables import User
from procurement.bids import bonds
from procurement.bids.tables import Bid
from procurement.core import clock, events
from procurement.core.notify import notify


async def _bidder_users(tender_id: int, told: frozenset[int]) -> list[int]:
    """Active users of every organization with a bid (draft or submitted) for the tender."""
    orgs = {b["organization"] for b in await Bid.select(Bid.organization).where(Bid.tender == tender_id)}
    if not orgs:
        return []
    users = await User.select(User.id).where(User.organization.is_in(list(orgs)) & (User.is_active == True))
    return [u["id"] for u in users if u["id"] not in told]


async def on_tender_amended(*, tender_id: int, message: dict[str, Any], told: frozenset[int]) -> None:
    """Rule 16: bidders must confirm bids made on the older documents; tell them."""
    await notify("tender.amended", await _bidder_users(tender_id, told), message)


async def on_tender_cancelled(*, tender_id: int, at: datetime, message: dict[str, Any], told: frozenset[int]) -> None:
    await bonds.schedule_refunds_after_notice(tender_id, clock.to_local(at).date())
    await notify("tender.cancelled", await _bidder_users(tender_id, told), message)


async def on_tender_failed(*, tender_id: int, at: datetime) -> None:
    await bonds.schedule_refunds_after_notice(tender_id, clock.to_local(at).date())


def subscribe() -> None:
    events.subscribe("tender.amended", on_tender_amended)
    events.subscribe("tender.cancelled", on_tender_cancelled)
    events.subscribe("tender.failed", on_tender_failed)
