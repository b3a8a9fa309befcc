"""A real browser through evaluation and award, in the law's order (rule 41):
the officer opens the demo tender whose deadline has passed, qualifies the
three bids (资格审查) and then draws a five-member panel; each drawn expert
declares no conflict and proposes a chair, and three proposals make one; the
chair records the 符合性审查; every expert scores every bid; the chair previews
the draft report and delivers it; the officer awards the top-ranked bid; an
anonymous visitor reads the result notice. Screenshots of the scoring, evaluation and
award pages, at desktop width and at 390 px, go to /tmp/shots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

CLOSED_DEMO = "湖滨街道社区矫正对象帮教服务项目"
ORG_NAMES = ("幸福家", "颐乐", "阳光")
# The same scores from every expert: objective criteria agree, so the report is not blocked (rule 25).
SCORES = {
    "幸福家": {"c1": "26", "c2": "12", "c3": "15", "c4": "12"},
    "颐乐": {"c1": "24", "c2": "12", "c3": "10", "c4": "11"},
    "阳光": {"c1": "22", "c2": "12", "c3": "10", "c4": "10"},
}
SHOTS = Path("/tmp/shots")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def shoot(page, name: str) -> None:
    """A full-page screenshot at desktop width and at 390 px; the phone layout must not scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{name} scrolls sideways at 390 px ({width} px wide)"


def sign_in(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, url, username)


