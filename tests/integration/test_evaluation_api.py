"""Review, scoring, ranking, report and award through the API (rules 18, 21–26;
invariants 3, 5, 6), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re

from pypdf import PdfReader

from procurement.bids.tables import BidBond
from procurement.core.tables import AuditEvent
from procurement.evaluation.tables import ScoreCorrection
from procurement.tenders.tables import Notice, Tender
from tests.integration.conftest import api_login
from tests.integration.evaluation_helpers import (
    bids_by_org,
    comply_all,
    deliver_report,
    draw,
    evaluated,
    member_logins,
    opened_tender,
    qualify_all,
    score_all,
    seated_panel,
    sheet,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def chinese_problem(response, *statuses: int) -> str:
    assert response.status_code in statuses, response.text
    body = response.json()
    text = body.get("detail", "") + json.dumps(body.get("errors", {}), ensure_ascii=False)
    assert CHINESE.search(text), body
    return text


def cjk_fonts(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    fonts = set()
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return [f for f in fonts if "CJK" in f or "Noto" in f]


# --------------------------------------------------------------------------- invariant 5


async def test_an_undeclared_member_sees_no_bid_and_cannot_score(client):
    tender_id, officer = await opened_tender(client)
    await qualify_all(client, officer, tender_id)
    panel = await draw(client, officer, tender_id)
    logins = await member_logins(client, panel)
    bid_id = next(iter((await bids_by_org(tender_id)).values()))
    member_id, headers = next(iter(logins.items()))
    for url in (
        f"/api/v1/bids/{bid_id}",
        f"/api/v1/bids/{bid_id}/scoring",
        f"/api/v1/tenders/{tender_id}/ranking",
        f"/api/v1/tenders/{tender_id}/reviews",
    ):
        refused = await client.get(url, headers=headers)
        assert refused.status_code in (403, 404), (url, refused.text)
        assert "幸福家" not in refused.text and "338" not in refused.text
    scored = await client.put(
        f"/api/v1/bids/{bid_id}/score-sheet", headers=headers, json=sheet({"c1": "20"}, submit=False)
    )
    assert "回避声明" in chinese_problem(scored, 403)
    declared = await client.post(
        f"/api/v1/panels/{panel['id']}/declaration", headers=headers, json={"no_conflict": True}
    )
    assert declared.status_code == 200, declared.text
    assert (await client.get(f"/api/v1/bids/{bid_id}", headers=headers)).status_code == 200
    # The others have not declared, so no majority can elect: the buyer appoints this member chair.
    appointed = await client.post(
        f"/api/v1/tenders/{tender_id}/panel/chair", headers=officer, json={"member_id": member_id}
    )
    assert appointed.status_code == 200, appointed.text
    await comply_all(client, headers, tender_id)
    view = await client.get(f"/api/v1/bids/{bid_id}/scoring", headers=headers)
    assert view.status_code == 200, view.text
    assert [c["max_points"] for c in view.json()["criteria"]] == [30, 20, 15, 15]
    # A member who declares a conflict afterwards is removed and sees nothing again.
    conflict = await client.post(
        f"/api/v1/panels/{panel['id']}/declaration",
        headers=headers,
        json={"no_conflict": False, "note": "发现曾在该机构兼职"},
    )
    assert conflict.status_code == 200, conflict.text
    assert (await client.get(f"/api/v1/bids/{bid_id}", headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/bids/{bid_id}/scoring", headers=headers)).status_code == 403


# --------------------------------------------------------------------------- review (rule 18)


async def test_failing_a_bid_needs_a_reason_and_too_few_left_fails_the_tender(client):
    tender_id, officer = await opened_tender(client)
    bids = await bids_by_org(tender_id)
    no_reason = await client.post(f"/api/v1/bids/{bids['阳光']}/qualification", headers=officer, json={"passed": False})
    assert "理由" in chinese_problem(no_reason, 422)
    member = await api_login(client, "xingfujia")
    assert (
        await client.post(f"/api/v1/bids/{bids['颐乐']}/qualification", headers=member, json={"passed": True})
    ).status_code == 403
    failed = await client.post(
        f"/api/v1/bids/{bids['阳光']}/qualification",
        headers=officer,
        json={"passed": False, "reason": "未提供社区矫正工作经验证明，未实质性响应招标文件。"},
    )
    assert failed.status_code == 200, failed.text
    rows = {r["bid_id"]: r for r in failed.json()}
    assert rows[bids["阳光"]]["status"] == "disqualified" and "社区矫正" in rows[bids["阳光"]]["reason"]
    tender = await Tender.select(Tender.status).where(Tender.id == tender_id).first()
    assert tender["status"] == "failed", "2 bids left, fewer than 3: 废标 (rule 18)"
    notice = (
        await Notice.select(Notice.title, Notice.content)
        .where((Notice.tender == tender_id) & (Notice.notice_type == "failure"))
        .first()
    )
    assert notice is not None and "仅剩 2 家" in notice["content"]
    again = await client.post(f"/api/v1/bids/{bids['颐乐']}/qualification", headers=officer, json={"passed": True})
    assert "废标" in chinese_problem(again, 409)


# --------------------------------------------------------------------------- scoring (rules 21–25)


async def test_sheet_bounds_comments_locking_and_confidentiality(client):
    tender_id, officer, panel, logins, chair = await seated_panel(client)
    await comply_all(client, chair, tender_id)
    bid_id = (await bids_by_org(tender_id))["幸福家"]
    (first_id, first), (second_id, second) = list(logins.items())[:2]
    url = f"/api/v1/bids/{bid_id}/score-sheet"
    out_of_range = await client.put(url, headers=first, json=sheet({"c1": "31", "c2": "12", "c3": "15", "c4": "12"}))
    assert "c1" in chinese_problem(out_of_range, 422)
    no_comment = await client.put(
        url,
        headers=first,
        json={"scores": {"c1": "30", "c2": "12", "c3": "15", "c4": "12"}, "comments": {}, "submit": True},
    )
    assert "满分" in chinese_problem(no_comment, 422)
    incomplete = await client.put(url, headers=first, json=sheet({"c1": "20"}))
    chinese_problem(incomplete, 422)
    draft = await client.put(url, headers=first, json=sheet({"c1": "20"}, submit=False))
    assert draft.status_code == 200 and draft.json()["mine"]["status"] == "draft"
    # Nothing was half-saved by the refused attempts, and the draft is private.
    done = await client.put(url, headers=second, json=sheet({"c1": "25", "c2": "12", "c3": "15", "c4": "12"}))
    assert done.status_code == 200, done.text
    assert done.json()["others"] == [], "the first member has only a draft: nothing to show"
    mine = await client.get(f"/api/v1/bids/{bid_id}/scoring", headers=first)
    assert mine.json()["others_hidden"] is True and mine.json()["others"] == []
    assert "25" not in json.dumps(mine.json()["others"])
    ranking = await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=first)
    assert "提交" in chinese_problem(ranking, 403)
    submitted = await client.put(url, headers=first, json=sheet({"c1": "20.5", "c2": "12", "c3": "15", "c4": "12"}))
    assert submitted.status_code == 200, submitted.text
    others = submitted.json()["others"]
    assert [o["scores"]["c1"] for o in others] == ["25"], (
        "after submitting, the member sees the others' submitted sheets"
    )
    locked = await client.put(url, headers=first, json=sheet({"c1": "21", "c2": "12", "c3": "15", "c4": "12"}))
    assert "已提交" in chinese_problem(locked, 409)
    audit = await AuditEvent.select().where(AuditEvent.action == "score_sheet.submitted")
    assert len(audit) == 2


async def test_totals_ranking_report_and_award_in_rank_order(client):
    tender_id, officer, panel, logins, chair = await evaluated(client)
    ranking = await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)
    assert ranking.status_code == 200, ranking.text
    body = ranking.json()
    [lot] = body["lots"]
    # By hand: base price ¥329,000 (阳光). 幸福家 26+12+15+12 + 329000/338000×20 (19.47) = 84.47;
    # 颐乐 24+12+10+11 + 329000/346500×20 (18.99) = 75.99; 阳光 22+12+10+10 + 20.00 = 74.00.
    assert [(b["organization_name"][-8:], b["total"], b["rank"]) for b in lot["bids"]] == [
        ("幸福家社会工作服务中心"[-8:], "84.47", 1),
        ("上城区清波颐乐养老服务社"[-8:], "75.99", 2),
        ("上城区阳光青少年成长服务中心"[-8:], "74.00", 3),
    ]
    assert [b["price_score"] for b in lot["bids"]] == ["19.47", "18.99", "20.00"]
    assert lot["base_price_fen"] == 32_900_000
    assert body["complete"] is True and body["blockers"] == [] and body["report_delivered_at"]
    assert body["award_due_on"]
    # Members who submitted everything may see the ranking too.
    assert (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=chair)).status_code == 200
    report = await client.get(f"/api/v1/tenders/{tender_id}/evaluation-report", headers=officer)
    assert report.status_code == 200 and report.headers["content-type"] == "application/pdf"
    assert cjk_fonts(report.content), "the report embeds a CJK font"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report.content)).pages)
    for expected in ("评审报告", "回避声明", "84.47", "资格审查和符合性审查", "评标委员会成员签字"):
        assert expected in text, expected
    bids = await bids_by_org(tender_id)
    lot_id = lot["lot_id"]
    # Not the top-ranked without a reason: refused, nothing changes.
    second = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["颐乐"]}]},
    )
    assert "理由" in chinese_problem(second, 422)
    assert (await Tender.select(Tender.status).where(Tender.id == tender_id).first())["status"] == "evaluating"
    member = await api_login(client, "xingfujia")
    assert (
        await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=member,
            json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]},
        )
    ).status_code == 403
    awarded = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]},
    )
    assert awarded.status_code == 200, awarded.text
    notice = awarded.json()
    assert notice["awards"][0]["amount_fen"] == 33_800_000 and notice["awards"][0]["rank"] == 1
    assert (
        "中标（成交）结果公告" in notice["title"]
        and "84.47" in notice["content"]
        and "评审委员会成员" in notice["content"]
    )
    again = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]},
    )
    assert again.status_code == 409
    # Public: the notice on the portal and through the API, for an anonymous visitor.
    public = await client.get(f"/api/v1/tenders/{tender_id}/award-notice")
    assert public.status_code == 200 and public.json()["notice_id"] == notice["notice_id"]
    listed = await client.get("/api/v1/notices/", params={"type": "result"})
    assert listed.status_code == 200 and any(n["id"] == notice["notice_id"] for n in listed.json()["items"])
    # The winner downloads the award letter; a loser cannot, and sees its own score and rank.
    letter = await client.get(f"/api/v1/awards/{notice['awards'][0]['id']}/letter", headers=member)
    assert letter.status_code == 200 and cjk_fonts(letter.content)
    assert "中标（成交）通知书" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages)
    loser = await api_login(client, "yile")
    assert (await client.get(f"/api/v1/awards/{notice['awards'][0]['id']}/letter", headers=loser)).status_code == 403
    result = await client.get(f"/api/v1/bids/{bids['颐乐']}/result", headers=loser)
    assert result.status_code == 200, result.text
    assert result.json()["rank"] == 2 and result.json()["total"] == "75.99" and result.json()["won"] is False
    assert "84.47" not in json.dumps(result.json()), "a result letter shows only the bidder's own scores"
    assert (await client.get(f"/api/v1/bids/{bids['幸福家']}/result", headers=loser)).status_code == 404
    # Losers' bid bonds fall due 5 working days after the notice (rule 29); the winner's waits for signing.
    bonds = await BidBond.select(BidBond.organization.name, BidBond.refund_due_on).where(BidBond.tender == tender_id)
    for bond in bonds:
        assert (bond["refund_due_on"] is None) == ("幸福家" in bond["organization.name"]), bond


async def test_a_choice_out_of_rank_order_is_kept_with_its_reason(client):
    tender_id, officer, panel, logins, chair = await evaluated(client)
    bids = await bids_by_org(tender_id)
    lot_id = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()["lots"][0]["lot_id"]
    awarded = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["颐乐"], "reason": "排名第一的供应商书面放弃中标资格。"}]},
    )
    assert awarded.status_code == 200, awarded.text
    assert awarded.json()["awards"][0]["reason"].startswith("排名第一")
    row = await AuditEvent.select(AuditEvent.after).where(AuditEvent.action == "tender.award").first()
    assert "书面放弃" in row["after"]


async def test_the_report_waits_for_every_sheet_and_consistent_objective_scores(client):
    tender_id, officer, panel, logins, chair = await seated_panel(client)
    await comply_all(client, chair, tender_id)
    early = await client.post(f"/api/v1/tenders/{tender_id}/evaluation-report", headers=chair)
    assert "评分" in chinese_problem(early, 409)
    # One member reads the team differently on an objective criterion.
    bids = await bids_by_org(tender_id)
    await score_all(client, tender_id, {k: v for k, v in list(logins.items())[1:]})
    odd_id, odd = list(logins.items())[0]
    from tests.integration.evaluation_helpers import DEFAULT_SCORES

    for org, bid_id in bids.items():
        scores = dict(DEFAULT_SCORES[org])
        if org == "颐乐":
            scores["c2"] = "8"
        assert (
            await client.put(f"/api/v1/bids/{bid_id}/score-sheet", headers=odd, json=sheet(scores))
        ).status_code == 200
    board = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()
    yile = next(b for b in board["lots"][0]["bids"] if b["bid_id"] == bids["颐乐"])
    assert yile["inconsistent"] == ["c2"]
    assert any("不一致" in b for b in board["blockers"])
    spread = next(s for s in yile["spreads"] if s["criterion_key"] == "c2")
    assert spread["spread"] == "4" and spread["outliers"] == [], "4 of 20 points is within the 30 % outlier threshold"
    blocked = await client.post(f"/api/v1/tenders/{tender_id}/evaluation-report", headers=chair)
    assert "不一致" in chinese_problem(blocked, 409)
    # Rule 25: only four reasons; the subjective/objective fit is checked; history is kept.
    view = (await client.get(f"/api/v1/bids/{bids['颐乐']}/scoring", headers=odd)).json()
    sheet_id = view["mine"]["id"]
    url = f"/api/v1/score-sheets/{sheet_id}/corrections"
    other_reason = await client.post(
        url,
        headers=odd,
        json={"criterion_key": "c2", "new_points": "12", "reason": "changed_my_mind", "explanation": "重新考虑"},
    )
    chinese_problem(other_reason, 400, 422)
    wrong_kind = await client.post(
        url,
        headers=odd,
        json={"criterion_key": "c1", "new_points": "20", "reason": "objective_inconsistent", "explanation": "统一口径"},
    )
    assert "主观" in chinese_problem(wrong_kind, 422)
    someone_else = await client.post(
        url,
        headers=chair if chair is not odd else list(logins.values())[1],
        json={"criterion_key": "c2", "new_points": "12", "reason": "objective_inconsistent", "explanation": "统一口径"},
    )
    assert someone_else.status_code == 403
    fixed = await client.post(
        url,
        headers=odd,
        json={
            "criterion_key": "c2",
            "new_points": "12",
            "reason": "objective_inconsistent",
            "explanation": "按持证社工人数核对，应为 3 人 12 分。",
        },
    )
    assert fixed.status_code == 200, fixed.text
    [correction] = fixed.json()["mine"]["corrections"]
    assert (correction["old_points"], correction["new_points"], correction["reason"]) == (
        "8",
        "12",
        "objective_inconsistent",
    )
    assert correction["corrected_by"] and correction["explanation"].startswith("按持证社工")
    assert fixed.json()["mine"]["scores"]["c2"] == "12"
    assert await ScoreCorrection.count() == 1
    delivered = await deliver_report(client, chair, tender_id)
    assert delivered.status_code == 200, delivered.text
    report = await client.get(f"/api/v1/tenders/{tender_id}/evaluation-report", headers=officer)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report.content)).pages)
    assert "评分更正记录" in text and "按持证社工" in text
    late = await client.post(
        url,
        headers=odd,
        json={"criterion_key": "c2", "new_points": "11", "reason": "summing_error", "explanation": "再改"},
    )
    assert late.status_code == 409


async def test_the_buyer_may_declare_failure_during_the_evaluation(client):
    tender_id, officer = await opened_tender(client)
    await qualify_all(client, officer, tender_id)
    await draw(client, officer, tender_id)
    member = await api_login(client, "xingfujia")
    assert (
        await client.post(
            f"/api/v1/tenders/{tender_id}/failure",
            headers=member,
            json={"reason": "全部投标报价均超过采购预算，依法废标。"},
        )
    ).status_code == 403
    short = await client.post(f"/api/v1/tenders/{tender_id}/failure", headers=officer, json={"reason": "废标"})
    chinese_problem(short, 400, 422)
    failed = await client.post(
        f"/api/v1/tenders/{tender_id}/failure",
        headers=officer,
        json={"reason": "发现投标人之间存在串通投标情形，影响采购公正，依法废标。"},
    )
    assert failed.status_code == 200, failed.text
    notice = (
        await Notice.select(Notice.content)
        .where((Notice.tender == tender_id) & (Notice.notice_type == "failure"))
        .first()
    )
    assert "串通投标" in notice["content"]
    assert (await BidBond.count().where((BidBond.tender == tender_id) & BidBond.refund_due_on.is_null())) == 0
    again = await client.post(
        f"/api/v1/tenders/{tender_id}/failure", headers=officer, json={"reason": "再次宣布废标应被拒绝，因为已经废标。"}
    )
    assert again.status_code == 409
