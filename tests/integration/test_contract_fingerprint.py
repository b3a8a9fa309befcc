"""One fingerprint per contract version (issue 12 §2, rule 28): the SHA-256 of the text
frozen at the first signature is the one each signature names, the one printed on the
PDF and the one /verify/contracts accepts, typed by hand or read from an uploaded file;
the buyer chooses the contract template per tender, and the PDF is printed with it."""

from __future__ import annotations

import io
import re
import shutil

from pypdf import PdfReader

from contracts.changes.tables import ContractChange
from contracts.documents import services as document_services
from contracts.documents.schemas import ContractDocumentIn
from contracts.documents.services import text_fingerprint
from contracts.lifecycle import document
from contracts.lifecycle.states import CONTRACT_TABLE
from contracts.lifecycle.tables import Contract, ContractSignature, ContractVersion
from procurement.core import clock, pdfcache, pdfsign
from procurement.core.tables import AuditEvent
from tests.integration.conftest import csrf_from, page_login
from tests.integration.contract_change_helpers import active_contract, supplement
from tests.integration.contract_helpers import contract_of_award, ready_contract, sign
from tests.unit.test_pdf import font_names


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> str:
    return squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


async def contract_row(contract_id: int) -> dict:
    row = await Contract.select().where(Contract.id == contract_id).first()
    assert row is not None
    return row


async def frozen_version(contract_id: int, version: int = 1) -> dict:
    row = (
        await ContractVersion.select()
        .where((ContractVersion.contract == contract_id) & (ContractVersion.version == version))
        .first()
    )
    assert row is not None
    return row


def spaced_upper(digest: str) -> str:
    """The fingerprint as somebody copies it from paper: capitals, groups of eight."""
    return " ".join(digest[i : i + 8] for i in range(0, 64, 8)).upper()


# --------------------------------------------------------------------------- one fingerprint


async def test_the_signed_hash_is_the_printed_hash_and_the_one_the_verify_page_accepts(client):
    contract, officer, provider, _ = await ready_contract(client)
    draft = await document.draft_document(await contract_row(contract["id"]))
    assert (await sign(client, provider, contract)).status_code == 200

    frozen = await frozen_version(contract["id"])
    digest = frozen["sha256"]
    # The frozen text is the document itself, in its canonical form, and its hash.
    doc = ContractDocumentIn.model_validate_json(frozen["snapshot"])
    assert frozen["snapshot"] == doc.canonical_text() and digest == doc.text_sha256()
    assert digest == draft.text_sha256(), "what was shown as the draft is what was frozen"
    signatures = await ContractSignature.select().where(ContractSignature.contract == contract["id"])
    assert {s["sha256"] for s in signatures} == {digest}
    body = (await client.get(f"/api/v1/contracts/{contract['id']}", headers=officer)).json()
    assert body["version_sha256"] == digest

    pdf = await client.get(f"/api/v1/contracts/{contract['id']}/pdf", headers=officer)
    assert pdf.status_code == 200, pdf.text
    assert digest in pdf_text(pdf.content), "printed on the document"
    assert text_fingerprint(pdf.content) == digest, "carried in its signed metadata"

    typed = await client.get("/verify/contracts", params={"sha256": spaced_upper(digest)})
    assert typed.status_code == 200, typed.text
    assert "与本平台的以下合同文本一致" in typed.text
    for shown in (contract["number"], "第 1 版", contract["buyer_name"], contract["provider_name"], "尚待双方完成签署"):
        assert shown in typed.text, shown

    token = csrf_from((await client.get("/verify/contracts")).text)
    uploaded = await client.post(
        "/verify/contracts",
        data={"_csrf_token": token},
        files={"file": ("合同.pdf", pdf.content, "application/pdf")},
    )
    assert uploaded.status_code == 200 and "未被改动" in uploaded.text
    assert "该文件是以下合同文本" in uploaded.text and contract["number"] in uploaded.text


