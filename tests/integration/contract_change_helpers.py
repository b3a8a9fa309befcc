"""Shared set-up for contract-change tests: an active contract (both parties signed)."""

from __future__ import annotations

from tests.integration.contract_helpers import ready_contract, sign


async def active_contract(client):
    """The demo award's contract, signed by both: active, its original amount as signed."""
    contract, officer, provider, tender_id = await ready_contract(client)
    assert (await sign(client, officer, contract)).status_code == 200
    done = await sign(client, provider, contract)
    assert done.status_code == 200 and done.json()["status"] == "active", done.text
    return done.json(), officer, provider


def changes_url(contract: dict) -> str:
    return f"/api/v1/contracts/{contract['id']}/changes/"


async def propose(client, headers, contract: dict, **body):
    body.setdefault("explanation", "双方协商一致，按实际服务需要调整。")
    return await client.post(changes_url(contract), headers=headers, json=body)


async def sign_change(client, headers, contract: dict, seq: int, **body):
    return await client.post(f"{changes_url(contract)}{seq}/signatures", headers=headers, json=body)


async def supplement(client, officer, provider, contract: dict, new_amount: int):
    """Propose a 补充合同 to ``new_amount`` and let both sign it; the last response."""
    proposed = await propose(
        client, officer, contract, kind="supplement", rationale="more_service", amount_fen=new_amount
    )
    if proposed.status_code != 201:
        return proposed
    seq = proposed.json()["seq"]
    assert (await sign_change(client, officer, contract, seq)).status_code == 200
    return await sign_change(client, provider, contract, seq)
