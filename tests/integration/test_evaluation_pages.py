"""The evaluation and award pages as each person reaches them: the expert's
回避声明 and score sheets, the bureau's evaluation and award pages, and the
bidder's result page. Refusals come back as the same page with the message,
and change nothing (invariants 5 and 6; rules 20–27)."""

from __future__ import annotations

import re

from procurement.accounts.tables import User
from procurement.awards.tables import Award, Challenge
from procurement.bids.tables import Bid
from procurement.evaluation.tables import PanelMember, ScoreCorrection, ScoreSheet
from procurement.tenders.tables import Tender
from tests.integration.conftest import api_login, csrf_from, page_login, post_form
from tests.integration.evaluation_helpers import (
    CLOSED_DEMO,
    DEFAULT_SCORES,
    bids_by_org,
    chair_headers,
    comply_all,
    declare_all,
    draw,
    elect_chair,
    evaluated,
    member_logins,
    opened_tender,
    qualify_all,
    score_all,
    seated_panel,
)

ORG_NAMES = ("幸福家社会工作服务中心", "清波颐乐养老服务社", "阳光青少年成长服务中心")
PRICES = ("338,000", "346,500", "329,000")
COMMENT = "评分理由：方案完整，证明材料齐全。"


async def _login(client, username: str) -> None:
    """Sign in through the form as someone else (a fresh browser)."""
    client.cookies.clear()
    response = await page_login(client, username)
    assert response.status_code == 303, response.text


async def _usernames(panel: dict) -> dict[int, str]:
    """member id → username of the person in that seat."""
    out = {}
    for m in panel["members"]:
        if m["user_id"]:
            out[m["id"]] = (await User.select(User.username).where(User.id == m["user_id"]).first())["username"]
    return out


async def _chair_username(panel: dict) -> str:
    chair = (
        await PanelMember.select(PanelMember.user.username)
        .where((PanelMember.panel == panel["id"]) & (PanelMember.is_chair == True))
        .first()
    )
    return chair["user.username"]


def _sheet_form(scores: dict[str, str], action: str) -> dict[str, str]:
    form = {f"scores.{k}": v for k, v in scores.items()}
    form.update({f"comments.{k}": COMMENT for k in scores})
    form["action"] = action
    return form


async def _status(tender_id: int) -> str:
    return (await Tender.select(Tender.status).where(Tender.id == tender_id).first())["status"]


# --------------------------------------------------------------------------- the expert: 回避声明 (invariant 5)


async def test_an_undeclared_expert_sees_the_declaration_but_nothing_of_the_bids_until_declaring(client):
    tender_id, officer = await opened_tender(client)
    await qualify_all(client, officer, tender_id)
    panel = await draw(client, officer, tender_id)
    member_id, username = next(iter((await _usernames(panel)).items()))
    await _login(client, username)

    dashboard = await client.get("/dashboard")
    assert 'href="/review"' in dashboard.text
    mine = await client.get("/review")
    assert mine.status_code == 200 and CLOSED_DEMO in mine.text and "作回避声明" in mine.text

    before = await client.get(f"/review/panels/{panel['id']}")
    assert before.status_code == 200
    assert "回避声明" in before.text and CLOSED_DEMO in before.text
    for secret in (*ORG_NAMES, *PRICES):
        assert secret not in before.text, f"an undeclared member read {secret}"
    bid_id = (await bids_by_org(tender_id))["幸福家"]
    refused = await client.get(f"/review/bids/{bid_id}")
    assert refused.status_code == 403 and "回避声明" in refused.text
    assert not any(s in refused.text for s in (*ORG_NAMES, *PRICES))

    declared = await post_form(
        client,
        f"/review/panels/{panel['id']}",
        f"/review/panels/{panel['id']}/declaration",
        {"no_conflict": "1", "_form": "no_conflict"},
    )
    assert declared.status_code == 303 and declared.headers["location"] == f"/review/panels/{panel['id']}"
    after = await client.get(f"/review/panels/{panel['id']}")
    assert all(name in after.text for name in ORG_NAMES) and all(p in after.text for p in PRICES)
    assert f'href="/review/bids/{bid_id}"' not in after.text, "nothing to score before the 符合性审查"
    # The buyer appoints this member chair (the others have not declared); the chair records the review.
    appointed = await client.post(
        f"/api/v1/tenders/{tender_id}/panel/chair", headers=officer, json={"member_id": member_id}
    )
    assert appointed.status_code == 200, appointed.text
    for other_bid in (await bids_by_org(tender_id)).values():
        done = await post_form(
            client,
            f"/review/panels/{panel['id']}",
            f"/review/panels/{panel['id']}/bids/{other_bid}/compliance",
            {"responsive": "1"},
        )
        assert done.status_code == 303, done.text
    after = await client.get(f"/review/panels/{panel['id']}")
    assert f'href="/review/bids/{bid_id}"' in after.text
    seat = await PanelMember.select(PanelMember.status).where(PanelMember.id == member_id).first()
    assert seat["status"] == "declared_no_conflict"


