"""/verify/contracts: anyone can check that a contract PDF is the one the
platform issued and signed, unchanged (issue 12 §2), without logging in; and
/admin/contract-templates, the templates administrators and officers can read."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from contracts.documents import documents
from contracts.documents.samples import service_contract
from procurement.core import pdfsign
from procurement.core.pdf import render_template_pdf
from tests.integration.conftest import csrf_from, page_login


@pytest.fixture(scope="module")
def issued() -> documents.ContractPdf:
    import asyncio

    return asyncio.run(documents.issue_contract_pdf(service_contract()))


async def upload(client, content: bytes, name: str = "合同.pdf"):
    token = csrf_from((await client.get("/verify/contracts")).text)
    return await client.post(
        "/verify/contracts", data={"_csrf_token": token}, files={"file": (name, content, "application/pdf")}
    )


async def test_the_issued_pdf_is_confirmed_with_its_text_fingerprint(client, issued):
    response = await upload(client, issued.content)

    assert response.status_code == 200, response.text
    assert "未被改动" in response.text
    assert issued.text_sha256 in response.text
    assert issued.pdf_sha256 in response.text
    assert "政府购买服务管理平台（演示）" in response.text


async def test_a_pdf_changed_after_signing_is_reported_as_changed(client, issued):
    changed = bytearray(issued.content)
    changed[len(changed) // 2] ^= 0x01

    response = await upload(client, bytes(changed))

    assert response.status_code == 200
    assert "被改动过" in response.text or "无法读取" in response.text
    assert issued.text_sha256 not in response.text  # a fingerprint from a broken file is not vouched for


async def test_an_unsigned_pdf_and_a_non_pdf_are_told_apart(client):
    unsigned = await upload(client, render_template_pdf("pdf/sample.html", {}))
    garbage = await upload(client, b"hello", name="a.pdf")

    assert "没有数字签名" in unsigned.text
    assert "无法读取该文件" in garbage.text


async def test_a_post_without_a_file_names_the_field(client):
    token = csrf_from((await client.get("/verify/contracts")).text)
    response = await client.post("/verify/contracts", data={"_csrf_token": token}, files={"other": ("x", b"x")})

    assert response.status_code == 422
    assert "请选择要核验的合同 PDF 文件" in response.text


async def test_the_check_needs_the_forms_token(client, issued):
    await client.get("/verify/contracts")
    response = await client.post("/verify/contracts", files={"file": ("合同.pdf", issued.content, "application/pdf")})

    assert response.status_code == 403
    assert "未被改动" not in response.text


# --------------------------------------------------------------------------- the templates administrators see


async def test_administrators_and_officers_see_each_template_with_a_sample(client):
    for username in ("admin", "officer"):
        client.cookies.clear()
        await page_login(client, username)
        listing = await client.get("/admin/contract-templates")

        assert listing.status_code == 200, (username, listing.text)
        assert "政府购买服务合同（标准文本）" in listing.text
        assert "公益创投项目资助协议（标准文本）" in listing.text
        assert "/admin/contract-templates/venture-standard/sample.pdf" in listing.text


async def test_a_sample_pdf_is_marked_and_not_signed(client):
    await page_login(client, "officer")
    response = await client.get("/admin/contract-templates/venture-standard/sample.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "样本" in text and "公益创投项目资助协议" in text
    assert pdfsign.verify(response.content).integrity is pdfsign.Integrity.UNSIGNED
    assert (await client.get("/admin/contract-templates/no-such/sample.pdf")).status_code == 404


async def test_organizations_and_the_public_do_not_see_the_templates_page(client):
    assert (await client.get("/admin/contract-templates")).status_code in (302, 303, 401)
    await page_login(client, "xingfujia")
    assert (await client.get("/admin/contract-templates")).status_code == 403
    assert (await client.get("/admin/contract-templates/service-standard/sample.pdf")).status_code == 403
