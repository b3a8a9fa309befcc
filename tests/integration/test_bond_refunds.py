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


async def test_four_lots_submitted_at_once_make_one_bond(client):
    """Invariant 2 and rule 29: one organization, one bond per tender, enforced by the database
    (a unique index), however many lots it submits at the same moment."""
    import asyncio

    from tests.integration.conftest import api_login

    tender = await published_tender(
        client,
        title="测试四包项目",
        lots=[{"name": f"第{n}包", "budget_fen": 20_000_000} for n in range(1, 5)],
        bid_bond_fen=300_000,
    )
    headers = await api_login(client, "xingfujia")
    bids = []
    for lot in tender["lots"]:
        bid = (
            await client.post("/api/v1/bids/", headers=headers, json={"tender_id": tender["id"], "lot_id": lot["id"]})
        ).json()
        saved = await client.put(
            f"/api/v1/bids/{bid['id']}",
            headers=headers,
            json={
                "price_fen": 15_000_000,
                "answers": {"c1": "服务方案"},
                "team": [{"name": "负责人", "level": "intermediate", "role": "lead", "certificate_no": "ZS001"}],
            },
        )
        assert saved.status_code == 200, saved.text
        assert (await upload(client, headers, bid["id"], "方案.pdf", PDF + str(lot["id"]).encode())).status_code == 201
        bids.append(bid["id"])
    answers = await asyncio.gather(*(client.post(f"/api/v1/bids/{bid_id}/submit", headers=headers) for bid_id in bids))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert await BidBond.count().where(BidBond.tender == tender["id"]) == 1
    references = {a.json()["bond"]["reference"] for a in answers}
    assert len(references) == 1, "every receipt names the same bond"