async def test_declining_needs_a_reason_and_is_refused_without_one(client):
    tender_id, officer = await opened_tender(client)
    await qualify_all(client, officer, tender_id)
    panel = await draw(client, officer, tender_id)
    member_id, username = next(iter((await _usernames(panel)).items()))
    await _login(client, username)
    refused = await post_form(
        client,
        f"/review/panels/{panel['id']}",
        f"/review/panels/{panel['id']}/decline",
        {"reason": "", "_form": "decline"},
    )
    assert refused.status_code == 422 and "必填" in refused.text
    assert "谢绝原因" in refused.text and '<details class="more-rows" open>' in refused.text
    assert (await PanelMember.select(PanelMember.status).where(PanelMember.id == member_id).first())[
        "status"
    ] == "drawn"


async def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_declared(client):
    tender_id, officer = await opened_tender(client)
    await qualify_all(client, officer, tender_id)
    panel = await draw(client, officer, tender_id)
    member_id, username = next(iter((await _usernames(panel)).items()))
    await _login(client, username)
    await client.get(f"/review/panels/{panel['id']}")
    response = await client.post(f"/review/panels/{panel['id']}/declaration", data={"no_conflict": "1"})
    assert response.status_code == 403 and "页面已过期" in response.text
    assert (await PanelMember.select(PanelMember.status).where(PanelMember.id == member_id).first())[
        "status"
    ] == "drawn"


# --------------------------------------------------------------------------- the expert: score sheets (rules 21–25)


async def _declared_and_reviewed(client):
    """Qualified by the buyer, the panel drawn and declared, its chair elected, every bid responsive."""
    tender_id, officer, panel, logins, chair = await seated_panel(client)
    await comply_all(client, chair, tender_id)
    return tender_id, officer, panel, logins


async def test_a_draft_saves_privately_and_a_submit_locks_the_sheet(client):
    tender_id, officer, panel, logins = await _declared_and_reviewed(client)
    member_id, username = next(iter((await _usernames(panel)).items()))
    bid_id = (await bids_by_org(tender_id))["幸福家"]
    url = f"/review/bids/{bid_id}"
    await _login(client, username)

    page = await client.get(url)
    assert page.status_code == 200
    assert "杭州市上城区幸福家社会工作服务中心" in page.text and "¥338,000.00" in page.text
    assert "围绕心理矫治、就业帮扶与社会融入设计三阶段服务。" in page.text  # the opened answers
    assert re.search(r'name="scores\.c1"[^>]*min="0"[^>]*max="30"[^>]*step="0\.1"', page.text)
    assert "保存草稿" in page.text and "提交评分" in page.text and "提交后锁定" in page.text
    # The opened documents download through the bid's document route for a declared member.
    doc = re.search(rf'href="(/org/bids/{bid_id}/documents/\d+)"', page.text)
    assert doc, "the scoring page links the bid's documents"
    download = await client.get(doc.group(1))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")

    draft = await post_form(client, url, url, _sheet_form({"c1": "20", "c2": "12"}, "save"))
    assert draft.status_code == 303, draft.text
    shown = await client.get(url)
    assert "评分草稿已保存" in shown.text and re.search(r'name="scores\.c1"[^>]*value="20"', shown.text)
    row = await ScoreSheet.select(ScoreSheet.status).where(ScoreSheet.bid == bid_id).first()
    assert row["status"] == "draft"

    submitted = await post_form(client, url, url, _sheet_form(DEFAULT_SCORES["幸福家"], "submit"))
    assert submitted.status_code == 303, submitted.text
    locked = await client.get(url)
    assert "评分已提交并锁定" in locked.text and 'name="scores.c1"' not in locked.text
    assert (
        "更正评分（《政府采购货物和服务招标投标管理办法》第六十四条）" in locked.text
        and "分值汇总计算错误" in locked.text
    )
    again = await client.post(
        url, data={**_sheet_form(DEFAULT_SCORES["幸福家"], "save"), "_csrf_token": csrf_from(locked.text)}
    )
    assert again.status_code == 409 and "已提交" in again.text
    row = await ScoreSheet.select(ScoreSheet.status, ScoreSheet.scores).where(ScoreSheet.bid == bid_id).first()
    assert row["status"] == "submitted" and '"c1": "26"' in row["scores"]


