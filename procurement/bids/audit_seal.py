"""Which audit rows are sealed before the opening (invariant 2): the plug-in bids gives
system's audit log (``system.audit_seal.add_sealed_rows``, wired in ``package.py``).

A row is sealed while the tender it is about has no opening record yet:

- ``bid`` rows (created, draft saved, documents uploaded or removed, submitted,
  withdrawn …): each one tells who bid, for which lot, when, with which hashes;
- ``bid_document`` and ``bid_submission`` rows, should any be written: they are
  parts of a bid;
- ``bid_bond`` rows (a bond is recorded at submission, so its payment tells that
  an organization bid): sealed until the opening too, or until the tender is
  cancelled — the bureau then refunds the bonds and sees whose they are, and so
  may the audit log.

A bid of a tender cancelled before its opening is never opened, so its rows stay
sealed. A row naming a bid or bond that cannot be found is sealed too (fails
closed). The delivery of a sealed event's email (``outbox_message`` rows whose event is in
``core.notify.SEALED_EVENTS``: the bid receipt) is sealed until the opening of the
receipt's tender too: its recipient is a bidder. Rows of other kinds (questions,
eligibility profiles, logins) say nothing about a bid on a given tender and are not
sealed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from procurement.bids.tables import Bid, BidBond, BidDocument, BidSubmission, OpeningRecord
from procurement.core.notify import SEALED_EVENTS
from procurement.core.tables import OutboxMessage
from procurement.tenders.states import TenderStatus
from procurement.tenders.tables import Tender

BID_ROWS = ("bid", "bid_document", "bid_submission")
BOND_ROWS = ("bid_bond",)
OUTBOX_ROWS = "outbox_message"
RECEIPT_LINK = "/org/receipts/"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _event(row: Mapping[str, Any]) -> str:
    """The event an outbox row's audit entry names (its ``after`` or ``before``), or ""."""
    for side in ("after", "before"):
        try:
            value = json.loads(row.get(side) or "{}")
        except ValueError:
            continue
        if isinstance(value, dict) and value.get("event"):
            return str(value["event"])
    return ""


async def sealed_rows(rows: Sequence[Mapping[str, Any]]) -> set[int]:
    """The ids of the audit rows among ``rows`` that must stay hidden for now."""
    wanted = {
        kind: {_int(r["entity_id"]) for r in rows if r["entity_type"] == kind} for kind in (*BID_ROWS, *BOND_ROWS)
    }
    tender_of: dict[tuple[str, int], int] = {}
    if ids := {i for i in wanted["bid"] if i is not None}:
        for r in await Bid.select(Bid.id, Bid.tender).where(Bid.id.is_in(list(ids))):
            tender_of["bid", r["id"]] = r["tender"]
    if ids := {i for i in wanted["bid_document"] if i is not None}:
        for r in await BidDocument.select(BidDocument.id, BidDocument.bid.tender).where(
            BidDocument.id.is_in(list(ids))
        ):
            tender_of["bid_document", r["id"]] = r["bid.tender"]
    if ids := {i for i in wanted["bid_submission"] if i is not None}:
        for r in await BidSubmission.select(BidSubmission.id, BidSubmission.bid.tender).where(
            BidSubmission.id.is_in(list(ids))
        ):
            tender_of["bid_submission", r["id"]] = r["bid.tender"]
    if ids := {i for i in wanted["bid_bond"] if i is not None}:
        for r in await BidBond.select(BidBond.id, BidBond.tender).where(BidBond.id.is_in(list(ids))):
            tender_of["bid_bond", r["id"]] = r["tender"]
    sealed_mail = {
        i
        for r in rows
        if r["entity_type"] == OUTBOX_ROWS and _event(r) in SEALED_EVENTS and (i := _int(r["entity_id"]))
    }
    if sealed_mail:
        receipt_of = {
            r["id"]: r["link"].split(RECEIPT_LINK, 1)[1].split("?")[0]  # an absolute link to the receipt's page
            for r in await OutboxMessage.select(OutboxMessage.id, OutboxMessage.link).where(
                OutboxMessage.id.is_in(list(sealed_mail))
            )
            if RECEIPT_LINK in r["link"]
        }
        if receipt_of:
            by_receipt = {
                r["receipt_no"]: r["bid.tender"]
                for r in await BidSubmission.select(BidSubmission.receipt_no, BidSubmission.bid.tender).where(
                    BidSubmission.receipt_no.is_in(list(set(receipt_of.values())))
                )
            }
            for message, receipt in receipt_of.items():
                if receipt in by_receipt:
                    tender_of[OUTBOX_ROWS, message] = by_receipt[receipt]
    tenders = set(tender_of.values())
    opened: set[int] = set()
    cancelled: set[int] = set()
    if tenders:
        opened = {
            r["tender"]
            for r in await OpeningRecord.select(OpeningRecord.tender).where(OpeningRecord.tender.is_in(list(tenders)))
        }
        cancelled = {
            r["id"]
            for r in await Tender.select(Tender.id).where(
                Tender.id.is_in(list(tenders)) & (Tender.status == TenderStatus.CANCELLED)
            )
        }
    hidden: set[int] = set()
    for row in rows:
        kind = row["entity_type"]
        if kind == OUTBOX_ROWS and _event(row) not in SEALED_EVENTS:
            continue
        if kind not in BID_ROWS and kind not in BOND_ROWS and kind != OUTBOX_ROWS:
            continue
        entity = _int(row["entity_id"])
        tender = tender_of.get((kind, entity)) if entity is not None else None
        if tender is None:
            hidden.add(row["id"])  # a bid or bond we cannot find: fail closed
        elif tender in opened:
            continue
        elif kind in BOND_ROWS and tender in cancelled:
            continue
        else:
            hidden.add(row["id"])
    return hidden
