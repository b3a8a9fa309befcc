"""公益创投: the pass threshold, the panel's recommended funding (never above the
request), the funded list and its 5-working-day 公示 (rule 13, rule 26)."""

from __future__ import annotations

from datetime import timedelta

from procurement.awards import services as awards
from procurement.awards.tables import Award
from procurement.core import clock
from procurement.core.calendar import get_default_calendar
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import PDF, published_tender, upload
from tests.integration.conftest import api_login, page_login
from tests.integration.evaluation_helpers import bids_by_org, deliver_report, ready_to_score, sheet
from tests.integration.test_award_challenges import at
from tests.integration.test_evaluation_api import chinese_problem

REQUESTS = {"xingfujia": 5_000_000, "yile": 4_000_000, "yangguang": 3_000_000}
# Pass score 60: 幸福家 50 + 35 = 85, 颐乐 40 + 30 = 70 pass; 阳光 30 + 20 = 50 does not.
SCORES = {"幸福家": {"c1": "50", "c2": "35"}, "颐乐": {"c1": "40", "c2": "30"}, "阳光": {"c1": "30", "c2": "20"}}
# Each member recommends a little less than asked; the panel's figure is their mean, rounded down to the yuan.
RECOMMEND = {
    "幸福家": [4_500_000, 4_600_000, 4_650_050],
    "颐乐": [4_000_000, 4_000_000, 3_800_000],
    "阳光": [1_000_000, 1_000_000, 1_000_000],
}


async def venture_call_evaluated(client):
    call = await published_tender(
        client,
        title="测试公益创投项目征集",
        method="venture_call",
        bid_bond_fen=0,
        lots=[{"name": "社区公益创投资金", "budget_fen": 10_000_000}],
        venture_terms={"cap_per_project_fen": 5_000_000, "max_share_percent": 60, "matching_required": True},
        evaluation_scheme={
            "method": "comprehensive",
            "price_weight": 0,
            "criteria": [
                {"name": "项目设计与创新性", "max_points": 60, "kind": "subjective"},
                {"name": "预算合理性与配套资金", "max_points": 40, "kind": "objective"},
            ],
        },
        team_requirements={},
    )
    lot_id = call["lots"][0]["id"]
    for username, requested in REQUESTS.items():
        headers = await api_login(client, username)
        bid = (
            await client.post("/api/v1/bids/", headers=headers, json={"tender_id": call["id"], "lot_id": lot_id})
        ).json()
        saved = await client.put(
            f"/api/v1/bids/{bid['id']}",
            headers=headers,
            json={
                "requested_fen": requested,
                "matching_fen": requested,
                "project_budget_fen": requested * 2,
                "answers": {"c1": "社区互助项目方案"},
                "team": [{"name": "负责人", "level": "intermediate", "role": "lead", "certificate_no": "ZS001"}],
                "scope_statement": "章程业务范围包括社区服务，涵盖本项目。",  # 公益创投 asks for it (rule 4)
            },
        )
        assert saved.status_code == 200, saved.text
        assert (await upload(client, headers, bid["id"], "申报书.pdf", PDF + username.encode())).status_code == 201
        submitted = await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)
        assert submitted.status_code == 200, submitted.text
    deadline = (await Tender.select(Tender.opening_at).where(Tender.id == call["id"]).first())["opening_at"]
    clock.freeze(deadline + timedelta(minutes=5))
    officer = await api_login(client, "officer")
    assert (await client.get(f"/api/v1/tenders/{call['id']}/opening/", headers=officer)).status_code == 200
    # At the 资格审查 the officer reads each statement of the charter scope and judges it (rule 4).
    await page_login(client, "officer")
    first_bid = next(iter((await bids_by_org(call["id"])).values()))
    review_page = await client.get(f"/tenders/{call['id']}/evaluation/bids/{first_bid}")
    assert review_page.status_code == 200 and "待资格审查确认" in review_page.text
    assert "章程业务范围包括社区服务，涵盖本项目。" in review_page.text
    client.cookies.clear()
    panel, logins, chair = await ready_to_score(client, officer, call["id"], size=3)
    bids = await bids_by_org(call["id"])
    for n, headers in enumerate(logins.values()):
        for org, bid_id in bids.items():
            over = await client.put(
                f"/api/v1/bids/{bid_id}/score-sheet",
                headers=headers,
                json=sheet(SCORES[org], recommended_fen=REQUESTS_BY_ORG[org] + 1),
            )
            assert "不得超过申请资助额" in chinese_problem(over, 422)
            saved = await client.put(
                f"/api/v1/bids/{bid_id}/score-sheet",
                headers=headers,
                json=sheet(SCORES[org], recommended_fen=RECOMMEND[org][n]),
            )
            assert saved.status_code == 200, saved.text
    assert (await deliver_report(client, chair, call["id"])).status_code == 200
    return call["id"], lot_id, officer, bids


REQUESTS_BY_ORG = {"幸福家": REQUESTS["xingfujia"], "颐乐": REQUESTS["yile"], "阳光": REQUESTS["yangguang"]}


async def test_the_funded_list_respects_the_threshold_the_recommendation_and_the_publicity(client):
    try:
        tender_id, lot_id, officer, bids = await venture_call_evaluated(client)
        board = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()
        rows = {b["bid_id"]: b for b in board["lots"][0]["bids"]}
        assert board["venture_pass_score"] == 60 and board["price_scored"] is False
        assert [(rows[bids[o]]["total"], rows[bids[o]]["passes"]) for o in ("幸福家", "颐乐", "阳光")] == [
            ("85.00", True),
            ("70.00", True),
            ("50.00", False),
        ]
        # mean(45,000.00; 46,000.00; 46,500.50) = 45,833.50 → 45,833 yuan; mean(40,000; 40,000; 38,000) = 39,333.33 → 39,333.
        assert rows[bids["幸福家"]]["recommended_fen"] == 4_583_300
        assert rows[bids["颐乐"]]["recommended_fen"] == 3_933_300
        failing = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={
                "choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}, {"lot_id": lot_id, "bid_id": bids["阳光"]}]
            },
        )
        assert "立项分数线" in chinese_problem(failing, 422)
        too_much = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"], "amount_fen": 4_583_301}]},
        )
        assert "建议额" in chinese_problem(too_much, 422)
        skipped = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={"choices": [{"lot_id": lot_id, "bid_id": bids["颐乐"]}]},
        )
        assert "理由" in chinese_problem(skipped, 422), "leaving out a better-ranked passing project needs a reason"
        funded = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={
                "choices": [
                    {"lot_id": lot_id, "bid_id": bids["幸福家"], "amount_fen": 4_500_000},
                    {"lot_id": lot_id, "bid_id": bids["颐乐"]},
                ]
            },
        )
        assert funded.status_code == 200, funded.text
        notice = funded.json()
        assert "公益创投立项公示" in notice["title"] and "公示期" in notice["content"]
        assert sorted(a["amount_fen"] for a in notice["awards"]) == [3_933_300, 4_500_000]
        until = notice["awards"][0]["publicity_until"]
        from datetime import date

        until = date.fromisoformat(until)
        assert get_default_calendar().working_days_between(clock.today_local(), until) == 5
        assert any("公示" in b for b in await awards.signing_blockers(tender_id))
        clock.freeze(at(until + timedelta(days=1), 9, 0))
        assert await awards.end_due_publicity() == 2
        assert await awards.end_due_publicity() == 0
        assert await awards.signing_blockers(tender_id) == []
        assert all(a["publicity_ended_at"] for a in await Award.select().where(Award.tender == tender_id))
    finally:
        clock.freeze(None)
