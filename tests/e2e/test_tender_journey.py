"""A real browser through the tender pages: an officer drafts a 公开招标 in the
long form, publishes it, and the public sees the notice without logging in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

TITLE = "上城区困难老人助餐服务项目（浏览器测试）"


def test_an_officer_publishes_an_open_tender_and_the_public_sees_the_notice(live_server, page, browser):
    url = live_server.url
    login(page, url, "officer")
    page.click("nav >> text=采购项目")
    page.click("text=新建项目")
    page.wait_for_url("**/bureau/tenders/new")

    page.fill("input[name=title]", TITLE)
    page.select_option("select[name=method]", "open_tender")
    page.select_option("select[name=catalogue_item_id]", index=2)
    page.fill("[name='description']", "为辖区困难老人提供助餐服务。")
    page.fill("input[name='lots.0.name']", "助餐服务")
    page.fill("input[name='lots.0.budget_yuan']", "800000")
    page.fill("input[name='lots.0.max_price_yuan']", "780000")
    page.fill("input[name='evaluation_scheme.price_weight']", "20")
    page.fill("input[name='evaluation_scheme.criteria.0.name']", "服务方案与团队")
    page.fill("input[name='evaluation_scheme.criteria.0.max_points']", "80")
    page.select_option("select[name='evaluation_scheme.criteria.0.kind']", "subjective")
    # The invited-organizations part is hidden for a 公开招标 (it applies to 邀请招标 only).
    assert not page.is_visible("text=邀请以下社会组织")
    deadline = (datetime.now() + timedelta(days=30)).replace(hour=9, minute=30)
    page.fill("input[name=bid_deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.click("#tender-form button[type=submit]")

    page.wait_for_url("**/bureau/tenders/*")
    assert "已保存草稿" in page.content()
    page.on("dialog", lambda dialog: dialog.accept())  # 确认发布？
    page.click("main form button:has-text('发布')")
    page.wait_for_selector("text=公告已在门户公开")

    public = browser.new_context(locale="zh-CN")
    try:
        anonymous = public.new_page()
        anonymous.goto(f"{url}/notices")
        anonymous.click(f"text={TITLE}公开招标公告")
        anonymous.wait_for_url("**/notices/*")
        anonymous.click("text=查看项目详情")
        # The click starts a navigation; read the page only once the tender page has loaded (CI once read it mid-way).
        anonymous.wait_for_url("**/tenders/*")
        anonymous.wait_for_selector("text=¥780,000.00")
        assert "助餐服务" in anonymous.content()
    finally:
        public.close()