async def test_once_both_have_signed_the_verify_page_gives_the_signing_date(client):
    contract, officer, provider, _ = await ready_contract(client)
    assert (await sign(client, provider, contract)).status_code == 200
    assert (await sign(client, officer, contract)).status_code == 200
    digest = (await frozen_version(contract["id"]))["sha256"]
    row = await contract_row(contract["id"])

    answer = await client.get("/verify/contracts", params={"sha256": digest})

    assert answer.status_code == 200
    assert "尚待双方完成签署" not in answer.text
    assert f"签订日期</dt><dd>{clock.to_local(row['signed_at']):%Y-%m-%d}" in answer.text
    assert CONTRACT_TABLE.public_label("active") in answer.text


async def test_a_changed_draft_changes_the_hash_before_anyone_signs(client):
    contract, officer, provider, _ = await ready_contract(client)
    before = (await document.draft_document(await contract_row(contract["id"]))).text_sha256()
    again = (await document.draft_document(await contract_row(contract["id"]))).text_sha256()
    assert before == again, "the same terms, the same fingerprint"

    changed = await client.put(
        f"/api/v1/contracts/{contract['id']}", headers=officer, json={"delivery_place": "湖滨街道青年路社区"}
    )
    assert changed.status_code == 200, changed.text
    after = (await document.draft_document(await contract_row(contract["id"]))).text_sha256()

    assert after != before
    assert (await sign(client, provider, contract)).status_code == 200
    assert (await frozen_version(contract["id"]))["sha256"] == after


async def test_after_freezing_a_fresh_rendering_prints_the_same_hash(client):
    contract, officer, provider, _ = await ready_contract(client)
    assert (await sign(client, provider, contract)).status_code == 200
    digest = (await frozen_version(contract["id"]))["sha256"]
    user_pdf = await client.get(f"/api/v1/contracts/{contract['id']}/pdf", headers=officer)
    # The cache is only a cache: without it the version is rendered again, from its frozen
    # text, even after the parties' records change, and carries the same fingerprint.
    shutil.rmtree(pdfcache.cache_dir(), ignore_errors=True)
    from procurement.accounts.tables import Organization

    await Organization.update({Organization.contact_phone: "0571-86000000"}).where(
        Organization.id == contract["provider_id"]
    )
    again = await client.get(f"/api/v1/contracts/{contract['id']}/pdf", headers=provider)

    assert again.status_code == 200
    assert text_fingerprint(again.content) == text_fingerprint(user_pdf.content) == digest
    assert digest in pdf_text(again.content)
    assert "0571-86000000" not in pdf_text(again.content), "the frozen text, not today's records"


# --------------------------------------------------------------------------- the verify page, by hand


async def test_a_fingerprint_that_matches_nothing_says_so_in_chinese(client):
    answer = await client.get("/verify/contracts", params={"sha256": "ab" * 32})

    assert answer.status_code == 200
    assert "本平台没有与该指纹对应的合同文本" in answer.text


async def test_bad_fingerprints_get_a_clear_chinese_message_and_never_a_500(client):
    cases = {
        "": "请输入合同文件上印的文本指纹",
        "   ": "请输入合同文件上印的文本指纹",
        "abc123": "您输入了 6 位",
        "g" * 64: "其他字符：g",
        "ab" * 33: "您输入了 66 位",
        "<script>alert(1)</script>": "其他字符",
        "数" * 5000: "其他字符",
    }
    for typed, message in cases.items():
        answer = await client.get("/verify/contracts", params={"sha256": typed})
        assert answer.status_code == 422, (typed[:20], answer.status_code)
        assert message in answer.text, (typed[:20], answer.text[:300])
        assert "<script>alert(1)</script>" not in answer.text


def test_the_fingerprint_is_read_as_people_copy_it():
    digest = "0123456789abcdef" * 4
    for typed in (
        digest,
        digest.upper(),
        spaced_upper(digest),
        f"SHA-256：{digest}",
        f" {digest[:32]}\n{digest[32:]} ",
    ):
        assert document_services.normalize_fingerprint(typed) == digest, typed


# --------------------------------------------------------------------------- the real contract's PDF (§2 tests)


