"""Invariant 1: no bid is accepted after its deadline, by the server's clock.
Concurrent submissions straddle the deadline; none lands after it and every
accepted one is complete. A request that began in time but finishes late is
refused whole."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from procurement.bids.tables import Bid, BidDocument, BidSubmission
from procurement.core import clock, crypto
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import PDF, draft_bid, published_tender, upload
from tests.integration.conftest import api_login


async def prepared(client, deadline_days: float = 25):
    tender = await published_tender(client, deadline_days=deadline_days)
    bids = []
    for n, username in enumerate(("xingfujia", "yile", "yangguang")):
        bid, headers = await draft_bid(client, username, tender, price_fen=35_000_000 + n)
        assert (await upload(client, headers, bid["id"], f"方案{n}.pdf", PDF + bytes([n]))).status_code == 201
        bids.append((bid, headers))
    return tender, bids


async def test_submissions_racing_the_deadline_are_wholly_in_or_wholly_out(client):
    tender, bids = await prepared(client)
    deadline = (await Tender.select(Tender.bid_deadline).where(Tender.id == tender["id"]).first())["bid_deadline"]
    start = deadline - timedelta(milliseconds=300)

    async def submit(bid, headers, offset_ms: int):
        # Each request sees the server clock at its own moment around the deadline.
        await asyncio.sleep(offset_ms / 1000)
        return await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)

    with clock.frozen(start):
        fresh = [
            (bid, await api_login(client, name))
            for (bid, _), name in zip(bids, ("xingfujia", "yile", "yangguang"), strict=True)
        ]

        async def ticker():
            for _ in range(60):
                await asyncio.sleep(0.01)
                clock.tick(timedelta(milliseconds=10))

        tasks = [submit(bid, headers, offset) for offset in range(0, 600, 60) for bid, headers in fresh]
        results = await asyncio.gather(ticker(), *tasks)
    responses = results[1:]
    accepted = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert accepted and refused, [r.status_code for r in responses]
    assert all(r.status_code == 409 and "截止" in r.json()["detail"] for r in refused), [r.text for r in refused][:3]
    subs = await BidSubmission.select().where(BidSubmission.bid.is_in([b["id"] for b, _ in bids]))
    assert len(subs) == len(accepted)
    assert all(s["submitted_at"] < deadline for s in subs), "a submission was stored at or after the deadline"
    for bid, _ in bids:
        row = await Bid.select().where(Bid.id == bid["id"]).first()
        mine = sorted(s["version"] for s in subs if s["bid"] == bid["id"])
        assert mine == list(range(1, len(mine) + 1)) and row["submitted_version"] == len(mine)
        assert await BidDocument.count().where(BidDocument.bid == bid["id"]) == 1


async def test_a_request_that_finishes_after_the_deadline_saves_nothing(client, monkeypatch):
    tender, bids = await prepared(client)
    deadline = (await Tender.select(Tender.bid_deadline).where(Tender.id == tender["id"]).first())["bid_deadline"]
    bid, _ = bids[0]
    real = crypto.encrypt_text

    def slow_encrypt(key, text, context):
        # The work of sealing takes the request past the deadline.
        if b":v" in context:
            clock.tick(timedelta(seconds=2))
        return real(key, text, context)

    with clock.frozen(deadline - timedelta(seconds=1)):
        headers = await api_login(client, "xingfujia")
        monkeypatch.setattr(crypto, "encrypt_text", slow_encrypt)
        response = await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)
    assert response.status_code == 409 and "截止" in response.json()["detail"]
    assert await BidSubmission.count().where(BidSubmission.bid == bid["id"]) == 0
    row = await Bid.select(Bid.status, Bid.submitted_version).where(Bid.id == bid["id"]).first()
    assert row == {"status": "draft", "submitted_version": 0}


async def test_the_clients_clock_does_not_matter(client):
    tender, bids = await prepared(client)
    deadline = (await Tender.select(Tender.bid_deadline).where(Tender.id == tender["id"]).first())["bid_deadline"]
    bid, _ = bids[1]
    with clock.frozen(deadline + timedelta(seconds=1)):
        headers = await api_login(client, "yile")
        response = await client.post(
            f"/api/v1/bids/{bid['id']}/submit", headers={**headers, "Date": "Mon, 01 Jan 2024 00:00:00 GMT"}
        )
        assert response.status_code == 409
        assert (
            await client.put(f"/api/v1/bids/{bid['id']}", headers=headers, json={"price_fen": 1})
        ).status_code == 409
        assert (await upload(client, headers, bid["id"], "late.pdf", PDF + b"late")).status_code == 409
    with clock.frozen(deadline - timedelta(seconds=1)):
        headers = await api_login(client, "yile")
        assert (await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)).status_code == 200
