"""Every date and time people read is Beijing time (design.md: UTC in the database,
Asia/Shanghai on screen).

The records here are made between 00:00 and 08:00 Beijing time, when the UTC date
is still the day before: a tender published at 01:48 on 10 June (17:48 UTC on
9 June), its question, answer, bids, receipts and bond, its opening at 07:45 on
6 July (23:45 UTC on 5 July), the evaluation and award that morning. Each page
that shows them must show the Beijing day and never the UTC one.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx

from procurement.accounts.tables import User
from procurement.bids.tables import Bid, BidBond, BidSubmission
from procurement.core import clock
from procurement.core.web import fmt_date, fmt_time
from procurement.tenders.tables import Notice
from tests.integration.bid_helpers import PDF, draft_bid, published_tender, upload
from tests.integration.conftest import api_login, page_login
from tests.integration.evaluation_helpers import (
    chair_headers,
    comply_all,
    declare_all,
    deliver_report,
    draw,
    elect_chair,
    member_logins,
    qualify_all,
    score_all,
)

PUBLISHED = clock.to_utc(datetime(2026, 6, 10, 1, 48))  # 2026-06-09 17:48 UTC
OPENING = datetime(2026, 7, 6, 7, 30)  # a Monday, Beijing wall time (2026-07-05 23:30 UTC)
OPENED = clock.to_utc(datetime(2026, 7, 6, 7, 45))
DAY_ONE, UTC_ONE = "2026-06-10", "2026-06-09"
DAY_TWO, UTC_TWO = "2026-07-06", "2026-07-05"
SCORES = {"幸福家": {"c1": "60"}, "颐乐": {"c1": "55"}, "阳光": {"c1": "50"}}


def visible(html: str) -> str:
    """What a person reads: the text without tags, scripts and styles (attributes such
    as <time datetime> hold machine-readable instants with their offset)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def as_user(client: httpx.AsyncClient, username: str | None) -> None:
    client.cookies.clear()
    if username:
        await page_login(client, username)


async def read(client, username: str | None, path: str) -> str:
    await as_user(client, username)
    response = await client.get(path)
    assert response.status_code == 200, (username, path, response.status_code, response.text[:300])
    return visible(response.text)


def step(minutes: int = 1) -> None:
    clock.tick(timedelta(minutes=minutes))


def test_the_helpers_turn_an_early_morning_instant_into_its_beijing_day():
    assert fmt_date(PUBLISHED) == DAY_ONE and fmt_time(PUBLISHED) == f"{DAY_ONE} 01:48"
    assert PUBLISHED.date().isoformat() == UTC_ONE  # the UTC day the pages must not show
    assert fmt_date(PUBLISHED.date()) == UTC_ONE  # a date is a calendar day already: shown as it is


