"""The bidding pages as organizations and the bureau use them: the workspace
with its eligibility checks, the bid form and its no-JS upload, submission and
the receipt (page and PDF), the public receipt check, the opening record, the
eligibility profile and the bureau's bid bonds. Refusals come back as the same
page with the message, and change nothing."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from procurement.bids.tables import Bid, BidBond, BidDocument, BidSubmission
from procurement.core import clock
from procurement.tenders.tables import Tender, TenderLot
from tests.integration.bid_helpers import PDF, draft_bid, published_tender, upload
from tests.integration.conftest import api_login, csrf_from, page_login, post_form

OPEN_TENDER = "清波街道居家养老上门服务项目"
PAST_TENDER = "湖滨街道社区矫正对象帮教服务项目"
PAST_PRICES = ("¥338,000.00", "¥346,500.00", "¥329,000.00")  # xingfujia, yile, yangguang in the demo

TEAM = {
    "team.0.name": "王芳",
    "team.0.level": "intermediate",
    "team.0.role": "lead",
    "team.0.certificate_no": "ZS2019001",
    "team.1.name": "李强",
    "team.1.level": "assistant",
    "team.1.role": "member",
    "team.1.certificate_no": "ZL2021017",
    "team.2.name": "张敏",
    "team.2.level": "assistant",
    "team.2.role": "supervisor",
    "team.2.certificate_no": "ZL2022033",
}


async def _login(client, username: str) -> None:
    """Sign in through the form as someone else (a fresh browser)."""
    client.cookies.clear()
    response = await page_login(client, username)
    assert response.status_code == 303, response.text


async def _tender(title: str) -> dict:
    return await Tender.select(Tender.id, Tender.bid_deadline).where(Tender.title == title).first()


async def _lot_id(tender_id: int) -> int:
    return (await TenderLot.select(TenderLot.id).where(TenderLot.tender == tender_id).first())["id"]


async def _create_bid_on_page(client, tender_id: int) -> int:
    response = await post_form(
        client,
        f"/org/tenders/{tender_id}/bid",
        f"/org/tenders/{tender_id}/bid",
        {"lot_id": str(await _lot_id(tender_id))},
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/org/bids/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


async def _upload(client, bid_id: int, name: str, data: bytes, mime: str = "application/pdf"):
    token = csrf_from((await client.get(f"/org/bids/{bid_id}")).text)
    return await client.post(
        f"/org/bids/{bid_id}/documents", data={"_csrf_token": token}, files={"file": (name, data, mime)}
    )


async def _submit(client, bid_id: int):
    return await post_form(client, f"/org/bids/{bid_id}", f"/org/bids/{bid_id}/submit", {})


def _check_item(html: str, requirement: str) -> str:
    """The <li> of one eligibility requirement."""
    match = re.search(r'<li class="elig (elig-\w+)">(?:(?!</li>).)*?' + re.escape(requirement), html, re.S)
    assert match, f"no check for {requirement}"
    return match.group(1)


# --------------------------------------------------------------------------- the workspace


async def test_an_eligible_organization_sees_every_check_passed_and_may_start_a_bid(client):
    tender = await _tender(OPEN_TENDER)
    await _login(client, "yile")
    response = await client.get(f"/org/tenders/{tender['id']}/bid")
    assert response.status_code == 200
    assert "elig-fail" not in response.text
    # Rule 4: the charter scope is the buyer's judgement at the qualification review, not a ✓ now.
    assert "1 项待资格审查确认" in response.text
    assert _check_item(response.text, "项目属于机构章程业务范围") == "elig-pending"
    assert _check_item(response.text, "资格资料经民政局确认") == "elig-pass"
    assert re.search(r'<button type="submit" class="btn btn-primary">建立投标草稿', response.text)


async def test_a_charter_scope_not_matching_in_words_waits_for_the_statement_and_the_review(client):
    """A "为老助残" organization may bid for a "养老" tender: it states its scope, the buyer judges it."""
    tender = await _tender(OPEN_TENDER)
    await _login(client, "xingfujia")
    workspace = await client.get(f"/org/tenders/{tender['id']}/bid")
    assert workspace.status_code == 200
    assert _check_item(workspace.text, "项目属于机构章程业务范围") == "elig-pending"
    assert "待资格审查确认" in workspace.text and "为老助残" in workspace.text and "elig-fail" not in workspace.text
    bid_id = await _create_bid_on_page(client, tender["id"])
    form_page = await client.get(f"/org/bids/{bid_id}")
    assert 'name="scope_statement"' in form_page.text and "为老助残" in form_page.text  # the charter text it quotes
    assert not re.search(r'<button type="submit" class="btn btn-primary btn-block" disabled', form_page.text)
    fields = {"price_yuan": "1200000", **TEAM}
    assert (await post_form(client, f"/org/bids/{bid_id}", f"/org/bids/{bid_id}", fields)).status_code == 303
    assert (await _upload(client, bid_id, "服务方案.pdf", PDF)).status_code == 303

    refused = await _submit(client, bid_id)
    assert refused.status_code == 422
    assert "业务范围说明" in refused.text and 'id="f-scope_statement-error"' in refused.text
    assert await BidSubmission.count().where(BidSubmission.bid == bid_id) == 0
    assert (await Bid.select(Bid.status).where(Bid.id == bid_id).first())["status"] == "draft"

    statement = "章程中的「为老助残」包括为老年人提供居家照料服务，涵盖本项目。"
    fields["scope_statement"] = statement
    assert (await post_form(client, f"/org/bids/{bid_id}", f"/org/bids/{bid_id}", fields)).status_code == 303
    assert statement in (await client.get(f"/org/bids/{bid_id}")).text
    accepted = await _submit(client, bid_id)
    assert accepted.status_code == 303, accepted.text
    assert (await Bid.select(Bid.status).where(Bid.id == bid_id).first())["status"] == "submitted"


async def test_an_ineligible_organization_sees_why_and_its_submission_is_refused(client):
    tender = await _tender(OPEN_TENDER)
    headers = await api_login(client, "xingfujia")
    created = await client.post(
        "/api/v1/bids/", headers=headers, json={"tender_id": tender["id"], "lot_id": await _lot_id(tender["id"])}
    )
    bid_id = created.json()["id"]
    # A change to the profile waits for the bureau again: until then the organization cannot submit.
    profile = (await client.get("/api/v1/eligibility/profile", headers=headers)).json()
    keep = ("registration_type", "registration_date", "charter_scope", "grade", "grade_awarded_on", "annual_reports")
    assert (
        await client.put("/api/v1/eligibility/profile", headers=headers, json={k: profile[k] for k in keep})
    ).status_code == 200

    await _login(client, "xingfujia")
    workspace = await client.get(f"/org/tenders/{tender['id']}/bid")
    assert workspace.status_code == 200
    assert _check_item(workspace.text, "资格资料经民政局确认") == "elig-fail"
    assert "尚未经民政局确认" in workspace.text
    form_page = await client.get(f"/org/bids/{bid_id}")
    assert re.search(r'<button type="submit" class="btn btn-primary btn-block" disabled', form_page.text)
    refused = await _submit(client, bid_id)
    assert refused.status_code == 422
    assert "不符合资格要求，不能提交" in refused.text and "尚未经民政局确认" in refused.text
    assert await BidSubmission.count().where(BidSubmission.bid == bid_id) == 0
    assert (await Bid.select(Bid.status).where(Bid.id == bid_id).first())["status"] == "draft"


async def test_a_bid_needs_a_chosen_lot(client):
    tender = await _tender(OPEN_TENDER)
    await _login(client, "yile")
    response = await post_form(client, f"/org/tenders/{tender['id']}/bid", f"/org/tenders/{tender['id']}/bid", {})
    assert response.status_code == 422 and "请选择要投标的标段" in response.text
    assert await Bid.count().where(Bid.tender == tender["id"]) == 0


# --------------------------------------------------------------------------- the bid, its documents, the receipt


async def test_an_organization_bids_through_the_pages_and_gets_a_verifiable_receipt(client):
    tender = await _tender(OPEN_TENDER)
    await _login(client, "yile")
    bid_id = await _create_bid_on_page(client, tender["id"])

    saved = await post_form(
        client,
        f"/org/bids/{bid_id}",
        f"/org/bids/{bid_id}",
        {
            "price_yuan": "1,200,000",
            "answers.c1": "分片包干，每周上门两次。",
            "answers.c4": "24 小时应急响应。",
            "note": "无",
            "scope_statement": "本机构章程业务范围为居家养老上门服务，与本项目一致。",
            **TEAM,
        },
    )
    assert saved.status_code == 303, saved.text
    form_page = (await client.get(f"/org/bids/{bid_id}")).text
    assert 'value="1200000.00"' in form_page and "分片包干，每周上门两次。" in form_page
    assert 'value="ZS2019001"' in form_page and "不要填写身份证号" in form_page

    uploaded = await _upload(client, bid_id, "服务方案.pdf", PDF)
    assert uploaded.status_code == 303, uploaded.text
    sha = hashlib.sha256(PDF).hexdigest()
    assert sha in (await client.get(f"/org/bids/{bid_id}")).text

    submitted = await _submit(client, bid_id)
    assert submitted.status_code == 303, submitted.text
    receipt_url = submitted.headers["location"]
    receipt_no = receipt_url.rsplit("/", 1)[1]
    receipt = await client.get(receipt_url)
    assert receipt.status_code == 200
    assert receipt_no in receipt.text and sha in receipt.text and "服务方案.pdf" in receipt.text
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}</time>", receipt.text)  # server time to the second
    content_sha = (
        await BidSubmission.select(BidSubmission.content_sha256).where(BidSubmission.receipt_no == receipt_no).first()
    )["content_sha256"]
    assert content_sha in receipt.text

    pdf = await client.get(f"{receipt_url}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"].startswith("application/pdf") and pdf.content.startswith(b"%PDF")

    mine = (await client.get("/org/bids")).text
    assert f"/org/receipts/{receipt_no}" in mine and "已提交" in mine

    client.cookies.clear()  # the public check needs no login
    verified = await post_form(client, "/verify", "/verify", {"receipt_no": receipt_no, "sha256": content_sha})
    assert verified.status_code == 200 and "哈希值与该回执提交的内容一致" in verified.text
    wrong = await post_form(client, "/verify", "/verify", {"receipt_no": receipt_no, "sha256": "0" * 64})
    assert "不一致" in wrong.text

    # Invariant 2 on the pages: the buyer's officer cannot read the bid before the opening.
    await _login(client, "officer")
    assert (await client.get(f"/org/bids/{bid_id}")).status_code == 404
    assert (await client.get(receipt_url)).status_code == 404
    assert "分片包干" not in (await client.get(f"/org/bids/{bid_id}")).text


async def test_a_price_above_the_budget_and_a_short_team_are_refused_at_submission(client):
    tender = await _tender(OPEN_TENDER)
    await _login(client, "yile")
    bid_id = await _create_bid_on_page(client, tender["id"])
    await post_form(
        client,
        f"/org/bids/{bid_id}",
        f"/org/bids/{bid_id}",
        {"price_yuan": "1500000", "team.0.name": "王芳", "team.0.level": "intermediate", "team.0.role": "lead"},
    )
    assert (await _upload(client, bid_id, "方案.pdf", PDF)).status_code == 303

    refused = await _submit(client, bid_id)
    assert refused.status_code == 422
    assert "超过本包预算" in refused.text and "《政府采购货物和服务招标投标管理办法》第十二条" in refused.text
    assert "持证社会工作者至少 3 名" in refused.text
    assert 'value="1500000.00"' in refused.text  # the saved draft is shown again
    assert await BidSubmission.count().where(BidSubmission.bid == bid_id) == 0


async def test_a_venture_application_is_checked_against_the_cap_share_and_matching_funds(client):
    tender = await _tender("2027 年度上城区社区公益创投项目征集")
    await _login(client, "yile")
    bid_id = await _create_bid_on_page(client, tender["id"])
    saved = await post_form(
        client,
        f"/org/bids/{bid_id}",
        f"/org/bids/{bid_id}",
        {"requested_yuan": "80000", "matching_yuan": "10000", "project_budget_yuan": "100000"},
    )
    assert saved.status_code == 303, saved.text
    assert (await _upload(client, bid_id, "申报书.pdf", PDF)).status_code == 303
    refused = await _submit(client, bid_id)
    assert refused.status_code == 422
    assert 'id="f-requested_yuan-error"' in refused.text and "不得超过项目总预算的 60%" in refused.text
    assert 'id="f-matching_yuan-error"' in refused.text and "配套资金应不少于" in refused.text
    assert await BidSubmission.count().where(BidSubmission.bid == bid_id) == 0


async def test_an_amount_that_is_not_money_is_named_beside_the_price(client):
    tender = await _tender(OPEN_TENDER)
    await _login(client, "yile")
    bid_id = await _create_bid_on_page(client, tender["id"])
    refused = await post_form(
        client, f"/org/bids/{bid_id}", f"/org/bids/{bid_id}", {"price_yuan": "一百万", "team.3.name": "赵六"}
    )
    assert refused.status_code == 422
    assert 'id="f-price_yuan-error"' in refused.text and "金额格式不正确" in refused.text
    assert 'value="一百万"' in refused.text and 'value="赵六"' in refused.text


async def test_a_file_whose_content_is_not_an_allowed_type_is_refused_and_not_stored(client):
    tender = await _tender(OPEN_TENDER)
    await _login(client, "yile")
    bid_id = await _create_bid_on_page(client, tender["id"])
    refused = await _upload(client, bid_id, "x.pdf", b"<!DOCTYPE html><html><body>not a pdf</body></html>", "text/html")
    assert refused.status_code == 422
    assert "不是允许的类型" in refused.text and 'id="f-file-error"' in refused.text
    assert await BidDocument.count().where(BidDocument.bid == bid_id) == 0


async def test_a_document_is_removed_from_the_draft(client):
    tender = await _tender(OPEN_TENDER)
    await _login(client, "yile")
    bid_id = await _create_bid_on_page(client, tender["id"])
    await _upload(client, bid_id, "方案.pdf", PDF)
    doc = await BidDocument.select(BidDocument.id).where(BidDocument.bid == bid_id).first()
    removed = await post_form(client, f"/org/bids/{bid_id}", f"/org/bids/{bid_id}/documents/{doc['id']}/remove", {})
    assert removed.status_code == 303
    page = (await client.get(f"/org/bids/{bid_id}")).text
    assert hashlib.sha256(PDF).hexdigest() not in page and "还没有上传文件" in page


async def test_after_the_deadline_the_bid_page_is_read_only_and_a_save_is_refused(client):
    tender = await _tender(OPEN_TENDER)
    await _login(client, "yile")
    bid_id = await _create_bid_on_page(client, tender["id"])
    clock.freeze(tender["bid_deadline"] + timedelta(minutes=1))
    await _login(client, "yile")
    page = await client.get(f"/org/bids/{bid_id}")
    assert page.status_code == 200 and "本投标当前只能查看" in page.text
    assert '<fieldset class="card" id="price" disabled>' in page.text and "/submit" not in page.text
    refused = await post_form(client, f"/org/bids/{bid_id}", f"/org/bids/{bid_id}", {"price_yuan": "1000000"})
    assert refused.status_code == 409 and "投标截止时间" in refused.text
    saved = (await client.get(f"/org/bids/{bid_id}")).text
    assert 'value=""' in saved.split('name="price_yuan"')[1][:120]  # nothing was saved


# --------------------------------------------------------------------------- the opening record


async def test_the_opening_record_shows_the_prices_to_the_bureau_and_the_bidders_only(client):
    tender = await _tender(PAST_TENDER)
    url = f"/tenders/{tender['id']}/opening-record"
    for username in ("officer", "xingfujia", "yile"):
        await _login(client, username)
        response = await client.get(url)
        assert response.status_code == 200, (username, response.text)
        assert all(price in response.text for price in PAST_PRICES), username
        assert "有效投标 3 家" in response.text
    for username in ("qingbo", "pinggu"):  # another buyer's officer; an evaluation agency
        await _login(client, username)
        refused = await client.get(url)
        assert refused.status_code == 403 and "开标记录只向采购人和本项目的投标人公开" in refused.text
        assert PAST_PRICES[0] not in refused.text
    client.cookies.clear()
    anonymous = await client.get(url)
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"].startswith("/login")


# --------------------------------------------------------------------------- the profile and the bonds


async def test_a_changed_profile_waits_for_the_bureau_and_blocks_submission_until_then(client):
    tender = await _tender(OPEN_TENDER)
    await _login(client, "yile")
    profile = await client.get("/org/profile")
    assert profile.status_code == 200 and "已确认" in profile.text
    year = str(clock.today_local().year - 1)
    saved = await post_form(
        client,
        "/org/profile",
        "/org/profile",
        {
            "registration_type": "social_service",
            "registration_date": "2014-03-08",
            "charter_scope": "居家养老上门服务、老年食堂运营",
            "grade": "3A",
            "grade_awarded_on": "2022-11-15",
            f"annual_reports.{year}": "passed",
            "violations.1.date": "2019-05-01",
            "violations.1.description": "逾期报送年报（已整改）",
        },
    )
    assert saved.status_code == 303, saved.text
    profile = (await client.get("/org/profile")).text
    assert "待民政局确认" in profile and "逾期报送年报（已整改）" in profile
    workspace = (await client.get(f"/org/tenders/{tender['id']}/bid")).text
    assert _check_item(workspace, "资格资料经民政局确认") == "elig-fail"


async def test_a_profile_row_error_is_named_at_its_row(client):
    await _login(client, "yile")
    refused = await post_form(
        client,
        "/org/profile",
        "/org/profile",
        {"registration_type": "social_service", "list_entries.1.list": "abnormal", "list_entries.1.entered_on": "昨天"},
    )
    assert refused.status_code == 422
    assert 'id="f-list_entries.1.entered_on-error"' in refused.text


async def test_the_bureau_records_a_bid_bond_by_its_reference_without_learning_who_bid(client):
    """Invariant 2 and rule 29: before the opening finance records an arrival by the bond's
    reference and sees its amount only; after the opening the tender and bidder show."""
    tender = await published_tender(client)  # with a bid bond of ¥5,000
    bid, headers = await draft_bid(client, "yile", tender)
    assert (await upload(client, headers, bid["id"], "方案.pdf", PDF)).status_code == 201
    submitted = await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)
    assert submitted.status_code == 200
    reference = submitted.json()["bond"]["reference"]
    assert re.fullmatch(r"BZJ\d{12}", reference) and submitted.json()["bond"]["amount_fen"] == 500_000
    await _login(client, "yile")
    receipt = await client.get(f"/org/receipts/{submitted.json()['receipt_no']}")
    assert reference in receipt.text and "转账附言" in receipt.text
    bond = await BidBond.select(BidBond.id).where(BidBond.tender == tender["id"]).first()

    await _login(client, "officer")
    listing = await client.get("/bureau/bid-bonds")
    assert listing.status_code == 200
    assert reference not in listing.text and tender["title"] not in listing.text and "颐乐" not in listing.text
    assert "按编号登记到账" in listing.text

    wrong = await post_form(client, "/bureau/bid-bonds", "/bureau/bid-bonds/payments", {"reference": "BZJ1234"})
    assert wrong.status_code == 422 and "BZJ 加 12 位数字" in wrong.text and 'id="f-reference-error"' in wrong.text
    unknown = await post_form(
        client, "/bureau/bid-bonds", "/bureau/bid-bonds/payments", {"reference": "BZJ000000000000"}
    )
    assert unknown.status_code == 422 and "没有编号为 BZJ000000000000 的保证金" in unknown.text
    assert (await BidBond.select(BidBond.paid_at).where(BidBond.id == bond["id"]).first())["paid_at"] is None

    typed = f"{reference[:3].lower()} {reference[3:9]}-{reference[9:]}"  # as copied from a bank statement
    marked = await post_form(client, "/bureau/bid-bonds", "/bureau/bid-bonds/payments", {"reference": typed})
    assert marked.status_code == 303
    assert (await BidBond.select(BidBond.paid_at).where(BidBond.id == bond["id"]).first())["paid_at"] is not None
    listing = await client.get("/bureau/bid-bonds")
    assert reference in listing.text and "¥5,000.00" in listing.text and "开标后显示" in listing.text
    assert tender["title"] not in listing.text and "颐乐" not in listing.text
    assert f"/bureau/bid-bonds/{bond['id']}/refunded" not in listing.text  # nothing to refund before the opening
    again = await post_form(client, "/bureau/bid-bonds", "/bureau/bid-bonds/payments", {"reference": reference})
    assert again.status_code == 422 and "已登记为已缴纳" in again.text
    by_id = await post_form(client, "/bureau/bid-bonds", f"/bureau/bid-bonds/{bond['id']}/paid", {})
    assert by_id.status_code == 404  # a sealed bond is not reachable by its id

    await Tender.update({Tender.status: "opened"}).where(Tender.id == tender["id"])  # the opening happened
    listing = await client.get("/bureau/bid-bonds")
    assert tender["title"] in listing.text and "颐乐" in listing.text and "开标后显示" not in listing.text
    assert f"/bureau/bid-bonds/{bond['id']}/refunded" in listing.text

    await _login(client, "yile")
    assert (await client.get("/bureau/bid-bonds")).status_code == 403


async def test_the_bureau_marks_an_opened_tenders_bond_paid_once(client):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "yile", tender)
    assert (await upload(client, headers, bid["id"], "方案.pdf", PDF)).status_code == 201
    assert (await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)).status_code == 200
    bond = await BidBond.select(BidBond.id).where(BidBond.tender == tender["id"]).first()
    await Tender.update({Tender.status: "opened"}).where(Tender.id == tender["id"])

    await _login(client, "officer")
    listing = await client.get("/bureau/bid-bonds")
    assert f"/bureau/bid-bonds/{bond['id']}/paid" in listing.text and "待缴纳" in listing.text
    marked = await post_form(client, "/bureau/bid-bonds", f"/bureau/bid-bonds/{bond['id']}/paid", {})
    assert marked.status_code == 303
    again = await post_form(client, "/bureau/bid-bonds", f"/bureau/bid-bonds/{bond['id']}/paid", {})
    assert again.status_code == 422 and "已登记为已缴纳" in again.text