async def test_a_real_contracts_pdf_embeds_a_cjk_font_and_its_signature_breaks_on_one_byte(client):
    contract, officer, provider, _ = await ready_contract(client)
    assert (await sign(client, provider, contract)).status_code == 200
    pdf = (await client.get(f"/api/v1/contracts/{contract['id']}/pdf", headers=officer)).content
    names = font_names(PdfReader(io.BytesIO(pdf)))
    assert any("CJK" in name for name in names), names  # the /BaseFont of an embedded CJK font
    text = pdf_text(pdf)
    assert squeeze(contract["amount_upper"]) in text
    assert contract["buyer_name"] in text and contract["provider_name"] in text

    check = await pdfsign.verify_async(pdf)  # pyhanko: intact, the whole file, the platform's key
    assert check.ok and check.by_platform and check.covers_whole_file
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    broken = await pdfsign.verify_async(bytes(changed))
    assert not broken.ok


# --------------------------------------------------------------------------- the template per tender


async def test_the_buyer_chooses_the_template_and_the_pdf_is_printed_with_it(client):
    contract, officer, provider, tender_id = await ready_contract(client)
    await page_login(client, "officer")
    url = f"/contracts/tenders/{tender_id}/template"
    shown = await client.get(url)
    assert shown.status_code == 200, shown.text
    assert "政府购买服务合同（标准文本）" in shown.text and "尚未选择" in shown.text
    assert "居家养老上门服务文本" in shown.text
    assert "公益创投项目资助协议" not in shown.text, "a service tender is offered service templates only"
    # The contract page leads there while the contract is unsigned.
    doc_tab = await client.get(f"/contracts/{contract['id']}?tab=document")
    assert url in doc_tab.text

    chosen = await client.post(
        url,
        data={
            "_csrf_token": csrf_from(shown.text),
            "template_key": "service-eldercare",
            "back": f"/contracts/{contract['id']}",
        },
    )
    assert chosen.status_code in (302, 303), chosen.text
    assert chosen.headers["location"] == f"/contracts/{contract['id']}"
    again = await client.get(url)
    assert "由采购人为本项目选定" in again.text
    assert await AuditEvent.count().where(AuditEvent.action == "contract.template_chosen") == 1

    assert (await sign(client, provider, contract)).status_code == 200
    frozen = ContractDocumentIn.model_validate_json((await frozen_version(contract["id"]))["snapshot"])
    assert frozen.template_key == "service-eldercare"
    pdf = await client.get(f"/api/v1/contracts/{contract['id']}/pdf", headers=officer)
    text = pdf_text(pdf.content)
    assert "不得向服务对象推销商品或者服务" in text
    assert frozen.text_sha256() in text
    tab = await client.get(f"/contracts/{contract['id']}?tab=document")
    assert "模板：政府购买服务合同（居家养老上门服务文本）" in tab.text
    assert f"/verify/contracts?sha256={frozen.text_sha256()}" in tab.text
    # A later choice does not touch the version already signed.
    back = await client.get(url)
    await client.post(url, data={"_csrf_token": csrf_from(back.text), "template_key": "service-standard"})
    kept = ContractDocumentIn.model_validate_json((await frozen_version(contract["id"]))["snapshot"])
    assert kept.template_key == "service-eldercare"


async def test_only_the_buyers_officer_chooses_and_only_a_template_of_the_tenders_kind(client):
    contract, officer, provider, tender_id = await contract_of_award(client)
    url = f"/contracts/tenders/{tender_id}/template"
    await page_login(client, "officer")
    form = await client.get(url)
    for key in ("venture-standard", "no-such-template", ""):
        refused = await client.post(url, data={"_csrf_token": csrf_from(form.text), "template_key": key})
        assert refused.status_code == 422, (key, refused.status_code)
        assert "请从适用于本项目的合同模板中选择一个" in refused.text
    assert await AuditEvent.count().where(AuditEvent.action == "contract.template_chosen") == 0

    client.cookies.clear()
    await page_login(client, "xingfujia")
    seen = await client.get(url)
    assert seen.status_code == 200 and "选用该模板" not in seen.text
    assert "只有本项目采购人的经办人可以选择合同模板" in seen.text
    posted = await client.post(url, data={"_csrf_token": csrf_from(seen.text), "template_key": "service-eldercare"})
    assert posted.status_code == 403
    client.cookies.clear()
    await page_login(client, "qingbo")  # an officer, but of another bureau
    other = await client.get(url)  # the tender is published: anyone signed in may see its template
    assert other.status_code == 200 and "选用该模板" not in other.text
    posted = await client.post(url, data={"_csrf_token": csrf_from(other.text), "template_key": "service-eldercare"})
    assert posted.status_code == 403
    assert await AuditEvent.count().where(AuditEvent.action == "contract.template_chosen") == 0
    row = await contract_row(contract["id"])
    assert (await document.draft_document(row)).template_key == "service-standard", "the default of its kind"


