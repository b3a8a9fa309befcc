"""The contract's PDF (GetContractPdf) and the contract pages as each party reaches them
(issue 12 §2, §8), on SQLite and PostgreSQL."""

from __future__ import annotations

import io

from pypdf import PdfReader

from contracts.documents.services import text_fingerprint
from contracts.lifecycle.tables import Contract
from procurement.core import pdfsign
from tests.integration.conftest import api_login, csrf_from, page_login
from tests.integration.contract_helpers import PROVIDER_DETAILS, READY_DRAFT, contract_of_award, ready_contract, sign
from tests.integration.test_web_hardening import inline_code


async def as_user(client, username: str) -> None:
    client.cookies.clear()
    response = await page_login(client, username)
    assert response.status_code in (200, 302, 303), response.text


async def post_page(client, page_url: str, url: str, data: dict):
    form_page = await client.get(page_url)
    assert form_page.status_code == 200, form_page.text
    return await client.post(url, data={**data, "_csrf_token": csrf_from(form_page.text)})


# --------------------------------------------------------------------------- the PDF


async def test_the_pdf_of_a_signed_contract_shows_the_parties_and_the_capital_amount_and_is_signed(client):
    contract, officer, provider, _ = await ready_contract(client)
    url = f"/api/v1/contracts/{contract['id']}/pdf"
    draft = await client.get(url, headers=officer)
    assert draft.status_code == 409 and "尚未定稿" in draft.json()["detail"]
    assert (await sign(client, provider, contract)).status_code == 200
    got = await client.get(url, headers=officer)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(got.content)).pages)
    assert contract["buyer_name"] in text and contract["provider_name"] in text
    assert contract["amount_upper"] in text
    check = await pdfsign.verify_async(got.content)
    assert check.ok and check.by_platform
    # The same bytes again, and 304 for a client that holds them.
    etag = got.headers["etag"]
    again = await client.get(url, headers=provider)
    assert again.status_code == 200 and again.content == got.content and again.headers["etag"] == etag
    cached = await client.get(url, headers={**provider, "If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    # Never kept by shared caches (the security headers make a signed-in answer no-store).
    assert "public" not in got.headers["cache-control"]


async def test_an_outsider_gets_no_contract_pdf_and_no_contract_page(client):
    contract, officer, provider, _ = await ready_contract(client)
    assert (await sign(client, provider, contract)).status_code == 200
    outsider = await api_login(client, "yile")
    refused = await client.get(f"/api/v1/contracts/{contract['id']}/pdf", headers=outsider)
    assert refused.status_code in (403, 404)
    anonymous = await client.get(f"/api/v1/contracts/{contract['id']}/pdf")
    assert anonymous.status_code == 401
    await as_user(client, "yile")
    assert (await client.get(f"/contracts/{contract['id']}")).status_code == 404
    assert (await client.get(f"/contracts/{contract['id']}/document.pdf")).status_code == 404
    listed = await client.get("/contracts")
    assert listed.status_code == 200 and contract["number"] not in listed.text


# --------------------------------------------------------------------------- the pages


async def test_the_officer_drafts_a_contract_from_the_award_page_and_sees_it_listed(client):
    from procurement.awards.tables import Award
    from tests.integration.test_award_challenges import awarded

    tender_id, *_ = await awarded(client)
    award = await Award.select(Award.id).where(Award.tender == tender_id).first()
    await as_user(client, "officer")
    award_page = await client.get(f"/tenders/{tender_id}/award")
    assert "起草合同" in award_page.text
    waiting = await client.get("/contracts")
    assert 'id="to-draft-h"' in waiting.text and f'name="award_id" value="{award["id"]}"' in waiting.text
    created = await post_page(client, f"/tenders/{tender_id}/award", "/contracts/new", {"award_id": award["id"]})
    assert created.status_code in (302, 303), created.text
    row = await Contract.select(Contract.id, Contract.number).where(Contract.award == award["id"]).first()
    assert created.headers["location"] == f"/contracts/{row['id']}"
    listed = await client.get("/contracts")
    assert row["number"] in listed.text and "草稿" in listed.text
    assert 'id="to-draft-h"' not in listed.text
    page = await client.get(f"/contracts/{row['id']}")
    assert page.status_code == 200
    for words in ("概况", "合同文本", "变更", "履约报告", "团队", "评估", "拨付", "签订期限", "还有 30 天"):
        assert words in page.text, words
    # A second draft of the same award: the refusal in Chinese, nothing saved.
    again = await post_page(client, "/contracts", "/contracts/new", {"award_id": award["id"]})
    assert again.status_code == 409 and "已拟定合同" in again.text
    assert await Contract.count().where(Contract.award == award["id"]) == 1


async def test_each_tab_shows_its_data_or_an_honest_empty_state(client):
    contract, officer, provider, _ = await ready_contract(client)
    await as_user(client, "xingfujia")
    expected = {
        "overview": contract["amount_upper"],
        "document": "文本尚未定稿",
        "changes": "暂无变更记录",
        "reports": "暂无履约报告",
        "evaluations": "尚未委托第三方评估",
        "payments": "拨付申请、审核与拨付",
    }
    for tab, words in expected.items():
        page = await client.get(f"/contracts/{contract['id']}?tab={tab}")
        assert page.status_code == 200 and words in page.text, tab
        assert inline_code(page.text) == [], tab
    for url in ("/contracts", f"/contracts/{contract['id']}/sign"):
        page = await client.get(url)
        assert page.status_code == 200 and inline_code(page.text) == [], url


async def test_the_provider_fills_its_part_and_a_bad_account_is_refused_in_chinese_with_nothing_saved(client):
    contract, officer, provider, _ = await contract_of_award(client)
    await as_user(client, "xingfujia")
    url = f"/contracts/{contract['id']}"
    bad = await post_page(
        client,
        url,
        f"{url}/draft",
        {
            "provider_address": "杭州市上城区东坡路 1 号",
            "provider_legal_rep": "王敏",
            "provider_bank_name": "杭州银行上城支行",
            "provider_bank_account": "账号ABC",
        },
    )
    assert bad.status_code == 422 and "请按提示修改" in bad.text
    row = (
        await Contract.select(Contract.provider_address, Contract.provider_bank_account)
        .where(Contract.id == contract["id"])
        .first()
    )
    assert row["provider_address"] != "杭州市上城区东坡路 1 号" and row["provider_bank_account"] == ""
    good = await post_page(
        client,
        url,
        f"{url}/draft",
        {
            "provider_address": "杭州市上城区东坡路 1 号",
            "provider_legal_rep": "王敏",
            "provider_bank_name": "杭州银行上城支行",
            "provider_bank_account": "3301040160001234567",
        },
    )
    assert good.status_code in (302, 303), good.text
    shown = await client.get(url)
    assert "3301040160001234567" in shown.text and "待采购人确认" in shown.text


async def test_both_parties_sign_through_the_pages_and_the_officer_publishes_the_notice(client):
    contract, officer, provider, _ = await ready_contract(client)
    url = f"/contracts/{contract['id']}"
    await as_user(client, "xingfujia")
    confirm = await client.get(f"{url}/sign")
    assert confirm.status_code == 200 and "第 1 版" in confirm.text and "确认签署" in confirm.text
    signed = await post_page(client, f"{url}/sign", f"{url}/sign", {"version": "1"})
    assert signed.status_code in (302, 303), signed.text
    await as_user(client, "officer")
    confirm = await client.get(f"{url}/sign")
    row = await Contract.select(Contract.version).where(Contract.id == contract["id"]).first()
    assert row["version"] == 1
    assert "签署文本摘要" in confirm.text
    signed = await post_page(client, f"{url}/sign", f"{url}/sign", {"version": "1"})
    assert signed.status_code in (302, 303), signed.text
    page = await client.get(url)
    assert "履行中" in page.text
    doc = await client.get(f"{url}?tab=document")
    assert "甲方（采购人）" in doc.text and "乙方（服务机构）" in doc.text and "document.pdf" in doc.text
    pdf = await client.get(f"{url}/document.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The fingerprint the PDF carries (what /verify/contracts reports) is the one the page shows.
    fingerprint = text_fingerprint(pdf.content)
    assert fingerprint and fingerprint in doc.text
    published = await post_page(client, url, f"{url}/notice", {})
    assert published.status_code in (302, 303), published.text
    notice_id = (await Contract.select(Contract.notice_id).where(Contract.id == contract["id"]).first())["notice_id"]
    assert notice_id
    client.cookies.clear()
    portal = await client.get(f"/notices/{notice_id}")
    assert portal.status_code == 200 and contract["provider_name"] in portal.text


async def test_a_termination_without_a_reason_is_refused_on_the_same_page_and_nothing_changes(client):
    contract, officer, provider, _ = await ready_contract(client)
    assert (await sign(client, provider, contract)).status_code == 200
    assert (await sign(client, officer, contract)).status_code == 200
    await as_user(client, "officer")
    url = f"/contracts/{contract['id']}"
    refused = await post_page(client, url, f"{url}/terminate", {"ground": "consent", "reason": "", "settlement": "0"})
    assert refused.status_code == 422 and "请按提示修改" in refused.text
    row = await Contract.select(Contract.status).where(Contract.id == contract["id"]).first()
    assert row["status"] == "active"
    over = await post_page(
        client, url, f"{url}/terminate", {"ground": "consent", "reason": "双方协商一致解除", "settlement": "99999999"}
    )
    assert over.status_code in (409, 422) and "结算" in over.text
    assert (await Contract.select(Contract.status).where(Contract.id == contract["id"]).first())["status"] == "active"


async def test_the_contract_list_shows_each_party_what_to_do_next_with_its_due_date(client):
    contract, officer, provider, _ = await contract_of_award(client)
    await as_user(client, "officer")
    listed = await client.get("/contracts")
    assert "合同待办" in listed.text and "待完善的合同草稿" in listed.text
    await as_user(client, "xingfujia")
    listed = await client.get("/contracts")
    assert "待填写乙方账户与地址" in listed.text
    client.cookies.clear()
    url = f"/api/v1/contracts/{contract['id']}"
    for headers, body in (
        (officer, READY_DRAFT),
        (provider, PROVIDER_DETAILS),
        (officer, {"confirm_provider_details": True}),
    ):
        assert (await client.put(url, headers=headers, json=body)).status_code == 200
    await as_user(client, "xingfujia")
    listed = await client.get("/contracts")
    assert "待我方签署" in listed.text
    client.cookies.clear()
    assert (await sign(client, provider, contract)).status_code == 200
    assert (await sign(client, officer, contract)).status_code == 200
    await as_user(client, "officer")
    listed = await client.get("/contracts")
    assert "待发布合同公告" in listed.text and "待合同备案" in listed.text


SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


async def test_the_officer_records_a_paper_signing_with_the_scan_and_then_suspends_and_resumes(client):
    contract, officer, provider, _ = await contract_of_award(client)
    client.cookies.clear()
    assert (
        await client.put(f"/api/v1/contracts/{contract['id']}", headers=officer, json=READY_DRAFT)
    ).status_code == 200
    await as_user(client, "officer")
    url = f"/contracts/{contract['id']}"
    missing = await post_page(client, url, f"{url}/offline-signing", {})
    assert missing.status_code == 422 and "请选择签字盖章后的合同扫描件" in missing.text
    form_page = await client.get(url)
    done = await client.post(
        f"{url}/offline-signing",
        data={"_csrf_token": csrf_from(form_page.text)},
        files={"scan": ("合同扫描件.pdf", SCAN, "application/pdf")},
    )
    assert done.status_code in (302, 303), done.text
    page = await client.get(url)
    assert "履行中" in page.text and "线下签订" in page.text
    suspended = await post_page(
        client, url, f"{url}/suspend", {"ground": "consent", "reason": "服务对象临时搬迁，双方同意中止"}
    )
    assert suspended.status_code in (302, 303), suspended.text
    assert "已中止" in (await client.get(url)).text
    resumed = await post_page(client, url, f"{url}/resume", {})
    assert resumed.status_code in (302, 303), resumed.text
    assert (await Contract.select(Contract.status).where(Contract.id == contract["id"]).first())["status"] == "active"
