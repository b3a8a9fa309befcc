"""Invariant 2: before the opening time nobody but its own organization can
read a bid. Every GET route of the app is requested by every role; a route
whose path parameter this test cannot fill fails the test, so a new route
cannot slip past it. The database and the files on disk are searched too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from piccolo.querystring import QueryString

from procurement.core import db
from procurement.settings import get_settings
from tests.integration.bid_helpers import (
    CANARY_BYTES,
    CANARY_NAME,
    CANARY_PRICE_FEN,
    CANARY_PRICE_TEXTS,
    CANARY_TEXT,
    PDF,
    draft_bid,
    published_tender,
    upload,
)
from tests.integration.conftest import api_login, page_login

ROLES = ["anonymous", "admin", "officer", "finance", "qingbo", "yangguang", "expert1", "pinggu"]
CANARIES = (CANARY_TEXT, CANARY_NAME, CANARY_BYTES.decode(), *CANARY_PRICE_TEXTS)


@pytest.fixture
async def sealed(client, app):
    tender = await published_tender(client)
    bid, owner = await draft_bid(client, "xingfujia", tender, price_fen=CANARY_PRICE_FEN, text=CANARY_TEXT)
    uploaded = await upload(client, owner, bid["id"], CANARY_NAME, PDF + CANARY_BYTES)
    assert uploaded.status_code == 201, uploaded.text
    receipt = await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=owner)
    assert receipt.status_code == 200, receipt.text
    return {
        "tender_id": tender["id"],
        "bid_id": bid["id"],
        "document_id": uploaded.json()["id"],
        "receipt_no": receipt.json()["receipt_no"],
        "owner": owner,
    }


def get_routes(app) -> list[str]:
    paths = []
    for route in app.routes:
        methods = getattr(route, "methods", set())
        if "GET" in methods and not route.path.startswith(("/static", "/schema")):
            paths.append(route.path)
    return sorted(set(paths))


def fill(path: str, ids: dict) -> str:
    values = {
        "tender_id": ids["tender_id"],
        "bid_id": ids["bid_id"],
        "document_id": ids["document_id"],
        "receipt_no": ids["receipt_no"],
        "org_id": 1,
        "notice_id": 1,
        "item_id": 1,
        "user_id": 1,
        "entry_id": 1,
        "question_id": 1,
        "bond_id": 1,
        "qid": 1,
        "report_id": 1,  # a contract's progress report (contracts.delivery)
        "sha256": "0" * 64,  # an attachment of a progress report
        "id": ids["tender_id"],
        "panel_id": 1,
        "award_id": 1,
        "contract_id": 1,
        "seq": 1,  # a change of a contract (contracts.changes), an installment (contracts.payments)
        "worker_id": 1,  # a social worker of a roster (contracts.staffing)
        "member_id": 1,  # a member of a contract's team
        "replacement_id": 1,  # a request to replace a member
        "file_id": 1,
        "year": 2027,
        "key": "service-standard",
        "assessment_id": 1,  # an evaluation of a contract (contracts.assessments)
        "code": "ABCD2345",  # a one-time code of a residents' survey (contracts.assessments)
        "system_id": 1,  # a version of an indicator system (contracts.assessments)
        "evidence_id": 1,  # a file of evidence of an evaluation (contracts.assessments)
        "category": "elderly",  # a service category an organization follows (procurement.catalogue)
    }

    def one(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        assert name in values, f"the sealed-bid test does not know how to fill {{{name}}} in {path}: add it"
        return str(values[name])

    return re.sub(r"\{([^}]+)\}", one, path)


async def as_role(client, role: str):
    client.cookies.clear()
    if role == "anonymous":
        return {}
    headers = await api_login(client, role)  # a token for the API
    await page_login(client, role)  # and a browser session for the pages
    return headers


def leaked(body: str) -> list[str]:
    return [c for c in CANARIES if c in body]


async def test_the_owner_sees_its_bid_so_the_canaries_can_be_detected(client, sealed):
    own = await client.get(f"/api/v1/bids/{sealed['bid_id']}", headers=sealed["owner"])
    assert own.status_code == 200 and CANARY_TEXT in own.text and CANARY_NAME in own.text
    doc = await client.get(
        f"/api/v1/bids/{sealed['bid_id']}/documents/{sealed['document_id']}", headers=sealed["owner"]
    )
    assert CANARY_BYTES in doc.content


@pytest.mark.parametrize("role", ROLES)
async def test_no_route_shows_bid_content_to_anyone_else_before_opening(client, app, sealed, role):
    headers = await as_role(client, role)
    checked = 0
    for path in get_routes(app):
        url = fill(path, sealed)
        response = await client.get(url, headers=headers)
        assert response.status_code < 500, (url, response.status_code, response.text[:300])
        body = response.content.decode("utf-8", errors="replace")
        assert not leaked(body), f"{role} read bid content at {url}: {leaked(body)}"
        checked += 1
    assert checked > 30


async def test_nothing_in_the_database_holds_bid_content_in_plain_text(client, sealed):
    engine = db.get_engine()
    if db.is_sqlite():
        tables = [
            r["name"]
            for r in await engine.run_querystring(
                QueryString(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'notice_search%'"
                )
            )
        ]
    else:
        tables = [
            r["tablename"]
            for r in await engine.run_querystring(
                QueryString("SELECT tablename FROM pg_tables WHERE schemaname='public'")
            )
        ]
    assert "bid" in tables and "bid_submission" in tables
    for table in tables:
        rows = await engine.run_querystring(QueryString(f'SELECT * FROM "{table}"'))
        text = repr(rows)
        assert not leaked(text), f"table {table} holds bid content in plain text: {leaked(text)}"


async def test_files_at_rest_are_ciphertext(client, sealed):
    from procurement.bids.tables import BidDocument

    files = [p for p in Path(get_settings().files_dir).rglob("*") if p.is_file()]
    # The same store also keeps 质疑 documents, filed after the award and not sealed (rule 27):
    # the canary must be in no file at all, and every bid document's file must be ciphertext.
    bid_blobs = {d["blob_sha256"] for d in await BidDocument.select(BidDocument.blob_sha256)}
    assert files and bid_blobs
    for path in files:
        data = path.read_bytes()
        assert CANARY_BYTES not in data, path
        assert CANARY_NAME.encode() not in str(path).encode()
        if path.name in bid_blobs:
            assert not data.startswith(b"%PDF"), path
    assert bid_blobs <= {p.name for p in files}


async def test_after_opening_the_bureau_reads_the_bid_and_other_bidders_only_the_record(client, sealed):
    from datetime import timedelta

    from procurement.core import clock

    competitor_tender = sealed["tender_id"]
    with clock.frozen(clock.now() + timedelta(days=26)):
        officer = await api_login(client, "officer")
        record = await client.get(f"/api/v1/tenders/{competitor_tender}/opening/", headers=officer)
        assert record.status_code == 200 and record.json()["valid_bids"] == 1
        bid = await client.get(f"/api/v1/bids/{sealed['bid_id']}", headers=officer)
        assert bid.status_code == 200 and CANARY_TEXT in bid.text
        other = await api_login(client, "yangguang")
        assert (await client.get(f"/api/v1/bids/{sealed['bid_id']}", headers=other)).status_code == 404
        admin = await api_login(client, "admin")
        assert (await client.get(f"/api/v1/bids/{sealed['bid_id']}", headers=admin)).status_code == 404
