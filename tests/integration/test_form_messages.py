"""Forms answer in one pass and in words that fit the field: the registration form
names every problem at once, a phone number gets a phone message, a zero minimum is
not printed, and a bid never submitted offers nothing to withdraw."""

from __future__ import annotations

import re

from procurement.accounts.tables import Organization, User
from tests.integration.bid_helpers import PDF, draft_bid, published_tender, upload
from tests.integration.conftest import page_login, post_form
from tests.integration.test_accounts_api import REGISTRATION

PHONE_MESSAGE = "请填写有效的手机号码或带区号的固定电话"


def field_error(html: str, name: str) -> str:
    """The error printed under one form field ('' when there is none)."""
    match = re.search(rf'<p class="field-error" id="f-{re.escape(name)}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


async def test_the_registration_form_names_every_problem_in_one_answer(client):
    form = {
        **REGISTRATION,
        "name": "",  # missing: a schema error
        "contact_phone": "12345",  # a schema error with its own words
        "credit_code": "52330102MA2HF0A1XX",  # a rule error (check character)
        "username": "officer",  # taken: a database check
        "password": "short",  # too short: a rule error
        "password2": "different1",
    }
    response = await post_form(client, "/register", "/register", form)
    assert response.status_code == 422
    html = response.text
    errors = {
        name: field_error(html, name)
        for name in ("name", "contact_phone", "credit_code", "username", "password", "password2")
    }
    assert errors["name"] == "必填。"
    assert PHONE_MESSAGE in errors["contact_phone"]
    assert "统一社会信用代码" in errors["credit_code"]
    assert "已被使用" in errors["username"]
    assert "密码至少" in errors["password"]
    assert "两次输入的密码不一致" in errors["password2"]
    assert not await Organization.exists().where(Organization.credit_code == REGISTRATION["credit_code"])
    assert not await User.exists().where(User.display_name == REGISTRATION["display_name"])


async def test_a_form_that_only_breaks_rules_still_names_them_all(client):
    form = {**REGISTRATION, "username": "officer", "password": "short", "password2": "short"}
    response = await post_form(client, "/register", "/register", form)
    assert response.status_code == 422
    assert "已被使用" in field_error(response.text, "username") and "密码至少" in field_error(response.text, "password")


async def test_a_short_phone_number_gets_a_phone_message_not_a_length_message(client):
    form = {**REGISTRATION, "contact_phone": "12345", "password2": REGISTRATION["password"]}
    response = await post_form(client, "/register", "/register", form)
    assert response.status_code == 422
    assert PHONE_MESSAGE in field_error(response.text, "contact_phone")
    assert "至少 5 个字" not in response.text

    api = await client.post("/api/v1/organizations/register", json={**REGISTRATION, "contact_phone": "87080000"})
    # The API refuses a body its schema rejects with 400, the field named and the same words.
    assert api.status_code == 400 and PHONE_MESSAGE in api.json()["errors"]["contact_phone"], api.text


async def test_a_landline_with_its_area_code_is_accepted(client):
    form = {**REGISTRATION, "contact_phone": "0571-87080000 转 8001", "password2": REGISTRATION["password"]}
    response = await post_form(client, "/register", "/register", form)
    assert response.status_code == 303, field_error(response.text, "contact_phone")
    org = await Organization.select(Organization.contact_phone).where(Organization.name == REGISTRATION["name"]).first()
    assert org["contact_phone"] == "0571-87080000 转 8001"


async def test_a_zero_minimum_of_licensed_workers_is_not_printed(client):
    tender = await published_tender(
        client, title="不要求持证社工的项目", team_requirements={"min_licensed_workers": 0, "lead_min_level": "none"}
    )
    bid, _headers = await draft_bid(client, "xingfujia", tender)
    await page_login(client, "xingfujia")
    for path in (f"/org/tenders/{tender['id']}/bid", f"/org/bids/{bid['id']}", f"/tenders/{tender['id']}"):
        page = await client.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert "不少于 0" not in page.text and "至少 0" not in page.text, path
    client.cookies.clear()
    await page_login(client, "officer")
    page = await client.get(f"/bureau/tenders/{tender['id']}")
    assert page.status_code == 200 and "不少于 0" not in page.text


async def test_only_a_submitted_bid_offers_to_withdraw(client):
    tender = await published_tender(client, title="撤回按钮测试项目")
    bid, headers = await draft_bid(client, "yile", tender)
    await page_login(client, "yile")
    draft_page = (await client.get(f"/org/bids/{bid['id']}")).text
    assert f"/org/bids/{bid['id']}/withdraw" not in draft_page and "撤回投标" not in draft_page

    assert (await upload(client, headers, bid["id"], "投标文件.pdf", PDF)).status_code == 201
    client.cookies.clear()
    assert (await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)).status_code == 200
    await page_login(client, "yile")
    submitted_page = (await client.get(f"/org/bids/{bid['id']}")).text
    assert f"/org/bids/{bid['id']}/withdraw" in submitted_page and "撤回投标" in submitted_page