async def test_a_refused_sheet_comes_back_with_the_typed_values_and_a_message_per_criterion(client):
    tender_id, officer, panel, logins = await _declared_and_reviewed(client)
    _, username = next(iter((await _usernames(panel)).items()))
    bid_id = (await bids_by_org(tender_id))["颐乐"]
    url = f"/review/bids/{bid_id}"
    await _login(client, username)
    form = _sheet_form({"c1": "35", "c2": "12", "c3": "10", "c4": "15"}, "submit")
    form["comments.c4"] = ""
    form["comments.c2"] = "客观分按证书数量计"
    refused = await post_form(client, url, url, form)
    assert refused.status_code == 422
    assert "须在 0 至 30 分之间，现为 35 分" in refused.text
    assert "给0分或满分须填写评分理由" in refused.text
    assert re.search(r'name="scores\.c1"[^>]*value="35"', refused.text)
    assert re.search(r'name="scores\.c4"[^>]*value="15"', refused.text)
    assert "客观分按证书数量计" in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert await ScoreSheet.count().where(ScoreSheet.bid == bid_id) == 0


async def test_after_submitting_a_member_sees_the_others_and_corrects_with_a_reason(client):
    tender_id, officer, panel, logins = await _declared_and_reviewed(client)
    await score_all(client, tender_id, logins)
    member_id, username = next(iter((await _usernames(panel)).items()))
    bid_id = (await bids_by_org(tender_id))["阳光"]
    url = f"/review/bids/{bid_id}"
    await _login(client, username)
    page = await client.get(url)
    assert "其他成员的评分" in page.text and page.text.count('<th scope="row">') == 4
    sheet_id = (
        await ScoreSheet.select(ScoreSheet.id)
        .where((ScoreSheet.bid == bid_id) & (ScoreSheet.member == member_id))
        .first()
    )["id"]
    action = f"/review/bids/{bid_id}/sheets/{sheet_id}/corrections"
    refused = await post_form(
        client, url, action, {"criterion_key": "c1", "new_points": "23", "reason": "", "explanation": "x"}
    )
    assert refused.status_code == 422 and "必填" in refused.text and "至少 2 个字" in refused.text
    assert re.search(r'name="new_points"[^>]*value="23"', refused.text), "the correction form keeps the typed value"
    fields = {
        "criterion_key": "c1",
        "new_points": "23",
        "reason": "summing_error",
        "explanation": "复核时发现分项汇总有误。",
    }
    preview = await post_form(client, url, f"{action}/preview", fields)
    assert preview.status_code == 200 and "确认更正评分" in preview.text
    assert re.search(r"原分值</dt><dd[^>]*><strong>22</strong>", preview.text)
    assert (
        re.search(r"更正后的分值</dt><dd[^>]*><strong>23</strong>", preview.text) and "分值汇总计算错误" in preview.text
    )
    assert await ScoreCorrection.count() == 0, "a preview keeps nothing"
    bad_preview = await post_form(client, url, f"{action}/preview", {**fields, "reason": ""})
    assert bad_preview.status_code == 422 and "必填" in bad_preview.text
    done = await post_form(
        client,
        url,
        action,
        {
            "criterion_key": "c1",
            "new_points": "23",
            "reason": "summing_error",
            "explanation": "复核时发现分项汇总有误。",
        },
    )
    assert done.status_code == 303, done.text
    history = await client.get(url)
    assert "更正记录" in history.text and "22 → 23" in history.text and "分值汇总计算错误" in history.text


