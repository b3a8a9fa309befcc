"""A real browser through the eligibility-profile review (issue 10 §4): a social organization
registers, the bureau approves it, it files its eligibility profile, a bureau officer finds it
on the review page, confirms it on the confirmation page, and the organization then bids,
stating how its charter scope covers the tender (rule 4), and gets its receipt."""

from __future__ import annotations

import re

import pytest

from procurement.demo import make_credit_code
from procurement.tenders.eligibility_terms import annual_report_year_for
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

ORG = "上城区紫阳社区睦邻服务中心"
USERNAME, PASSWORD = "muling", "Zhuzhou2026abc"
OPEN_TENDER = "清波街道居家养老上门服务项目"  # asks for 3A and the charter-scope statement
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _accept_dialogs(page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def test_register_file_the_profile_officer_confirms_then_bid(live_server, browser, tmp_path):
    url = live_server.url
    org = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    bureau = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    _accept_dialogs(org)
    _accept_dialogs(bureau)

    # 1. The organization registers.
    org.goto(f"{url}/register")
    for name, value in {
        "name": ORG,
        "credit_code": make_credit_code("52", "330102", "MA2HF0A1"),
        "legal_representative": "刘洋",
        "contact_name": "刘洋",
        "contact_phone": "13812345678",
        "username": USERNAME,
        "display_name": "刘洋",
        "password": PASSWORD,
        "password2": PASSWORD,
    }.items():
        org.fill(f"[name='{name}']", value)
    org.click("main form button[type=submit]")
    org.wait_for_url("**/login")

    # 2. The bureau approves the registration.
    login(bureau, url, "officer")
    bureau.goto(f"{url}/admin/organizations?status=pending")
    bureau.locator("tr", has_text=ORG).locator("button:has-text('通过')").click()
    bureau.wait_for_load_state()

    # 3. The organization signs in and files its profile; it waits for the bureau.
    login(org, url, USERNAME, PASSWORD)
    org.click("nav >> text=机构资料")
    org.wait_for_url("**/org/profile")
    assert org.is_visible("text=参与投标（申报）前还需要")
    org.select_option("[name=registration_type]", "social_service")
    org.fill("[name=registration_date]", "2019-04-01")
    org.fill("[name=charter_scope]", "社区睦邻互助、为老助残、青少年课后服务")
    org.select_option("[name=grade]", "3A")
    org.fill("[name=grade_awarded_on]", "2023-05-10")
    year = annual_report_year_for(None)  # the year a call published today asks for
    org.select_option(f"[name='annual_reports.{year}']", "passed")
    org.click("button:has-text('保存并提交民政局确认')")
    org.wait_for_selector("text=机构资料已保存，等待民政局确认")
    assert "待民政局确认" in org.inner_text("#profile-status")

    # 4. The officer finds it on the review page, reads it and confirms it on the confirmation page.
    bureau.click("nav >> text=资格审核")
    bureau.wait_for_url("**/bureau/eligibility-profiles")
    bureau.click(f"#profiles a:has-text('{ORG}')")
    bureau.wait_for_url(re.compile(r".*/bureau/eligibility-profiles/\d+$"))
    assert "社区睦邻互助、为老助残" in bureau.content()
    bureau.click("text=确认资格资料…")
    bureau.wait_for_url("**/confirm")
    bureau.click("button:has-text('确认第 1 版资格资料')")
    bureau.wait_for_url("**/bureau/eligibility-profiles")
    assert bureau.is_visible(f"text=已确认{ORG}的资格资料")

    # 5. The organization sees it confirmed and bids.
    org.goto(f"{url}/org/profile")
    assert "已确认" in org.inner_text("#profile-status")
    org.goto(f"{url}/org/bids")
    org.click(f"a:has-text('{OPEN_TENDER}') >> nth=0")
    org.wait_for_url("**/org/tenders/*/bid")
    assert org.locator(".elig-fail").count() == 0
    assert org.is_visible("text=1 项待资格审查确认")
    org.click("button:has-text('建立投标草稿')")
    org.wait_for_url(re.compile(r".*/org/bids/\d+$"))
    assert "为老助残" in org.inner_text("#scope")  # the charter text the statement quotes
    org.fill("input[name=price_yuan]", "1180000")
    team = [
        ("王芳", "intermediate", "lead", "ZS2019001"),
        ("李强", "assistant", "member", "ZL2021017"),
        ("张敏", "assistant", "supervisor", "ZL2022033"),
    ]
    for i, (name, level, role, cert) in enumerate(team):
        org.fill(f"input[name='team.{i}.name']", name)
        org.select_option(f"select[name='team.{i}.level']", level)
        org.select_option(f"select[name='team.{i}.role']", role)
        org.fill(f"input[name='team.{i}.certificate_no']", cert)
    org.fill("textarea[name=scope_statement]", "章程中的「为老助残」包括为老年人提供居家照料服务，涵盖本项目。")
    org.click("button:has-text('保存草稿')")
    org.wait_for_selector("text=草稿已保存")
    pdf = tmp_path / "服务方案.pdf"
    pdf.write_bytes(PDF)
    org.set_input_files("#f-file", str(pdf))
    org.click("button:has-text('上传')")
    org.locator(".upload-item.upload-done").wait_for()
    org.click("#submit button:has-text('提交投标')")
    org.wait_for_url("**/org/receipts/*")
    assert "服务器接收时间" in org.content()
