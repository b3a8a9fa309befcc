"""Real-browser journeys (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_a_bureau_officer_logs_in_and_reaches_the_dashboard(live_server, page):
    page.goto(live_server.url + "/")
    assert "政府购买服务" in page.title() or "政府购买服务" in page.content()
    login(page, live_server.url, "officer")
    page.wait_for_url("**/dashboard")
    assert "王建国" in page.content()
    assert "待审核的社会组织" in page.content()


def test_a_wrong_password_shows_the_form_again_with_a_chinese_message(live_server, page):
    login(page, live_server.url, "officer", "wrong-password-1", wait=False)
    assert "用户名或密码不正确" in page.content()
    assert page.input_value("input[name=username]") == "officer"


def test_the_home_page_fits_a_phone_screen(live_server, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    pg = context.new_page()
    pg.goto(live_server.url + "/")
    width = pg.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