async def test_the_chair_delivers_the_report_from_the_panel_page(client):
    tender_id, officer, panel, logins, _ = await evaluated(client, deliver=False)
    chair = await _chair_username(panel)
    await _login(client, chair)
    page = await client.get(f"/review/panels/{panel['id']}")
    assert "提交评审报告" in page.text and f'href="/review/panels/{panel["id"]}/ranking"' in page.text
    assert re.search(r'<button type="submit" class="btn btn-primary" disabled[^>]*>提交评审报告', page.text)
    assert "请先预览评审报告草稿" in page.text
    unseen = await post_form(client, f"/review/panels/{panel['id']}", f"/review/panels/{panel['id']}/report", {})
    assert unseen.status_code == 409 and "预览" in unseen.text
    preview = await client.get(f"/tenders/{tender_id}/evaluation-report.pdf")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    page = await client.get(f"/review/panels/{panel['id']}")
    assert "已预览当前内容" in page.text
    assert re.search(r'<button type="submit" class="btn btn-primary">提交评审报告', page.text), (
        "enabled when nothing is open and the draft was previewed"
    )
    ranking = await client.get(f"/review/panels/{panel['id']}/ranking")
    assert ranking.status_code == 200 and "84.47" in ranking.text and "第 1 名" in ranking.text
    delivered = await post_form(client, f"/review/panels/{panel['id']}", f"/review/panels/{panel['id']}/report", {})
    assert delivered.status_code == 303, delivered.text
    assert "评审报告已提交" in (await client.get(f"/review/panels/{panel['id']}")).text
    again = await post_form(client, f"/review/panels/{panel['id']}", f"/review/panels/{panel['id']}/report", {})
    assert again.status_code == 409 and "已经提交" in again.text


# --------------------------------------------------------------------------- the bureau: evaluation page


