"""A contract's signing in a real browser (issue 12 §8): the officer drafts the contract
from the awarded demo tender, the provider enters its part and signs, the officer
confirms and signs, the contract becomes 履行中 and its notice appears on the portal.
The contract pages fit a 390 px phone screen for both parties."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import login
from tests.e2e.test_phone_width import PHONE, journey  # noqa: F401 (the awarded demo tender)

pytestmark = pytest.mark.e2e


def _save_draft(page) -> None:
    page.click("#draft button[type=submit]")
    page.wait_for_load_state()
    assert "合同草稿已保存" in page.content(), page.content()[:2000]


def test_both_parties_sign_in_the_browser_and_the_notice_reaches_the_portal(live_server, browser, journey):  # noqa: F811
    url = live_server.url
    tender_id = journey.values["/tenders/"]
    officer = browser.new_context(locale="zh-CN").new_page()
    login(officer, url, "officer")
    officer.goto(f"{url}/tenders/{tender_id}/award")
    officer.click("form[action='/contracts/new'] button")
    officer.wait_for_url(re.compile(r".*/contracts/\d+$"))
    contract_url = officer.url
    assert "草稿（可修改）" in officer.content() and "还有 30 天" in officer.content()
    officer.fill("#f-delivery_place", "湖滨街道东坡路社区")
    for n, target in enumerate(officer.locator("input[name^=target_]").all()):
        target.fill(str(100 + n))
    _save_draft(officer)

    provider = browser.new_context(locale="zh-CN").new_page()
    login(provider, url, "xingfujia")
    provider.goto(contract_url)
    provider.fill("#f-provider_address", "杭州市上城区东坡路 1 号")
    provider.fill("#f-provider_legal_rep", "王敏")
    provider.fill("#f-provider_bank_name", "杭州银行上城支行")
    provider.fill("#f-provider_bank_account", "3301040160001234567")
    _save_draft(provider)

    officer.goto(contract_url)
    officer.check("input[name=confirm_provider_details]")
    _save_draft(officer)

    provider.goto(contract_url)
    provider.click("a[href$='/sign']")
    # The click starts a navigation; read the page once the signing page has loaded
    # (CI once read it mid-way and got an empty document).
    provider.wait_for_url(contract_url + "/sign")
    assert "确认签署第 1 版" in provider.content()
    provider.click("main form button[type=submit]")
    provider.wait_for_url(contract_url)
    assert "等待对方签署" in provider.content()

    officer.goto(contract_url + "/sign")
    assert "签署文本摘要" in officer.content() and re.search(r"[0-9a-f]{64}", officer.content())
    officer.click("main form button[type=submit]")
    officer.wait_for_url(contract_url)
    assert "合同已生效" in officer.content() and "履行中" in officer.content()

    officer.click("form[action$='/notice'] button")
    officer.wait_for_url(contract_url)
    assert "合同公告已发布" in officer.content()
    notice_href = officer.locator("a[href^='/notices/']").first.get_attribute("href")
    portal = browser.new_context(locale="zh-CN").new_page()
    portal.goto(f"{url}/notices")
    assert f'href="{notice_href}"' in portal.content()
    portal.goto(url + notice_href)
    assert "幸福家社会工作服务中心" in portal.content() and "湖滨街道东坡路社区" in portal.content()

    # The pages of the contract fit a phone for both parties.
    for username in ("officer", "xingfujia"):
        phone = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
        login(phone, url, username)
        for path in ("/contracts", contract_url.removeprefix(url), contract_url.removeprefix(url) + "?tab=document"):
            phone.goto(url + path)
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, (username, path)
