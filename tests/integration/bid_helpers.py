"""Shared set-up for bidding tests: a published tender open for bids, and a
submitted bid full of canary strings that must never leak before opening."""

from __future__ import annotations

from datetime import datetime, timedelta

from procurement.catalogue.tables import CatalogueItem
from procurement.core import clock
from procurement.tenders.tables import TenderLot
from tests.integration.conftest import api_login

CANARY_TEXT = "CANARY-密封内容-9f3a"
CANARY_NAME = "CANARY-文件名-7c21.pdf"
CANARY_BYTES = b"CANARY-DOC-BYTES-5e8d"
CANARY_PRICE_FEN = 31_234_567  # ¥312,345.67
CANARY_PRICE_TEXTS = ("312,345.67", "312345.67", "31234567")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def local(days: float) -> str:
    moment = clock.to_local(clock.now() + timedelta(days=days))
    return datetime(moment.year, moment.month, moment.day, moment.hour, moment.minute).isoformat()


async def published_tender(client, *, deadline_days: float = 25, **overrides) -> dict:
    officer = await api_login(client, "officer")
    item = await CatalogueItem.select(CatalogueItem.id).where(CatalogueItem.code == "A0601").first()
    body = {
        "title": "测试密封投标项目",
        "method": "open_tender",
        "catalogue_item_id": item["id"],
        "lots": [{"name": "测试包", "budget_fen": 40_000_000, "max_price_fen": 39_000_000}],
        "evaluation_scheme": {
            "method": "comprehensive",
            "price_weight": 30,
            "criteria": [{"name": "服务方案", "max_points": 70, "kind": "subjective"}],
        },
        "payment_schedule": [{"label": "全款", "percent": 100, "gate": "signing"}],
        "team_requirements": {"min_licensed_workers": 1, "lead_min_level": "assistant"},
        "bid_bond_fen": 500_000,
        "bid_deadline": local(deadline_days),
    }
    body.update(overrides)
    created = await client.post("/api/v1/tenders/", headers=officer, json=body)
    assert created.status_code == 201, created.text
    published = await client.post(f"/api/v1/tenders/{created.json()['id']}/publish", headers=officer)
    assert published.status_code == 200, published.text
    return published.json()


async def draft_bid(
    client, username: str, tender: dict, *, price_fen: int = 35_000_000, text: str = "服务方案"
) -> tuple[dict, dict]:
    headers = await api_login(client, username)
    lot = await TenderLot.select(TenderLot.id).where(TenderLot.tender == tender["id"]).first()
    created = await client.post("/api/v1/bids/", headers=headers, json={"tender_id": tender["id"], "lot_id": lot["id"]})
    assert created.status_code == 201, created.text
    bid = created.json()
    saved = await client.put(
        f"/api/v1/bids/{bid['id']}",
        headers=headers,
        json={
            "price_fen": price_fen,
            "answers": {"c1": text},
            "team": [{"name": "负责人", "level": "intermediate", "role": "lead", "certificate_no": "ZS001"}],
            # Read only by calls that ask for the charter scope (rule 4).
            "scope_statement": "本机构章程业务范围涵盖本项目的服务内容。",
        },
    )
    assert saved.status_code == 200, saved.text
    return bid, headers


async def upload(client, headers, bid_id: int, name: str, data: bytes):
    return await client.post(
        f"/api/v1/bids/{bid_id}/documents", headers=headers, files={"data": (name, data, "application/octet-stream")}
    )
