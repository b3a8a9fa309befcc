"""A tender's notice and documents: obtaining them (获取招标文件: the first download by a member
of a social organization is recorded once per organization, and its Beijing day starts the 质疑
period against the documents, rule 27, 《政府采购法实施条例》第五十三条); the notice's contact
block and opening place (87号令第十三条); the full documents attached beside the generated
summary; the generated PDF without internal lines; and answers published as a 澄清公告 after a
preview."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import datetime, timedelta

from procurement.accounts.tables import Organization
from procurement.core import clock
from procurement.demo_tenders import MINIMAL_PDF
from procurement.tenders.services import documents_obtained_on
from procurement.tenders.tables import Notice, Tender, TenderDocumentReceipt, TenderFile
from tests.integration.conftest import api_login, csrf_from, page_login, post_form
from tests.integration.test_tenders_api import create, local, payload
from tests.unit.test_storage import office

OPEN_TENDER = "清波街道居家养老上门服务项目"
ORG = "杭州市上城区幸福家社会工作服务中心"


async def _tender_id(title: str = OPEN_TENDER) -> int:
    return (await Tender.select(Tender.id).where(Tender.title == title).first())["id"]


async def _org_id(name: str = ORG) -> int:
    return (await Organization.select(Organization.id).where(Organization.name == name).first())["id"]


async def test_the_first_download_by_a_member_is_kept_with_its_beijing_day(client):
    tender_id, org_id = await _tender_id(), await _org_id()
    assert await documents_obtained_on(tender_id, org_id) is None
    # 2026-12-02 01:30 Beijing time is still 1 December in UTC: the day counted is Beijing's.
    first = clock.to_utc(datetime(2026, 12, 2, 1, 30))
    await page_login(client, "xingfujia")
    with clock.frozen(first):
        response = await client.get(f"/tenders/{tender_id}/document.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    with clock.frozen(clock.to_utc(datetime(2026, 12, 9, 10, 0))):
        assert (await client.get(f"/tenders/{tender_id}/document.pdf")).status_code == 200
    assert str(await documents_obtained_on(tender_id, org_id)) == "2026-12-02"
    assert "本机构已于 2026-12-02 获取招标文件" in (await client.get(f"/tenders/{tender_id}")).text
    assert await TenderDocumentReceipt.count().where(TenderDocumentReceipt.tender == tender_id) == 1


async def test_the_public_and_bureau_staff_obtain_nothing(client):
    tender_id = await _tender_id()
    assert (await client.get(f"/tenders/{tender_id}/document.pdf")).status_code == 200
    officer = await api_login(client, "officer")
    assert (await client.get(f"/api/v1/tenders/{tender_id}/document", headers=officer)).status_code == 200
    assert await TenderDocumentReceipt.count() == 0


async def test_the_api_download_counts_and_each_organization_has_its_own_day(client):
    tender_id = await _tender_id()
    member = await api_login(client, "yile")
    assert (await client.get(f"/api/v1/tenders/{tender_id}/document", headers=member)).status_code == 200
    assert await documents_obtained_on(tender_id, await _org_id("上城区清波颐乐养老服务社")) == clock.today_local()
    assert await documents_obtained_on(tender_id, await _org_id()) is None


async def test_concurrent_first_downloads_leave_one_row(client):
    tender_id = await _tender_id()
    member = await api_login(client, "xingfujia")
    responses = await asyncio.gather(
        *(client.get(f"/api/v1/tenders/{tender_id}/document", headers=member) for _ in range(4))
    )
    assert all(r.status_code == 200 for r in responses)
    assert await TenderDocumentReceipt.count().where(TenderDocumentReceipt.tender == tender_id) == 1


# --------------------------------------------------------------------------- the notice's contact block


async def test_the_notice_carries_the_buyers_address_contact_phone_how_to_obtain_and_the_opening_place(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer)  # no contact given: the bureau's own record
    assert (draft["buyer_address"], draft["buyer_contact"], draft["buyer_phone"]) == (
        "杭州市上城区解放路 200 号",
        "王建国",
        "0571-87080000",
    )
    assert (await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)).status_code == 200
    notice = await Notice.select(Notice.content).where(Notice.tender == draft["id"]).first()
    text = notice["content"]
    for line in (
        "地址：杭州市上城区解放路 200 号",
        "项目联系人：王建国",
        "联系电话：0571-87080000",
        "、获取招标文件",
        "地点和方式：在本平台本项目页面免费下载招标文件",
        "开标地点：本平台网上开标",
    ):
        assert line in text, line
    page = await client.get(f"/tenders/{draft['id']}")
    assert "杭州市上城区解放路 200 号" in page.text and "0571-87080000" in page.text and "获取招标文件" in page.text


async def test_the_contact_block_is_editable_per_tender_and_a_bad_phone_gets_a_phone_message(client):
    officer = await api_login(client, "officer")
    own = await create(
        client,
        officer,
        buyer_contact="李敏",
        buyer_phone="0571-87089999 转 12",
        documents_method="上城区民政局 3 楼 302 室现场领取，或在本平台下载",
        opening_place="杭州市上城区解放路 200 号 5 楼会议室",
    )
    assert (own["buyer_contact"], own["buyer_phone"], own["buyer_address"]) == (
        "李敏",
        "0571-87089999 转 12",
        "杭州市上城区解放路 200 号",
    )
    assert own["opening_place_text"] == "杭州市上城区解放路 200 号 5 楼会议室"
    assert own["documents_method_text"].startswith("上城区民政局 3 楼 302 室现场领取")
    for phone in ("12345", "请拨打总机", "87080000"):
        response = await client.post("/api/v1/tenders/", headers=officer, json=await payload(buyer_phone=phone))
        assert response.status_code == 422
        assert response.json()["errors"]["buyer_phone"] == "请填写有效的手机号码或带区号的固定电话。"


# --------------------------------------------------------------------------- the full tender documents


async def _attach(client, tender_id: int, name: str, content: bytes):
    page = await client.get(f"/bureau/tenders/{tender_id}")
    return await client.post(
        f"/bureau/tenders/{tender_id}/files",
        data={"_csrf_token": csrf_from(page.text)},
        files={"file": (name, content, "application/octet-stream")},
    )


async def test_the_officer_attaches_the_full_documents_and_the_public_downloads_them(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer)
    await page_login(client, "officer")
    attached = await _attach(client, draft["id"], "招标文件（完整版）.pdf", MINIMAL_PDF)
    assert attached.status_code == 303, attached.text
    docx = await _attach(client, draft["id"], "评分细则.docx", office("docx"))
    assert docx.status_code == 303, docx.text
    refused = await _attach(client, draft["id"], "说明.txt", "这是一段文字".encode())
    assert refused.status_code == 422 and "不是允许的类型（允许：PDF、DOCX）" in refused.text
    again = await _attach(client, draft["id"], "又一份.pdf", MINIMAL_PDF)
    assert again.status_code == 422 and "已经上传过了" in again.text
    files = await TenderFile.select().where(TenderFile.tender == draft["id"]).order_by(TenderFile.id)
    assert [f["name"] for f in files] == ["招标文件（完整版）.pdf", "评分细则.docx"]

    client.cookies.clear()
    assert (
        await client.get(files[0] and f"/tenders/{draft['id']}/files/{files[0]['id']}")
    ).status_code == 404  # a draft
    assert (await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)).status_code == 200
    notice = await Notice.select(Notice.id, Notice.content).where(Notice.tender == draft["id"]).first()
    assert f"招标文件（完整版）：招标文件（完整版）.pdf（SHA-256：{files[0]['sha256']}）" in notice["content"]
    notice_page = await client.get(f"/notices/{notice['id']}")
    assert f'href="/tenders/{draft["id"]}/files/{files[0]["id"]}"' in notice_page.text
    tender_page = await client.get(f"/tenders/{draft['id']}")
    assert f'href="/tenders/{draft["id"]}/files/{files[1]["id"]}"' in tender_page.text
    download = await client.get(f"/tenders/{draft['id']}/files/{files[0]['id']}")
    assert download.status_code == 200 and download.content == MINIMAL_PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert "filename*=UTF-8''" in download.headers["content-disposition"]
    assert await TenderDocumentReceipt.count().where(TenderDocumentReceipt.tender == draft["id"]) == 0

    member = await api_login(client, "xingfujia")
    via_api = await client.get(f"/api/v1/tenders/{draft['id']}/files/{files[1]['id']}", headers=member)
    assert via_api.status_code == 200 and via_api.content == office("docx")
    assert await documents_obtained_on(draft["id"], await _org_id()) == clock.today_local()
    # Published: the documents are what bidders obtained; a change is an amendment.
    late = await client.post(
        f"/api/v1/tenders/{draft['id']}/files",
        headers=officer,
        files={"data": ("补充.pdf", MINIMAL_PDF + b"%extra", "application/pdf")},
    )
    assert late.status_code == 409
    assert (
        await client.delete(f"/api/v1/tenders/{draft['id']}/files/{files[0]['id']}", headers=officer)
    ).status_code == 409


async def test_only_the_buyers_officer_attaches_and_removes(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer)
    other = await api_login(client, "qingbo")
    response = await client.post(
        f"/api/v1/tenders/{draft['id']}/files", headers=other, files={"data": ("x.pdf", MINIMAL_PDF, "application/pdf")}
    )
    assert response.status_code == 403 and await TenderFile.count() == 0
    mine = await client.post(
        f"/api/v1/tenders/{draft['id']}/files",
        headers=officer,
        files={"data": ("x.pdf", MINIMAL_PDF, "application/pdf")},
    )
    assert mine.status_code == 201, mine.text
    file_id = mine.json()["id"]
    assert (await client.delete(f"/api/v1/tenders/{draft['id']}/files/{file_id}", headers=other)).status_code == 403
    assert (await client.delete(f"/api/v1/tenders/{draft['id']}/files/{file_id}", headers=officer)).status_code == 200
    assert await TenderFile.count() == 0


# --------------------------------------------------------------------------- the generated PDF


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


async def test_the_generated_pdf_has_the_contact_block_and_no_internal_lines_or_doubled_bullets(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer)
    await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)
    text = _pdf_text((await client.get(f"/tenders/{draft['id']}/document.pdf")).content)
    compact = "".join(text.split())
    for expected in (
        "杭州市上城区解放路200号",
        "王建国",
        "0571-87080000",
        "获取招标文件",
        "开标地点",
        "本平台网上开标",
    ):
        assert expected in compact, expected
    for internal in ("最早可截至", "不早于", "若今天发布", "rule"):
        assert internal not in compact, internal
    assert "·" not in text  # the list items carry the PDF's own bullets, not a second one
    assert "服务方案：40分（主观分）" in compact


# --------------------------------------------------------------------------- clarifications: preview, then a 澄清公告


async def _question(client, tender_id: int, text: str = "请问助餐服务是否包含法定节假日？") -> int:
    member = await api_login(client, "xingfujia")
    asked = await client.post(f"/api/v1/tenders/{tender_id}/questions", headers=member, json={"question": text})
    assert asked.status_code == 201, asked.text
    return asked.json()["id"]


async def test_an_answer_is_previewed_then_published_as_a_clarification_notice_linked_from_the_tender(client):
    officer = await api_login(client, "officer")
    tender = await create(client, officer, bid_deadline=local(30))
    await client.post(f"/api/v1/tenders/{tender['id']}/publish", headers=officer)
    question_id = await _question(client, tender["id"])
    await page_login(client, "officer")
    url = f"/bureau/tenders/{tender['id']}/questions/{question_id}/answer"
    preview = await post_form(client, f"/bureau/tenders/{tender['id']}", url, {"answer": "包含，节假日照常供餐。"})
    assert preview.status_code == 200
    for expected in (
        "预览澄清公告",
        "紫阳街道助餐服务项目澄清公告",
        "一、澄清问题",
        "请问助餐服务是否包含法定节假日",
        "二、答复",
        "包含，节假日照常供餐。",
        "投标截止及开标时间不变",
        "确认发布澄清公告",
        "不能撤回",
    ):
        assert expected in preview.text, expected
    assert ORG not in preview.text  # exactly what the public reads: no asker
    assert await Notice.count().where((Notice.tender == tender["id"]) & (Notice.notice_type == "clarification")) == 0
    api_preview = await client.post(
        f"/api/v1/questions/{question_id}/answer/preview", headers=officer, json={"answer": "包含，节假日照常供餐。"}
    )
    assert api_preview.status_code == 200 and api_preview.json()["deadline_moved_to"] is None

    confirmed = await client.post(
        url, data={"answer": "包含，节假日照常供餐。", "confirmed": "1", "_csrf_token": csrf_from(preview.text)}
    )
    assert confirmed.status_code == 303
    notice = (
        await Notice.select().where((Notice.tender == tender["id"]) & (Notice.notice_type == "clarification")).first()
    )
    assert notice["title"] == "紫阳街道助餐服务项目澄清公告"
    assert notice["content"] == api_preview.json()["content"]  # the preview was exactly what was published
    client.cookies.clear()
    public = await client.get(f"/tenders/{tender['id']}")
    assert f'href="/notices/{notice["id"]}"' in public.text and "查看澄清公告" in public.text
    assert "澄清公告" in public.text.split('id="notices"')[1]  # listed with the tender's notices
    procurement_notice = (
        await Notice.select(Notice.id)
        .where((Notice.tender == tender["id"]) & (Notice.notice_type == "procurement"))
        .first()
    )
    notice_page = await client.get(f"/notices/{procurement_notice['id']}")
    assert f'href="/notices/{notice["id"]}"' in notice_page.text and "本项目其他公告" in notice_page.text
    clarification = await client.get(f"/notices/{notice['id']}")
    assert "包含，节假日照常供餐。" in clarification.text and ORG not in clarification.text
    listed = await client.get("/notices", params={"notice_type": "clarification"})
    assert "紫阳街道助餐服务项目澄清公告" in listed.text


async def test_a_late_answer_previews_the_moved_deadline_and_publishes_it(client):
    officer = await api_login(client, "officer")
    tender = await create(client, officer, bid_deadline=local(21), clarification_deadline=local(19))
    await client.post(f"/api/v1/tenders/{tender['id']}/publish", headers=officer)
    with clock.frozen(clock.now() + timedelta(days=12)):
        question_id = await _question(client, tender["id"], "团队人数要求是否可以放宽？")
        officer = await api_login(client, "officer")
        preview = await client.post(
            f"/api/v1/questions/{question_id}/answer/preview", headers=officer, json={"answer": "不可以。"}
        )
        moved = datetime.fromisoformat(preview.json()["deadline_moved_to"])
        assert clock.to_local(moved).date() == clock.local_now().date() + timedelta(days=15)
        assert "三、截止时间顺延" in preview.json()["content"]
        row = await Tender.select(Tender.bid_deadline).where(Tender.id == tender["id"]).first()
        assert clock.to_local(row["bid_deadline"]).date() == (clock.local_now() + timedelta(days=9)).date()  # unchanged
        await client.post(f"/api/v1/questions/{question_id}/answer", headers=officer, json={"answer": "不可以。"})
        notice = await Notice.select(Notice.content).where(Notice.notice_type == "clarification").first()
        assert notice["content"] == preview.json()["content"]


async def test_an_answered_question_cannot_be_previewed_or_answered_again(client):
    officer = await api_login(client, "officer")
    tender = await create(client, officer, bid_deadline=local(30))
    await client.post(f"/api/v1/tenders/{tender['id']}/publish", headers=officer)
    question_id = await _question(client, tender["id"])
    await client.post(f"/api/v1/questions/{question_id}/answer", headers=officer, json={"answer": "包含。"})
    for path in ("answer/preview", "answer"):
        again = await client.post(f"/api/v1/questions/{question_id}/{path}", headers=officer, json={"answer": "再答"})
        assert again.status_code == 422 and "已经答复过了" in again.json()["detail"]
    assert await Notice.count().where(Notice.notice_type == "clarification") == 1