async def test_the_bureau_qualifies_the_bids_draws_the_panel_and_sees_the_ranking(client):
    tender = await Tender.select(Tender.id).where(Tender.title == CLOSED_DEMO).first()
    tender_id = tender["id"]
    await _login(client, "officer")
    opened = await client.get(f"/tenders/{tender_id}/opening-record")  # reading the record opens the tender
    assert opened.status_code == 200
    detail = await client.get(f"/bureau/tenders/{tender_id}")
    assert f'href="/tenders/{tender_id}/evaluation"' in detail.text
    url = f"/tenders/{tender_id}/evaluation"
    page = await client.get(url)
    assert page.status_code == 200 and "资格审查（采购人）" in page.text and "抽取评标委员会" in page.text
    assert (
        "请先完成全部投标的资格审查" in page.text and f'action="/tenders/{tender_id}/evaluation/panel"' not in page.text
    )

    bids = await bids_by_org(tender_id)
    reading = await client.get(f"{url}/bids/{bids['幸福家']}")
    assert reading.status_code == 200 and "围绕心理矫治、就业帮扶与社会融入设计三阶段服务。" in reading.text
    assert "需求分析与服务方案" in reading.text and "资格审查结论" in reading.text
    no_reason = await post_form(client, url, f"{url}/bids/{bids['阳光']}/qualification", {"passed": "0", "reason": ""})
    assert no_reason.status_code == 422 and "必须写明理由" in no_reason.text
    assert (await Bid.select(Bid.status).where(Bid.id == bids["阳光"]).first())["status"] == "opened"
    early = await post_form(client, url, f"{url}/panel", {"size": "5"})
    assert early.status_code == 409 and "尚未完成资格审查" in early.text
    for bid_id in bids.values():
        done = await post_form(client, url, f"{url}/bids/{bid_id}/qualification", {"passed": "1"})
        assert done.status_code == 303, done.text
    assert await Bid.count().where((Bid.tender == tender_id) & (Bid.status == "qualified")) == 3

    even = await post_form(client, url, f"{url}/panel", {"size": "4", "_form": "draw"})
    assert even.status_code == 422 and "单数" in even.text and re.search(r'name="size"[^>]*value="4"', even.text)
    assert await _status(tender_id) == "opened"
    drawn = await post_form(client, url, f"{url}/panel", {"size": "5"})
    assert drawn.status_code == 303, drawn.text
    page = await client.get(url)
    assert "已抽取 5 人评标委员会" in page.text and "尚未确定组长" in page.text and "符合性审查" in page.text

    client.cookies.clear()  # the members declare, elect their chair, review and score through the API
    api_panel = (
        await client.get(f"/api/v1/tenders/{tender_id}/panel/", headers=await api_login(client, "officer"))
    ).json()
    logins = await member_logins(client, api_panel)
    await declare_all(client, api_panel, logins)
    await elect_chair(client, api_panel, logins)
    await comply_all(client, await chair_headers(api_panel, logins), tender_id)
    await score_all(client, tender_id, logins)
    await _login(client, "officer")
    page = await client.get(url)
    assert "评分汇总与排名" in page.text and "第 1 名" in page.text and "成员推选" in page.text
    for total in ("84.47", "75.99", "74.00"):
        assert total in page.text
    assert "已提交 3/3 份" in page.text and "evaluation-report.pdf" in page.text
    pdf = await client.get(f"/tenders/{tender_id}/evaluation-report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_an_organization_is_refused_the_bureau_pages(client):
    tender_id, officer = await opened_tender(client)
    await _login(client, "xingfujia")
    for url in (f"/tenders/{tender_id}/evaluation", f"/tenders/{tender_id}/award"):
        refused = await client.get(url)
        assert refused.status_code == 403 and "权限" in refused.text


# --------------------------------------------------------------------------- the bureau: award page


async def test_the_award_page_awards_the_top_ranked_and_the_result_notice_is_public(client):
    tender_id, officer, panel, logins, chair = await evaluated(client)
    bids = await bids_by_org(tender_id)
    await _login(client, "officer")
    url = f"/tenders/{tender_id}/award"
    page = await client.get(url)
    assert page.status_code == 200
    lot_id = (await Bid.select(Bid.lot).where(Bid.id == bids["幸福家"]).first())["lot"]
    radio = f'name="lot.{lot_id}.bid_id" value="{bids["幸福家"]}" checked'
    assert radio in page.text, "the top-ranked bid is preselected"

    second = await post_form(client, url, url, {f"lot.{lot_id}.bid_id": str(bids["颐乐"]), f"lot.{lot_id}.reason": ""})
    assert second.status_code == 422 and "理由" in second.text
    assert f'name="lot.{lot_id}.bid_id" value="{bids["颐乐"]}" checked' in second.text, "the choice is kept"
    assert await _status(tender_id) == "evaluating"

    done = await post_form(client, url, url, {f"lot.{lot_id}.bid_id": str(bids["幸福家"])})
    assert done.status_code == 303, done.text
    assert await _status(tender_id) == "awarded"
    after = await client.get(url)
    assert "中标（成交）结果公告" in after.text and "质疑期至" in after.text
    award = await Award.select(Award.id).where(Award.tender == tender_id).first()
    assert f'href="/awards/{award["id"]}/letter.pdf"' in after.text
    letter = await client.get(f"/awards/{award['id']}/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")

    client.cookies.clear()
    notices = await client.get("/notices")
    assert notices.status_code == 200 and f"{CLOSED_DEMO}中标（成交）结果公告" in notices.text


# --------------------------------------------------------------------------- the bidder: result, 质疑, explanation


async def test_the_loser_sees_its_own_rank_not_the_winners_score_and_files_a_challenge(client):
    tender_id, officer, panel, logins, chair = await evaluated(client)
    bids = await bids_by_org(tender_id)
    lot_id = (await Bid.select(Bid.lot).where(Bid.id == bids["幸福家"]).first())["lot"]
    await _login(client, "yangguang")
    early = await client.get(f"/bids/{bids['阳光']}/result")
    assert early.status_code == 200 and "评审结果尚未公布" in early.text
    assert f'href="/bids/{bids["阳光"]}/result"' not in (await client.get("/org/bids")).text

    awarded = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]},
    )
    assert awarded.status_code == 200, awarded.text
    my_bids = await client.get("/org/bids")
    assert f'href="/bids/{bids["阳光"]}/result"' in my_bids.text
    result = await client.get(f"/bids/{bids['阳光']}/result")
    assert result.status_code == 200
    assert "第 3 名" in result.text and "74.00" in result.text and "未中标" in result.text
    assert "杭州市上城区幸福家社会工作服务中心" in result.text, "the winner's name is public"
    assert "84.47" not in result.text and "75.99" not in result.text, "never the others' scores"
    assert "letter.pdf" not in result.text
    assert (await client.get(f"/bids/{bids['幸福家']}/result")).status_code == 404

    url = f"/bids/{bids['阳光']}/result"
    token = csrf_from(result.text)
    short = await client.post(
        f"/bids/{bids['阳光']}/challenges",
        data={"grounds": "不服", "_csrf_token": token},
        files={"file": ("证明.pdf", b"%PDF-1.4 proof", "application/pdf")},
    )
    assert short.status_code == 422 and "至少 10 个字" in short.text and "不服" in short.text
    grounds = "中标人项目负责人不具备中级社会工作师资格，不符合招标文件团队要求，请予复核。"
    filed = await client.post(
        f"/bids/{bids['阳光']}/challenges",
        data={"grounds": grounds, "_csrf_token": token},
        files={"file": ("证明.pdf", b"%PDF-1.4 proof", "application/pdf")},
    )
    assert filed.status_code == 303, filed.text
    mine = await client.get(url)
    assert grounds in mine.text and "证明.pdf" in mine.text and "待答复" in mine.text

    await _login(client, "officer")
    award_page = await client.get(f"/tenders/{tender_id}/award")
    challenge = await Challenge.select(Challenge.id).where(Challenge.tender == tender_id).first()
    assert grounds in award_page.text and f"/challenges/{challenge['id']}/answer" in award_page.text
    answered = await post_form(
        client,
        f"/tenders/{tender_id}/award",
        f"/tenders/{tender_id}/challenges/{challenge['id']}/answer",
        {
            "outcome": "rejected",
            "answer": "经核查，中标人项目负责人持有社会工作师证书，质疑不成立。",
            "affects_result": "1",
        },
    )
    assert answered.status_code == 303, answered.text
    assert (await client.get(f"/tenders/{tender_id}/challenges")).headers[
        "location"
    ] == f"/tenders/{tender_id}/award#challenges"

    await _login(client, "yangguang")
    answer_seen = await client.get(url)
    assert "质疑不成立" in answer_seen.text and "登记投诉" in answer_seen.text
    assert (await client.get(f"/tenders/{tender_id}/challenges")).headers["location"] == f"{url}#challenges"


