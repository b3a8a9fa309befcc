"""The opening record (开标记录表) as a PDF, for the same people as the page."""

from __future__ import annotations

import io

from pypdf import PdfReader

from procurement.tenders.tables import Tender
from tests.integration.conftest import page_login


async def test_the_opening_record_pdf_lists_the_bidders_with_a_cjk_font(client):
    tender = await Tender.select(Tender.id).where(Tender.title == "湖滨街道社区矫正对象帮教服务项目").first()
    await page_login(client, "officer")
    page = await client.get(f"/tenders/{tender['id']}/opening-record")
    assert page.status_code == 200 and "opening-record.pdf" in page.text
    response = await client.get(f"/tenders/{tender['id']}/opening-record.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    for name in ("杭州市上城区幸福家社会工作服务中心", "上城区清波颐乐养老服务社", "¥338,000.00"):
        assert name in text, name
    fonts = {
        str(f.get_object().get("/BaseFont"))
        for p in reader.pages
        for f in (p["/Resources"].get("/Font") or {}).values()
    }
    assert any("CJK" in f for f in fonts), fonts


async def test_someone_without_a_bid_gets_no_opening_record_pdf(client):
    tender = await Tender.select(Tender.id).where(Tender.title == "湖滨街道社区矫正对象帮教服务项目").first()
    await page_login(client, "pinggu")
    response = await client.get(f"/tenders/{tender['id']}/opening-record.pdf")
    assert response.status_code == 403 and b"%PDF" not in response.content[:10]
