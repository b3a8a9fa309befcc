"""Invariant 2 in the audit log: before a tender's opening nothing an administrator
reads — the API listing (every page, any filter), the audit page, the CSV export,
the verification and the dashboard — differs between a tender with 0, 1 and 3 bids.
The same story is played three times on a fresh database whose ids start from the
same numbers, and the answers are compared after only times, CSRF tokens and the
(deliberately random) cursors are normalised. After the opening the rows appear.
"""

from __future__ import annotations

import re
from datetime import timedelta

from piccolo.querystring import QueryString

from procurement.bids.opening import open_tender
from procurement.bids.tables import Bid
from procurement.core import clock, db
from procurement.core.tables import AuditEvent
from procurement.system import audit_seal
from tests.integration.bid_helpers import PDF, published_tender
from tests.integration.conftest import _wipe, api_login, page_login, tables_in_delete_order
from tests.integration.test_bids_api import past_deadline

BIDDERS = ("xingfujia", "yile", "yangguang")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CSRF = re.compile(r'(name="_csrf_token" value=|name="csrf-token" content=)"[^"]+"')
_CURSOR = re.compile(r"(cursor=|\"next_cursor\":\s*\")[A-Za-z0-9_\-%]+")


def normalise(text: str) -> str:
    text = _CURSOR.sub(r"\1CURSOR", text)
    text = _CSRF.sub(r'\1"CSRF"', text)
    text = _TIME.sub("TIME", text)
    return _DATE.sub("DATE", text)


async def fresh_database() -> None:
    """What the ``clean`` fixture does, and ids starting again from 1 (PostgreSQL
    sequences survive a DELETE), so that three runs can be compared byte for byte."""
    from procurement.demo import load_demo
    from procurement.system.services import load_calendar

    await _wipe()
    engine = db.get_engine()
    if db.is_sqlite():
        found = await engine.run_querystring(
            QueryString("SELECT name FROM sqlite_master WHERE type='table' AND name='sqlite_sequence'")
        )
        if found:
            await engine.run_querystring(QueryString("DELETE FROM sqlite_sequence"))
    else:
        for table in tables_in_delete_order():
            name = table._meta.tablename
            await engine.run_querystring(
                QueryString(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), 1, false)")
            )
    clock.freeze(None)
    clock.set_offset(timedelta(0))
    await load_demo()
    await load_calendar()


