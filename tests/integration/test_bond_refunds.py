"""Rule 29: bid bonds fall due for refund 5 working days after the award
notice (losers) and after the signing (the winner), by the working-day calendar."""

from __future__ import annotations

from datetime import date

from procurement.accounts.tables import Organization
from procurement.bids import bonds
from procurement.bids.tables import BidBond
from tests.integration.bid_helpers import PDF, draft_bid, published_tender, upload


async def submitted(client, username, tender, price):
    bid, headers = await draft_bid(client, username, tender, price_fen=price)
    assert (await upload(client, headers, bid["id"], "方案.pdf", PDF + username.encode())).status_code == 201
    assert (await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)).status_code == 200


async def test_losers_are_refunded_after_the_award_notice_and_the_winner_after_signing(client):
    tender = await published_tender(client)
    for n, username in enumerate(("xingfujia", "yile", "yangguang")):
        await submitted(client, username, tender, 35_000_000 + n)
    winner = await Organization.select(Organization.id).where(Organization.name == "上城区清波颐乐养老服务社").first()
    # Award notice on Tuesday 2026-09-29: Sep 30, then the National Day holidays (Oct 1–7) are skipped,
    # Oct 8, Oct 9, Saturday Oct 10 (调休, a working day) and Monday Oct 12.
    assert await bonds.schedule_refunds_after_award(tender["id"], winner["id"], date(2026, 9, 29)) == 2
    rows = {r["organization"]: r["refund_due_on"] for r in await BidBond.select().where(BidBond.tender == tender["id"])}
    losers = [d for org, d in rows.items() if org != winner["id"]]
    assert losers == [date(2026, 10, 12), date(2026, 10, 12)] and rows[winner["id"]] is None
    assert await bonds.schedule_refund_after_signing(tender["id"], winner["id"], date(2026, 11, 2)) == 1
    due = (
        await BidBond.select(BidBond.refund_due_on)
        .where((BidBond.tender == tender["id"]) & (BidBond.organization == winner["id"]))
        .first()
    )["refund_due_on"]
    assert due == date(2026, 11, 9)
