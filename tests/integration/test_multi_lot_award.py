"""A tender with two lots: each lot is reviewed, ranked and awarded on its own;
a lot left with fewer valid bids than the minimum cannot be awarded (rules 18, 24, 26)."""

from __future__ import annotations

from datetime import timedelta

from procurement.awards.tables import Award
from procurement.core import clock
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import PDF, published_tender, upload
from tests.integration.conftest import api_login
from tests.integration.evaluation_helpers import (
    chair_headers,
    comply_all,
    declare_all,
    deliver_report,
    draw,
    elect_chair,
    member_logins,
    sheet,
)
from tests.integration.test_evaluation_api import chinese_problem

# lot 1: all three bid; lot 2: only 幸福家 and 颐乐 (fewer than 3 → that lot fails, rule 18).
PRICES = {
    ("xingfujia", 1): 18_000_000,
    ("yile", 1): 19_000_000,
    ("yangguang", 1): 18_500_000,
    ("xingfujia", 2): 17_000_000,
    ("yile", 2): 16_500_000,
}


async def two_lot_tender_scored(client):
    tender = await published_tender(
        client,
        title="测试两包项目",
        lots=[
            {"name": "第一包 心理矫治", "budget_fen": 20_000_000},
            {"name": "第二包 就业帮扶", "budget_fen": 20_000_000},
        ],
        bid_bond_fen=0,
    )
    lots = {lot["number"]: lot["id"] for lot in tender["lots"]}
    bid_ids = {}
    for (username, number), price in PRICES.items():
        headers = await api_login(client, username)
        bid = (
            await client.post(
                "/api/v1/bids/", headers=headers, json={"tender_id": tender["id"], "lot_id": lots[number]}
            )
        ).json()
        saved = await client.put(
            f"/api/v1/bids/{bid['id']}",
            headers=headers,
            json={
                "price_fen": price,
                "answers": {"c1": "方案"},
                "team": [{"name": "负责人", "level": "intermediate", "role": "lead", "certificate_no": "ZS001"}],
            },
        )
        assert saved.status_code == 200, saved.text
        assert (
            await upload(client, headers, bid["id"], "投标文件.pdf", PDF + f"{username}{number}".encode())
        ).status_code == 201
        assert (await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)).status_code == 200
        bid_ids[(username, number)] = bid["id"]
    opening = (await Tender.select(Tender.opening_at).where(Tender.id == tender["id"]).first())["opening_at"]
    clock.freeze(opening + timedelta(minutes=5))
    officer = await api_login(client, "officer")
    assert (await client.get(f"/api/v1/tenders/{tender['id']}/opening/", headers=officer)).status_code == 200
    for bid_id in bid_ids.values():  # the buyer's 资格审查 first (rule 41)
        assert (
            await client.post(f"/api/v1/bids/{bid_id}/qualification", headers=officer, json={"passed": True})
        ).status_code == 200
    panel = await draw(client, officer, tender["id"])
    logins = await member_logins(client, panel)
    await declare_all(client, panel, logins)
    await elect_chair(client, panel, logins)
    chair = await chair_headers(panel, logins)
    await comply_all(client, chair, tender["id"])
    scores = {"xingfujia": "60", "yile": "55", "yangguang": "55"}
    for headers in logins.values():
        for (username, _), bid_id in bid_ids.items():
            saved = await client.put(
                f"/api/v1/bids/{bid_id}/score-sheet", headers=headers, json=sheet({"c1": scores[username]})
            )
            assert saved.status_code == 200, saved.text
    assert (await deliver_report(client, chair, tender["id"])).status_code == 200
    return tender["id"], lots, bid_ids, officer


async def test_each_lot_is_ranked_and_a_short_lot_cannot_be_awarded(client):
    try:
        tender_id, lots, bids, officer = await two_lot_tender_scored(client)
        board = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()
        first, second = board["lots"]
        # Lot 1, base ¥180,000: 幸福家 60 + 30.00 = 90.00; 阳光 55 + 180000/185000×30 (29.19) = 84.19;
        # 颐乐 55 + 180000/190000×30 (28.42) = 83.42. Lot 2 has its own base price, ¥165,000 (颐乐).
        assert [(b["total"], b["rank"]) for b in first["bids"]] == [("90.00", 1), ("84.19", 2), ("83.42", 3)]
        assert second["base_price_fen"] == 16_500_000
        lot2 = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={
                "choices": [
                    {"lot_id": lots[1], "bid_id": bids[("xingfujia", 1)]},
                    {"lot_id": lots[2], "bid_id": bids[("xingfujia", 2)]},
                ]
            },
        )
        assert "不足 3 家" in chinese_problem(lot2, 422)
        wrong_lot = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={"choices": [{"lot_id": lots[1], "bid_id": bids[("yile", 2)]}]},
        )
        chinese_problem(wrong_lot, 422)
        nothing = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={"choices": [{"lot_id": lots[2], "bid_id": bids[("yile", 2)]}]},
        )
        assert "请为第1包" in chinese_problem(nothing, 422)
        done = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={"choices": [{"lot_id": lots[1], "bid_id": bids[("xingfujia", 1)]}]},
        )
        assert done.status_code == 200, done.text
        [award] = await Award.select().where(Award.tender == tender_id)
        assert award["lot"] == lots[1] and award["amount_fen"] == 18_000_000
        assert "第2包 第二包 就业帮扶：有效投标 2 家，不足 3 家，该包废标" in done.json()["content"]
    finally:
        clock.freeze(None)
