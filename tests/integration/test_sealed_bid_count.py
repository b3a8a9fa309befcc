"""Invariant 2, the stronger half: before the opening nobody but a bidder can tell
whether anyone bid, or how many did. Every GET route and page is requested by
every role that is not a bidder, with no bid, one bid and three bids on the
same tender; after blanking what differs from one request to the next (clock
times, CSRF tokens, nonces) every answer must be byte-for-byte the same. The
ids of a bid, its document and its receipt are filled into the paths where
they exist and a made-up id where they do not: another organization's real bid
must look exactly like no bid at all."""

from __future__ import annotations

import re

from procurement.accounts.tables import Organization
from procurement.bids.schemas import EligibilityProfileIn
from procurement.tenders.tables import TenderLot
from tests.integration.bid_helpers import PDF, published_tender, upload
from tests.integration.conftest import api_login
from tests.integration.test_sealed_bids import as_role, fill, get_routes

VIEWERS = ["anonymous", "admin", "officer", "finance", "qingbo", "yangguang", "expert1", "pinggu"]
BIDDERS = ["xingfujia", "yile", "linli"]  # linli's organization is approved first; yangguang watches
MADE_UP = {"bid_id": 1_234_567_890, "document_id": 1_234_567_891, "receipt_no": "HZ00001-01-0123456789"}

_VARYING = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "<TIME>"),
    (re.compile(r'(name="_csrf_token" value=")[^"]*'), r"\1<CSRF>"),
    (re.compile(r'(name="csrf-token" content=")[^"]*'), r"\1<CSRF>"),
    (re.compile(r'nonce="[^"]*"'), 'nonce="<NONCE>"'),
    (re.compile(r"'nonce-[^']*'"), "'nonce-<NONCE>'"),
]


def normalised(body: str, ids: dict) -> str:
    for name in ("bid_id", "document_id", "receipt_no"):
        body = body.replace(str(ids[name]), f"<{name}>")
    for pattern, replacement in _VARYING:
        body = pattern.sub(replacement, body)
    return body


async def a_fourth_eligible_organization(client) -> None:
    """The demo's pending organization, approved, with an eligibility profile like
    幸福家's, confirmed by the bureau: a third bidder besides the watching 阳光."""
    linli = (
        await Organization.select(Organization.id).where(Organization.name == "上城区邻里守望社区公益服务社").first()
    )
    officer = await api_login(client, "officer")
    assert (await client.post(f"/api/v1/organizations/{linli['id']}/approve", headers=officer)).status_code == 200
    model = (await client.get("/api/v1/eligibility/profile", headers=await api_login(client, "xingfujia"))).json()
    profile = {k: model[k] for k in EligibilityProfileIn.model_fields}
    filed = await client.put("/api/v1/eligibility/profile", headers=await api_login(client, "linli"), json=profile)
    assert filed.status_code == 200, filed.text
    confirmed = await client.post(f"/api/v1/eligibility/profile/{linli['id']}/confirm", headers=officer)
    assert confirmed.status_code == 200, confirmed.text
    client.cookies.clear()


async def sign_in_everyone(client) -> dict[str, tuple[dict, dict]]:
    """Each person's API token and browser cookies, obtained once before the first
    snapshot: signing in is itself recorded (audit, last login), and must not be what differs."""
    sessions = {}
    for role in [*VIEWERS, *BIDDERS]:
        headers = await as_role(client, role)
        sessions[role] = (headers, dict(client.cookies))
    client.cookies.clear()
    return sessions


async def snapshot(client, app, sessions: dict, ids: dict) -> dict[tuple[str, str], tuple[int, str]]:
    seen = {}
    for role in VIEWERS:
        headers, cookies = sessions[role]
        client.cookies.clear()
        client.cookies.update(cookies)
        for path in get_routes(app):
            url = fill(path, ids)
            response = await client.get(url, headers=headers)
            body = response.content.decode("utf-8", errors="replace")
            seen[(role, path)] = (response.status_code, normalised(body, ids))
    client.cookies.clear()
    return seen


async def submitted(client, headers: dict, tender: dict, name: str) -> dict:
    lot = await TenderLot.select(TenderLot.id).where(TenderLot.tender == tender["id"]).first()
    created = await client.post("/api/v1/bids/", headers=headers, json={"tender_id": tender["id"], "lot_id": lot["id"]})
    assert created.status_code == 201, created.text
    bid_id = created.json()["id"]
    saved = await client.put(
        f"/api/v1/bids/{bid_id}",
        headers=headers,
        json={
            "price_fen": 35_000_000,
            "answers": {"c1": "服务方案"},
            "team": [{"name": "负责人", "level": "intermediate", "role": "lead", "certificate_no": "ZS001"}],
        },
    )
    assert saved.status_code == 200, saved.text
    uploaded = await upload(client, headers, bid_id, f"{name}方案.pdf", PDF + name.encode())
    assert uploaded.status_code == 201, uploaded.text
    receipt = await client.post(f"/api/v1/bids/{bid_id}/submit", headers=headers)
    assert receipt.status_code == 200, receipt.text
    return {"bid_id": bid_id, "document_id": uploaded.json()["id"], "receipt_no": receipt.json()["receipt_no"]}


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for key, (status, body) in before.items():
        other_status, other_body = after[key]
        if (status, body) != (other_status, other_body):
            first = next((i for i, (a, b) in enumerate(zip(body, other_body, strict=False)) if a != b), None)
            start = max((first or 0) - 80, 0)
            found.append(
                f"{key[0]} {key[1]}: {status}->{other_status} "
                f"{body[start : start + 200]!r} vs {other_body[start : start + 200]!r}"
            )
    return found


async def test_no_one_can_tell_whether_or_how_many_organizations_bid_before_the_opening(client, app):
    await a_fourth_eligible_organization(client)
    tender = await published_tender(client)
    ids = {"tender_id": tender["id"], **MADE_UP}
    sessions = await sign_in_everyone(client)
    # Reading leaves traces of its own (a member's first download of the tender documents is
    # recorded, which opens its 质疑 period): read everything once before the first snapshot.
    await snapshot(client, app, sessions, ids)

    nobody = await snapshot(client, app, sessions, ids)
    first = await submitted(client, sessions[BIDDERS[0]][0], tender, BIDDERS[0])
    one = await snapshot(client, app, sessions, {**ids, **first})
    for username in BIDDERS[1:]:
        await submitted(client, sessions[username][0], tender, username)
    three = await snapshot(client, app, sessions, {**ids, **first})

    assert len(nobody) > 30 * len(VIEWERS)
    assert not differences(nobody, one), "\n".join(differences(nobody, one)[:10])
    assert not differences(one, three), "\n".join(differences(one, three)[:10])