async def test_the_winner_downloads_its_letter_from_the_result_page(client):
    tender_id, officer, panel, logins, chair = await evaluated(client)
    bids = await bids_by_org(tender_id)
    lot_id = (await Bid.select(Bid.lot).where(Bid.id == bids["幸福家"]).first())["lot"]
    await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]},
    )
    await _login(client, "xingfujia")
    result = await client.get(f"/bids/{bids['幸福家']}/result")
    assert "第 1 名" in result.text and "84.47" in result.text
    award = await Award.select(Award.id).where(Award.tender == tender_id).first()
    assert f'href="/awards/{award["id"]}/letter.pdf"' in result.text
    assert (await client.get(f"/awards/{award['id']}/letter.pdf")).status_code == 200
    await _login(client, "yile")
    assert (await client.get(f"/awards/{award['id']}/letter.pdf")).status_code == 403


async def test_a_bidder_whose_price_is_not_flagged_is_told_no_explanation_is_needed(client):
    tender_id, officer, panel, logins = await _declared_and_reviewed(client)
    bids = await bids_by_org(tender_id)
    await _login(client, "yangguang")
    url = f"/bids/{bids['阳光']}/explanation"
    page = await client.get(url)
    assert page.status_code == 200 and "无需说明" in page.text and 'name="explanation"' not in page.text
    refused = await post_form(client, url, url, {"explanation": "我方依托自有场地和志愿者团队，人员成本较低。"})
    assert refused.status_code == 409 and "无需说明" in refused.text
    assert (await client.get(f"/bids/{bids['幸福家']}/explanation")).status_code == 404