async def bid(client, headers: dict, tender_id: int, n: int) -> int:
    """Create, fill, upload and submit one bid with the bidder's own session."""
    lot = (await client.get(f"/api/v1/tenders/{tender_id}", headers=headers)).json()["lots"][0]["id"]
    created = await client.post("/api/v1/bids/", headers=headers, json={"tender_id": tender_id, "lot_id": lot})
    assert created.status_code == 201, created.text
    bid_id = created.json()["id"]
    saved = await client.put(
        f"/api/v1/bids/{bid_id}",
        headers=headers,
        json={
            "price_fen": 35_000_000 + n,
            "answers": {"c1": "服务方案"},
            "team": [{"name": "负责人", "level": "intermediate", "role": "lead", "certificate_no": f"ZS00{n}"}],
        },
    )
    assert saved.status_code == 200, saved.text
    uploaded = await client.post(
        f"/api/v1/bids/{bid_id}/documents",
        headers=headers,
        files={"data": ("投标文件.pdf", PDF + str(n).encode(), "application/octet-stream")},
    )
    assert uploaded.status_code == 201, uploaded.text
    submitted = await client.post(f"/api/v1/bids/{bid_id}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text
    return bid_id


async def all_pages(client, admin: dict, **params) -> list[str]:
    """Every page of the API listing, following the opaque cursor."""
    pages, cursor = [], None
    while True:
        query = {**params, "limit": 7, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v1/audit-events/", headers=admin, params=query)
        assert response.status_code == 200, response.text
        pages.append(normalise(response.text))
        cursor = response.json()["next_cursor"]
        if not cursor:
            return pages


async def what_an_administrator_reads(client, n_bids: int) -> tuple[dict[str, object], list[int]]:
    await fresh_database()
    tender = await published_tender(client)
    bidders = {name: await api_login(client, name) for name in BIDDERS}  # every story signs all three in
    bid_ids = [await bid(client, bidders[name], tender["id"], n) for n, name in enumerate(BIDDERS[:n_bids])]
    admin = await api_login(client, "admin")
    # Something visible after the bids, and an anchor, whose hash covers the sealed rows.
    added = await client.post(
        "/api/v1/calendar/entries", headers=admin, json={"day": "2027-10-08", "is_working_day": True, "name": "调休"}
    )
    assert added.status_code == 201, added.text
    from procurement.core import audit

    await audit.anchor()
    seen: dict[str, object] = {
        "api": await all_pages(client, admin),
        "api bids": await all_pages(client, admin, entity_type="bid"),
        "api bonds": await all_pages(client, admin, entity_type="bid_bond"),
        "api bidder": await all_pages(client, admin, actor="xingfujia"),
        "api tender": await all_pages(client, admin, entity_type="tender", entity_id=str(tender["id"])),
        "verify": normalise((await client.get("/api/v1/audit-events/verify", headers=admin)).text),
    }
    await page_login(client, "admin")
    first = await client.get("/admin/audit")
    assert first.status_code == 200
    seen["page"] = normalise(first.text)
    later = re.search(r'href="(/admin/audit\?[^"]*cursor=[^"]+)"', first.text)
    assert later, "the page links to older rows"
    seen["page 2"] = normalise((await client.get(later.group(1).replace("&amp;", "&"))).text)
    seen["page bids"] = normalise((await client.get("/admin/audit?entity_type=bid")).text)
    export = await client.get("/admin/audit/export.csv")
    assert export.status_code == 200 and export.content.startswith(b"\xef\xbb\xbf")
    seen["csv"] = normalise(export.content.decode("utf-8"))
    seen["csv bids"] = normalise((await client.get("/admin/audit/export.csv?entity_type=bid")).content.decode())
    seen["dashboard"] = normalise((await client.get("/dashboard")).text)
    client.cookies.clear()
    return seen, bid_ids


async def test_before_the_opening_nothing_differs_between_0_1_and_3_bids(client):
    (none, _), (one, _), (three, bid_ids) = [await what_an_administrator_reads(client, n) for n in (0, 1, 3)]
    for name in none:
        assert none[name] == one[name], f"{name}: one bid shows"
        assert none[name] == three[name], f"{name}: three bids show"
    # The rows are there all the same, and the chain (with its anchor) verifies over them.
    assert await Bid.count() >= 3
    sealed = await AuditEvent.count().where(AuditEvent.entity_type == "bid")
    assert sealed >= 3 * 4, "created, draft saved, document uploaded, submitted: stored as always"
    assert '"ok":true' in three["verify"].replace(" ", "")
    rows = await AuditEvent.select().where(AuditEvent.entity_id.is_in([str(b) for b in bid_ids]))
    assert rows and all(r["entity_type"] == "bid" for r in rows)
    receipts = [r["after"] for r in rows if r["action"] == "bid.submitted"]
    assert len(receipts) == 3 and all(receipt[20:60] not in str(three) for receipt in receipts)


async def test_after_the_opening_the_bid_rows_appear(client):
    tender = await published_tender(client)
    bidders = {name: await api_login(client, name) for name in BIDDERS}
    bid_ids = [await bid(client, bidders[name], tender["id"], n) for n, name in enumerate(BIDDERS)]
    admin = await api_login(client, "admin")
    before = (await client.get("/api/v1/audit-events/", headers=admin, params={"entity_type": "bid"})).json()
    assert before["items"] == []
    with clock.frozen(await past_deadline(tender["id"])):
        assert await open_tender(tender["id"])
        admin = await api_login(client, "admin")
        after = (
            await client.get("/api/v1/audit-events/", headers=admin, params={"entity_type": "bid", "limit": 200})
        ).json()
        submitted = {i["entity_id"] for i in after["items"] if i["action"] == "bid.submitted"}
        assert submitted == {str(b) for b in bid_ids}
        row = next(i for i in after["items"] if i["action"] == "bid.submitted")
        assert row["action_label"] == "提交投标" and row["entity_label"] == "投标"
        assert any(c["label"] == "回执编号" for c in row["changes"])
        bonds = (await client.get("/api/v1/audit-events/", headers=admin, params={"entity_type": "bid_bond"})).json()
        assert bonds["items"] == []  # no bond payment was recorded: nothing to show, not hidden
        await page_login(client, "admin")
        page = await client.get("/admin/audit?entity_type=bid")
        assert "提交投标" in page.text and "上传投标文件" in page.text
        export = await client.get("/admin/audit/export.csv?entity_type=bid")
        text = export.content.decode("utf-8-sig")
        assert text.count("bid.submitted") == 3 and "提交投标" in text


async def test_a_bid_row_stays_sealed_for_a_bid_that_cannot_be_found(client):
    """Fail closed: a ``bid`` row whose bid is not in the table (a forged or odd row)."""
    from procurement.core import audit

    await audit.record("bid.submitted", "bid", 987654321, after={"receipt_no": "X"})
    await audit.record("bid.submitted", "bid", "not-a-number", after={"receipt_no": "Y"})
    admin = await api_login(client, "admin")
    listed = (await client.get("/api/v1/audit-events/", headers=admin, params={"entity_type": "bid"})).json()
    assert listed["items"] == []


async def test_without_a_sealing_predicate_the_log_is_not_shown_at_all(client, monkeypatch):
    monkeypatch.setattr(audit_seal, "_predicates", [])
    admin = await api_login(client, "admin")
    response = await client.get("/api/v1/audit-events/", headers=admin)
    assert response.status_code == 503 and "密封" in response.json()["detail"]
    await page_login(client, "admin")
    assert (await client.get("/admin/audit/export.csv")).status_code == 503


async def test_a_cancelled_tender_shows_its_bond_rows_but_never_its_bids(client):
    """Cancelled before its opening, a tender's bids are never opened: their rows stay
    sealed. Its bonds are refunded, and the bureau then sees whose they are: so may the log."""
    from procurement.bids.tables import BidBond
    from procurement.core import audit

    tender = await published_tender(client)
    bidder = await api_login(client, "xingfujia")
    bid_id = await bid(client, bidder, tender["id"], 0)
    bond = await BidBond.select(BidBond.id).where(BidBond.tender == tender["id"]).first()
    assert bond is not None
    await audit.record("bid_bond.paid", "bid_bond", bond["id"], after={"amount_fen": 500_000})
    admin = await api_login(client, "admin")

    async def listed(kind: str) -> list[dict]:
        response = await client.get("/api/v1/audit-events/", headers=admin, params={"entity_type": kind})
        return response.json()["items"]

    assert await listed("bid") == [] and await listed("bid_bond") == []
    officer = await api_login(client, "officer")
    cancelled = await client.post(
        f"/api/v1/tenders/{tender['id']}/cancel", headers=officer, json={"reason": "服务需求调整，本项目不再采购。"}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert [i["entity_id"] for i in await listed("bid_bond")] == [str(bond["id"])]
    assert str(bid_id) not in str(await listed("bid"))