def test_officer_experts_and_chair_take_a_tender_from_opening_to_a_published_award(live_server, page):
    url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() questions of app.js

    # The officer opens the tender by reading its opening record, then draws the panel.
    sign_in(page, url, "officer")
    page.click("nav >> text=采购项目")
    page.click(f"a:has-text('{CLOSED_DEMO}') >> nth=0")
    page.wait_for_url(re.compile(r".*/bureau/tenders/\d+$"))
    detail = page.url
    tender_id = int(detail.rsplit("/", 1)[1])
    page.click("text=开标记录")
    page.wait_for_url("**/opening-record")
    page.goto(detail)
    page.click("a:has-text('评审与定标')")
    page.wait_for_url(f"**/tenders/{tender_id}/evaluation")
    assert page.locator("button:has-text('随机抽取')").count() == 0, "no panel before the 资格审查"
    shoot(page, "qualification")
    for _ in range(3):
        page.click("#review form button.btn-primary >> nth=0")
        page.wait_for_selector("text=已记录")
    assert page.locator("#review form button.btn-primary").count() == 0
    page.fill("input[name=size]", "5")
    page.click("button:has-text('随机抽取')")
    page.wait_for_selector("text=已抽取 5 人评标委员会")
    assert "尚未确定组长" in page.inner_text("#members")

    # Every drawn expert declares and proposes a chair; two of the seven are conflicted and were never drawn.
    seated, first_name = [], ""
    for username in [f"expert{i}" for i in range(1, 8)]:
        sign_in(page, url, username)
        page.click("nav >> text=我的评审")
        link = page.locator(f".item-list a:has-text('{CLOSED_DEMO}')")
        if link.count() == 0:
            continue
        link.first.click()
        page.wait_for_url(re.compile(r".*/review/panels/\d+$"))
        body = page.inner_text("main")
        assert "回避声明" in body and not any(name in body for name in ORG_NAMES), "no bid before the declaration"
        if not seated:
            shoot(page, "panel-undeclared")
        page.click("button:has-text('本人声明：与本项目投标人无利害关系')")
        page.wait_for_selector("text=已声明与投标人无利害关系")
        if not seated:
            first_name = page.inner_text(".user-ident .user-name").strip()  # the first declared expert is proposed
        if page.locator("#chair").count():
            page.click(f"#chair li:has-text('{first_name}') button:has-text('推选为组长')")
            page.wait_for_selector("text=/已记录您的推选|组长已推选产生/")
        if not seated:
            shoot(page, "panel-declared")
        seated.append(username)
    assert len(seated) == 5
    chair = seated[0]

    # The chair records the panel's 符合性审查; then everyone scores.
    sign_in(page, url, chair)
    page.click("nav >> text=我的评审")
    page.click(f".item-list a:has-text('{CLOSED_DEMO}')")
    assert "（组长）" in page.inner_text(".eyebrow")
    for _ in range(3):
        page.click("#compliance form button.btn-primary >> nth=0")
        page.wait_for_selector("text=已记录")
    shoot(page, "compliance")
    scored_by = []
    for username in seated:
        sign_in(page, url, username)
        page.click("nav >> text=我的评审")
        page.click(f".item-list a:has-text('{CLOSED_DEMO}')")
        for _ in range(3):
            page.click("#bids a.btn-primary:has-text('评分') >> nth=0")
            page.wait_for_url(re.compile(r".*/review/bids/\d+$"))
            org = next(name for name in ORG_NAMES if name in page.inner_text("h1"))
            assert "评分标准：" in page.inner_text("#sheet"), "each criterion's guidance is beside its score box"
            for key, points in SCORES[org].items():
                page.fill(f"input[name='scores.{key}']", points)
                page.fill(f"textarea[name='comments.{key}']", f"{org}：评分依据见投标文件第 {key[-1]} 部分。")
            if not scored_by:
                shoot(page, "scoring")
            page.click("button:has-text('提交评分')")
            page.wait_for_selector("text=评分已提交并锁定")
            assert page.locator("input[name='scores.c1']").count() == 0, "a submitted sheet is read-only"
            if len(scored_by) == 4:  # the last expert sees the others' sheets and the correction form
                assert page.locator(".others-table tbody tr").count() == 4
                shoot(page, "scoring-submitted")
            page.click("text=返回评审")
            page.wait_for_url(re.compile(r".*/review/panels/\d+$"))
        scored_by.append(username)

    # The chair previews the draft report, then delivers it.
    sign_in(page, url, chair)
    page.click("nav >> text=我的评审")
    page.click(f".item-list a:has-text('{CLOSED_DEMO}')")
    assert page.locator("button:has-text('提交评审报告')").is_disabled(), "not before the preview"
    draft = page.context.request.get(f"{url}/tenders/{tender_id}/evaluation-report.pdf")
    assert draft.ok and draft.body().startswith(b"%PDF")
    page.reload()
    assert "已预览当前内容" in page.inner_text("#report")
    page.click("button:has-text('提交评审报告')")
    page.wait_for_selector("text=评审报告已提交采购人")

    # The officer sees the ranking and awards the top-ranked bid.
    sign_in(page, url, "officer")
    page.goto(f"{url}/tenders/{tender_id}/evaluation")
    ranking = page.inner_text("#ranking")
    assert "第 1 名" in ranking and "84.47" in ranking and "74.00" in ranking
    shoot(page, "evaluation")
    page.click(".page-head a:has-text('定标与结果')")
    page.wait_for_url(f"**/tenders/{tender_id}/award")
    top = page.locator("input[type=radio]:checked")
    assert top.count() == 1 and "幸福家" in page.inner_text(".award-lot .lot-option:has(input:checked)")
    shoot(page, "award")
    page.click("button:has-text('确认定标并发布结果公告')")
    page.wait_for_selector("text=结果公告已发布")
    assert "中标（成交）结果公告" in page.inner_text("#notice")
    shoot(page, "award-done")

    # Anyone reads the result notice.
    page.context.clear_cookies()
    page.goto(f"{url}/notices")
    page.click(f"a:has-text('{CLOSED_DEMO}中标（成交）结果公告')")
    page.wait_for_url(re.compile(r".*/notices/\d+$"))  # not the list's <main>, read mid-navigation
    assert "幸福家" in page.inner_text("main") and "84.47" in page.inner_text("main")

    # A losing bidder finds its own result from its bids: its rank and score, not the winner's.
    sign_in(page, url, "yangguang")
    page.click("nav >> text=我的投标")
    # Its bid on this tender (the demo's other awarded tenders have results too).
    page.locator("li.item", has_text=CLOSED_DEMO).locator("a:has-text('评审结果')").first.click()
    page.wait_for_url(re.compile(r".*/bids/\d+/result$"))
    result = page.inner_text("main")
    assert "第 3 名" in result and "74.00" in result and "84.47" not in result
    assert page.is_visible("#challenge-form textarea[name=grounds]")
    shoot(page, "result")