async def test_a_venture_call_is_scored_with_a_recommended_amount_and_funded_from_checkboxes(client):
    """公益创投 (rule 13): each sheet recommends an amount in yuan; the buyer ticks the projects and
    sets each grant, within the recommendations and the budget."""
    tender_id, officer = await opened_tender(client)
    await Tender.update({Tender.method: "venture_call"}).where(Tender.id == tender_id)
    await qualify_all(client, officer, tender_id)
    panel = await draw(client, officer, tender_id)
    logins = await member_logins(client, panel)
    await declare_all(client, panel, logins)
    await elect_chair(client, panel, logins)
    await comply_all(client, await chair_headers(panel, logins), tender_id)
    bids = await bids_by_org(tender_id)
    recommended = {"幸福家": 30_000_000, "颐乐": 20_000_000, "阳光": 15_000_000}
    (first_id, _), *rest = list(logins.items())
    for headers in dict(rest).values():
        for org, bid_id in bids.items():
            saved = await client.put(
                f"/api/v1/bids/{bid_id}/score-sheet",
                headers=headers,
                json={
                    "scores": DEFAULT_SCORES[org],
                    "comments": {k: COMMENT for k in DEFAULT_SCORES[org]},
                    "submit": True,
                    "recommended_fen": recommended[org],
                },
            )
            assert saved.status_code == 200, saved.text
    first = (await _usernames(panel))[first_id]
    await _login(client, first)
    for org, bid_id in bids.items():
        url = f"/review/bids/{bid_id}"
        page = await client.get(url)
        assert 'name="recommended_yuan"' in page.text
        too_much = await post_form(
            client, url, url, {**_sheet_form(DEFAULT_SCORES[org], "submit"), "recommended_yuan": "999,999"}
        )
        assert too_much.status_code == 422 and "不得超过申请资助额" in too_much.text and "999,999" in too_much.text
        done = await post_form(
            client,
            url,
            url,
            {**_sheet_form(DEFAULT_SCORES[org], "submit"), "recommended_yuan": f"{recommended[org] // 100:,}"},
        )
        assert done.status_code == 303, done.text
    row = (
        await ScoreSheet.select(ScoreSheet.recommended_fen)
        .where((ScoreSheet.bid == bids["幸福家"]) & (ScoreSheet.member == first_id))
        .first()
    )
    assert row["recommended_fen"] == 30_000_000, "yuan typed with separators become exact fen"
    chair = await _chair_username(panel)
    await _login(client, chair)
    assert (await client.get(f"/tenders/{tender_id}/evaluation-report.pdf")).status_code == 200  # the preview
    assert (
        await post_form(client, f"/review/panels/{panel['id']}", f"/review/panels/{panel['id']}/report", {})
    ).status_code == 303

    await _login(client, "officer")
    url = f"/tenders/{tender_id}/award"
    page = await client.get(url)
    for bid_id in bids.values():
        assert f'name="bid.{bid_id}.pick" value="1" checked' in page.text, (
            "projects above the pass mark are preselected"
        )
    assert re.search(rf'name="bid\.{bids["幸福家"]}\.amount_yuan"[^>]*value="300000.00"', page.text)
    everyone = {f"bid.{b}.pick": "1" for b in bids.values()}
    everyone.update({f"bid.{b}.amount_yuan": f"{recommended[o] // 100}" for o, b in bids.items()})
    over = await post_form(client, url, url, everyone)
    assert over.status_code == 422 and "超过资金预算" in over.text
    assert await _status(tender_id) == "evaluating"
    chosen = {f"bid.{bids['幸福家']}.pick": "1", f"bid.{bids['幸福家']}.amount_yuan": "280,000"}
    done = await post_form(client, url, url, chosen)
    assert done.status_code == 303, done.text
    award = await Award.select(Award.amount_fen).where(Award.tender == tender_id).first()
    assert award["amount_fen"] == 28_000_000
    assert "公益创投立项公示" in (await client.get(url)).text