async def test_a_changes_fingerprint_is_found_too_and_named_as_the_change(client):
    contract, officer, provider = await active_contract(client)
    done = await supplement(client, officer, provider, contract, contract["amount_fen"] + 1_000_000)
    assert done.status_code == 200, done.text
    change = await ContractChange.select().where(ContractChange.contract == contract["id"]).first()

    answer = await client.get("/verify/contracts", params={"sha256": change["sha256"].upper()})

    assert answer.status_code == 200
    assert "与本平台的以下合同文本一致" in answer.text
    assert "补充合同（第 1 号）" in answer.text and contract["number"] in answer.text
    assert f"生效日期</dt><dd>{clock.to_local(change['effective_at']):%Y-%m-%d}" in answer.text


async def test_the_award_page_leads_the_officer_to_the_tenders_contract_template(client):
    contract, officer, provider, tender_id = await contract_of_award(client)
    await page_login(client, "officer")

    award_page = await client.get(f"/tenders/{tender_id}/award")

    assert award_page.status_code == 200, award_page.text
    assert f"/contracts/tenders/{tender_id}/template" in award_page.text


async def test_the_templates_page_shows_the_clauses_each_template_adds(client):
    await page_login(client, "admin")

    listing = await client.get("/admin/contract-templates")

    assert listing.status_code == 200
    assert "居家养老上门服务文本" in listing.text and "志愿服务项目文本" in listing.text
    assert "本模板增加的条款" in listing.text and "《志愿服务条例》" in listing.text


async def test_a_draft_that_cannot_be_printed_is_not_frozen_and_the_signer_is_told_why(client):
    from contracts.lifecycle.tables import Installment

    contract, officer, provider, _ = await ready_contract(client)
    first = await Installment.select().where(Installment.contract == contract["id"]).first()
    await Installment.update({Installment.amount_fen: first["amount_fen"] + 1}).where(Installment.id == first["id"])

    refused = await sign(client, provider, contract)

    assert refused.status_code == 409, refused.text
    assert "各期付款金额之和须等于合同金额" in refused.json()["detail"]
    assert "Value error" not in refused.json()["detail"]
    assert await ContractVersion.count().where(ContractVersion.contract == contract["id"]) == 0
    assert await ContractSignature.count().where(ContractSignature.contract == contract["id"]) == 0


async def test_a_venture_call_offers_the_funding_agreement_templates_by_default(client):
    from tests.integration.bid_helpers import published_tender

    call = await published_tender(
        client,
        title="测试公益创投项目征集",
        method="venture_call",
        bid_bond_fen=0,
        lots=[{"name": "社区公益创投资金", "budget_fen": 10_000_000}],
        venture_terms={"cap_per_project_fen": 5_000_000, "max_share_percent": 60, "matching_required": True},
        evaluation_scheme={
            "method": "comprehensive",
            "price_weight": 0,
            "criteria": [
                {"name": "项目设计与创新性", "max_points": 60, "kind": "subjective"},
                {"name": "预算合理性与配套资金", "max_points": 40, "kind": "objective"},
            ],
        },
        team_requirements={},
    )
    url = f"/contracts/tenders/{call['id']}/template"
    await page_login(client, "officer")

    shown = await client.get(url)

    assert shown.status_code == 200, shown.text
    assert "公益创投项目资助协议（标准文本）" in shown.text and "尚未选择" in shown.text
    assert "志愿服务项目文本" in shown.text and "政府购买服务合同" not in shown.text
    wrong = await client.post(url, data={"_csrf_token": csrf_from(shown.text), "template_key": "service-eldercare"})
    assert wrong.status_code == 422
    chosen = await client.post(url, data={"_csrf_token": csrf_from(shown.text), "template_key": "venture-volunteer"})
    assert chosen.status_code in (302, 303), chosen.text
    assert "公益创投项目资助协议（志愿服务项目文本）" in (await client.get(url)).text
