"""Shared set-up for contract tests: the demo tender awarded to 幸福家 (¥338,000), and
a contract drawn up from that award, its draft completed so that both may sign."""

from __future__ import annotations

from procurement.awards.tables import Award
from tests.integration.conftest import api_login
from tests.integration.test_award_challenges import awarded

READY_DRAFT = {
    "delivery_place": "湖滨街道东坡路社区",
    "indicators": [
        {"name": "服务人次", "unit": "人次", "target": 1200},
        {"name": "活动场次", "unit": "场", "target": 24},
        {"name": "服务时长", "unit": "小时", "target": 800},
        {"name": "服务对象满意度", "unit": "%", "target": 90},
    ],
}
PROVIDER_DETAILS = {
    "provider_bank_name": "杭州银行上城支行",
    "provider_bank_account": "3301040160001234567",
    "provider_address": "杭州市上城区东坡路 1 号",
    "provider_legal_rep": "王敏",
}


async def contract_of_award(client):
    """An awarded tender and the contract draft the officer made of it."""
    tender_id, officer, panel, logins, bids, lot_id = await awarded(client)
    award = await Award.select(Award.id).where(Award.tender == tender_id).first()
    created = await client.post("/api/v1/contracts/", headers=officer, json={"award_id": award["id"]})
    assert created.status_code == 201, created.text
    provider = await api_login(client, "xingfujia")
    return created.json(), officer, provider, tender_id


async def ready_contract(client):
    """A draft both parties may sign: the place and targets set, the provider's details
    entered by the provider and confirmed by the officer."""
    contract, officer, provider, tender_id = await contract_of_award(client)
    url = f"/api/v1/contracts/{contract['id']}"
    done = await client.put(url, headers=officer, json=READY_DRAFT)
    assert done.status_code == 200, done.text
    done = await client.put(url, headers=provider, json=PROVIDER_DETAILS)
    assert done.status_code == 200, done.text
    done = await client.put(url, headers=officer, json={"confirm_provider_details": True})
    assert done.status_code == 200, done.text
    assert done.json()["signing_gaps"] == [], done.json()["signing_gaps"]
    return done.json(), officer, provider, tender_id


async def sign(client, headers, contract: dict, version: int | None = None):
    return await client.post(
        f"/api/v1/contracts/{contract['id']}/signatures",
        headers=headers,
        json={"version": version or contract["version"]},
    )