async def test_a_flagged_bidder_explains_and_the_chair_decides_on_the_panel_page(client, monkeypatch):
    """Rule 23: the explanation page for the bidder, the decision form for the chair only."""
    from procurement.settings import get_settings

    monkeypatch.setattr(get_settings(), "abnormal_low_margin_percent", 2)
    tender_id, officer, panel, logins, _ = await evaluated(client, deliver=False)
    bids = await bids_by_org(tender_id)
    await _login(client, "officer")
    assert "异常低价：待投标人书面说明" in (await client.get(f"/tenders/{tender_id}/evaluation")).text

    await _login(client, "yangguang")
    url = f"/bids/{bids['阳光']}/explanation"
    short = await post_form(client, url, url, {"explanation": "太短"})
    assert short.status_code == 422 and "至少 10 个字" in short.text and "太短" in short.text
    explained = await post_form(
        client,
        url,
        url,
        {"explanation": "我方依托自有场地和志愿者团队，场地与人员成本较低，报价可以覆盖全部服务成本。"},
    )
    assert explained.status_code == 303, explained.text
    shown = (await client.get(url)).text
    assert "书面说明已提交" in shown and "自有场地和志愿者团队" in shown, "the form keeps the explanation for revision"

    usernames = await _usernames(panel)
    chair = await _chair_username(panel)
    member = next(u for u in usernames.values() if u != chair)
    await _login(client, member)
    page = await client.get(f"/review/panels/{panel['id']}")
    assert "自有场地和志愿者团队" in page.text and "low-price-decision" not in page.text, "only the chair decides"

    await _login(client, chair)
    panel_url = f"/review/panels/{panel['id']}"
    page = await client.get(panel_url)
    assert "记录认定" in page.text and "自有场地和志愿者团队" in page.text
    action = f"{panel_url}/bids/{bids['阳光']}/low-price-decision"
    no_note = await post_form(client, panel_url, action, {"accepted": "1", "note": "", "_form": "decision"})
    assert no_note.status_code == 422 and "必填" in no_note.text and f'id="note-{bids["阳光"]}"' in no_note.text
    decided = await post_form(
        client, panel_url, action, {"accepted": "1", "note": "说明可信，成本测算合理。", "_form": "decision"}
    )
    assert decided.status_code == 303, decided.text
    page = await client.get(panel_url)
    assert "已认可" in page.text and "说明可信，成本测算合理。" in page.text
    assert (await client.get(f"/tenders/{tender_id}/evaluation-report.pdf")).status_code == 200  # the preview
    page = await client.get(panel_url)
    await _login(client, "yangguang")
    after = (await client.get(url)).text
    assert "已认可您的说明" in after and 'name="explanation"' not in after, "decided: shown, no longer editable"
    assert re.search(r'<button type="submit" class="btn btn-primary">提交评审报告', page.text), (
        "nothing blocks the report now"
    )


async def test_the_officer_declares_failure_from_the_evaluation_page(client):
    tender_id, officer = await opened_tender(client)
    await qualify_all(client, officer, tender_id)
    await draw(client, officer, tender_id)
    await _login(client, "officer")
    url = f"/tenders/{tender_id}/evaluation"
    assert "宣布废标" in (await client.get(url)).text
    short = await post_form(client, url, f"{url}/failure", {"reason": "太短"})
    assert short.status_code == 422 and "太短" in short.text
    done = await post_form(client, url, f"{url}/failure", {"reason": "全部投标报价均超过采购预算，依法予以废标。"})
    assert done.status_code == 303, done.text
    notices = (await client.get("/notices")).text
    assert "湖滨街道社区矫正对象帮教服务项目废标公告" in notices
    assert "宣布废标" not in (await client.get(url)).text.split("</header>", 1)[1].split("<footer", 1)[0].replace(
        "废标公告", ""
    ), "no failure form once the tender has failed"