async def test_every_page_shows_beijing_dates_for_records_made_before_8_am(client):
    clock.freeze(PUBLISHED)
    tender = await published_tender(client, title="凌晨发布的项目", bid_deadline=OPENING.isoformat())
    tender_id = tender["id"]
    notice = await Notice.select(Notice.id).where(Notice.tender == tender_id).first()

    step(5)
    asker = await api_login(client, "xingfujia")
    asked = await client.post(
        f"/api/v1/tenders/{tender_id}/questions", headers=asker, json={"question": "服务期限从何时起算？"}
    )
    assert asked.status_code == 201, asked.text
    step(5)
    officer = await api_login(client, "officer")
    answered = await client.post(
        f"/api/v1/questions/{asked.json()['id']}/answer", headers=officer, json={"answer": "自合同签订之日起算。"}
    )
    assert answered.status_code == 200, answered.text

    bids: dict[str, dict] = {}
    for username, price in (("xingfujia", 35_000_000), ("yile", 36_000_000), ("yangguang", 34_000_000)):
        step(2)
        bid, headers = await draft_bid(client, username, tender, price_fen=price)
        assert (await upload(client, headers, bid["id"], "投标文件.pdf", PDF + username.encode())).status_code == 201
        submitted = await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)
        assert submitted.status_code == 200, submitted.text
        bids[username] = bid
    receipt = (
        await BidSubmission.select(BidSubmission.receipt_no).where(BidSubmission.bid == bids["xingfujia"]["id"]).first()
    )["receipt_no"]
    step(2)
    reference = (
        await BidBond.select(BidBond.reference).where(BidBond.tender == tender_id).order_by(BidBond.id).first()
    )["reference"]
    finance = await api_login(client, "finance")
    paid = await client.post("/api/v1/bid-bonds/payments", headers=finance, json={"reference": reference})
    assert paid.status_code == 200, paid.text
    step(10)  # 02:19 in Beijing, still 9 June in UTC

    first_pages = [
        (None, "/"),
        (None, "/notices"),
        (None, f"/notices/{notice['id']}"),
        (None, f"/tenders/{tender_id}"),
        ("xingfujia", "/org/tenders"),
        ("xingfujia", "/org/bids"),
        ("xingfujia", f"/org/bids/{bids['xingfujia']['id']}"),
        ("xingfujia", f"/org/receipts/{receipt}"),
        ("xingfujia", "/dashboard"),
        ("xingfujia", "/inbox"),
        ("officer", "/bureau/tenders"),
        ("officer", f"/bureau/tenders/{tender_id}"),
        ("officer", "/bureau/bid-bonds"),
        ("finance", "/bureau/bid-bonds"),
        ("admin", "/admin/users"),
        ("admin", "/admin/audit"),
    ]
    for username, path in first_pages:
        text = await read(client, username, path)
        assert DAY_ONE in text, (username, path, "the Beijing date is missing")
        assert UTC_ONE not in text, (username, path, "a UTC date is shown", text[text.find(UTC_ONE) - 80 :][:200])

    # The opening, at 07:45 on 6 July in Beijing (23:45 on 5 July in UTC), and the evaluation that morning.
    clock.freeze(OPENED)
    officer = await api_login(client, "officer")
    opened = await client.get(f"/api/v1/tenders/{tender_id}/opening/", headers=officer)
    assert opened.status_code == 200, opened.text
    step()
    await qualify_all(client, officer, tender_id)
    step()
    panel = await draw(client, officer, tender_id)
    logins = await member_logins(client, panel)
    step()
    await declare_all(client, panel, logins)
    await elect_chair(client, panel, logins)
    chair = await chair_headers(panel, logins)
    step()
    await comply_all(client, chair, tender_id)
    step()
    await score_all(client, tender_id, logins, SCORES)
    step()
    delivered = await deliver_report(client, chair, tender_id)
    assert delivered.status_code == 200, delivered.text
    step()
    lot_id = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()["lots"][0]["lot_id"]
    awarded = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["xingfujia"]["id"]}]},
    )
    assert awarded.status_code == 200, awarded.text
    step()

    member = next(m for m in panel["members"] if m["id"] in logins and not m.get("is_chair"))
    expert = (await User.select(User.username).where(User.id == member["user_id"]).first())["username"]
    scored_bid = (await Bid.select(Bid.id).where(Bid.id == bids["yile"]["id"]).first())["id"]
    second_pages = [
        ("officer", f"/tenders/{tender_id}/opening-record"),
        ("xingfujia", f"/tenders/{tender_id}/opening-record"),
        ("officer", f"/tenders/{tender_id}/evaluation"),
        ("officer", f"/tenders/{tender_id}/award"),
        ("officer", "/dashboard"),
        ("officer", "/inbox"),
        (expert, f"/review/panels/{panel['id']}"),
        (expert, f"/review/bids/{scored_bid}"),
        ("xingfujia", f"/bids/{bids['xingfujia']['id']}/result"),
        ("yile", f"/bids/{bids['yile']['id']}/result"),
        (None, "/"),
        (None, "/notices"),
        ("admin", "/admin/audit"),
    ]
    for username, path in second_pages:
        text = await read(client, username, path)
        assert DAY_TWO in text, (username, path, "the Beijing date is missing")
        for utc_day in (UTC_ONE, UTC_TWO):
            assert utc_day not in text, (username, path, "a UTC date is shown", text[text.find(utc_day) - 80 :][:200])
