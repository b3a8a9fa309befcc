"""A real browser through bidding: a social organization checks its
eligibility on the open tender, creates a bid, fills the price and the team,
uploads two documents (upload.js: progress and SHA-256 per file), submits and
downloads its receipt PDF."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

OPEN_TENDER = "清波街道居家养老上门服务项目"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def tiny_png() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


def test_an_organization_bids_uploads_two_documents_submits_and_downloads_its_receipt(live_server, page, tmp_path):
    url = live_server.url
    pdf_path, png_path = tmp_path / "服务方案.pdf", tmp_path / "资质证书.png"
    pdf_path.write_bytes(PDF)
    png_path.write_bytes(tiny_png())

    login(page, url, "yile")
    page.click("nav >> text=我的投标")
    page.click(f"a:has-text('{OPEN_TENDER}') >> nth=0")
    page.wait_for_url("**/org/tenders/*/bid")
    assert page.locator(".elig-fail").count() == 0
    assert page.is_visible("text=1 项待资格审查确认")  # the charter scope: judged after the opening (rule 4)

    page.click("button:has-text('建立投标草稿')")
    page.wait_for_url(re.compile(r".*/org/bids/\d+$"))
    page.fill("input[name=price_yuan]", "1,180,000")
    page.fill("textarea[name='answers.c1']", "按片区包干，每位老人每周上门两次。")
    team = [
        ("王芳", "intermediate", "lead", "ZS2019001"),
        ("李强", "assistant", "member", "ZL2021017"),
        ("张敏", "assistant", "supervisor", "ZL2022033"),
    ]
    for i, (name, level, role, cert) in enumerate(team):
        page.fill(f"input[name='team.{i}.name']", name)
        page.select_option(f"select[name='team.{i}.level']", level)
        page.select_option(f"select[name='team.{i}.role']", role)
        page.fill(f"input[name='team.{i}.certificate_no']", cert)
    page.fill("textarea[name=scope_statement]", "本机构章程业务范围为居家养老上门服务，与本项目一致。")
    page.click("button:has-text('保存草稿')")
    page.wait_for_selector("text=草稿已保存")
    assert page.input_value("input[name=price_yuan]") == "1180000.00"

    # upload.js: both files at once, each with its own progress bar and SHA-256.
    page.set_input_files("#f-file", [str(pdf_path), str(png_path)])
    page.click("button:has-text('上传')")
    # A locator wait, not wait_for_function: that evaluates a string in the page, which the
    # Content-Security-Policy (script-src 'self', no 'unsafe-eval') forbids, as it should.
    page.locator(".upload-item.upload-done").nth(1).wait_for()
    assert page.locator(".upload-item.upload-done").count() == 2
    shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (pdf_path, png_path)]
    progress = page.inner_text(".upload-progress")
    assert all(sha in progress for sha in shas)
    assert page.locator("#doc-list .doc").count() == 2

    page.on("dialog", lambda dialog: dialog.accept())  # 提交当前已保存的草稿和文件？
    page.click("#submit button:has-text('提交投标')")
    page.wait_for_url("**/org/receipts/*")
    receipt = page.content()
    assert all(sha in receipt for sha in shas) and "服务器接收时间" in receipt
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", page.inner_text(".receipt-time"))

    with page.expect_download() as info:
        page.click("text=下载回执 PDF")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert open(download.path(), "rb").read(4) == b"%PDF"
