"""The tender pages as people use them: the public portal (notices, the feed,
a tender and its PDF, clarification questions) and the bureau's long tender
form, its refusals beside each field, and the actions on a tender's page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from procurement.catalogue.tables import CatalogueItem
from procurement.core import clock
from procurement.tenders.tables import Notice, Tender, TenderQuestion
from tests.integration.conftest import csrf_from, page_login, post_form

ATOM = "{http://www.w3.org/2005/Atom}"
OPEN_TENDER = "清波街道居家养老上门服务项目"
OPEN_NOTICE = "清波街道居家养老上门服务项目公开招标公告"
DRAFT = "清波街道社区议事协商能力建设项目"
ORG = "杭州市上城区幸福家社会工作服务中心"


async def _tender_id(title: str) -> int:
    return (await Tender.select(Tender.id).where(Tender.title == title).first())["id"]


async def _item_id(code: str = "A0102") -> int:
    return (await CatalogueItem.select(CatalogueItem.id).where(CatalogueItem.code == code).first())["id"]


def tender_form(item_id: int, **changes: Any) -> dict[str, Any]:
    """A valid 公开招标 as the long form sends it (row 1 of the criteria left blank on purpose)."""
    deadline = (clock.local_now() + timedelta(days=30)).replace(hour=9, minute=30)
    form: dict[str, Any] = {
        "title": "上城区困难老人助餐服务项目",
        "method": "open_tender",
        "catalogue_item_id": str(item_id),
        "description": "为辖区困难老人约 300 人提供助餐服务。\n每月开展满意度回访。",
        "lots.0.name": "助餐服务",
        "lots.0.budget_yuan": "800000.00",
        "lots.0.max_price_yuan": "780,000",
        "bid_bond_yuan": "10000",
        "eligibility.registration_types": ["social_service", "social_group"],
        "eligibility.no_major_violation_years": "3",
        "eligibility.abnormal_list_years": "1",
        "eligibility.dishonest_list_years": "2",
        "eligibility.annual_report_passed": "1",
        "team_requirements.min_licensed_workers": "2",
        "team_requirements.lead_min_level": "intermediate",
        "evaluation_scheme.method": "comprehensive",
        "evaluation_scheme.price_weight": "20",
        "evaluation_scheme.criteria.0.name": "服务方案",
        "evaluation_scheme.criteria.0.max_points": "50",
        "evaluation_scheme.criteria.0.kind": "subjective",
        "evaluation_scheme.criteria.1.kind": "subjective",
        "evaluation_scheme.criteria.2.name": "团队资质",
        "evaluation_scheme.criteria.2.max_points": "30",
        "evaluation_scheme.criteria.2.kind": "objective",
        "evaluation_scheme.criteria.2.description": "每名持证社工 5 分",
        "payment_schedule.0.label": "首期款",
        "payment_schedule.0.percent": "40",
        "payment_schedule.0.gate": "signing",
        "payment_schedule.1.label": "中期款",
        "payment_schedule.1.percent": "30",
        "payment_schedule.1.gate": "midterm",
        "payment_schedule.1.min_grade": "pass",
        "payment_schedule.2.label": "尾款",
        "payment_schedule.2.percent": "30",
        "payment_schedule.2.gate": "final",
        "payment_schedule.2.min_grade": "pass",
        "contract_term_months": "12",
        "bid_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
    }
    form.update(changes)
    return form


async def _create(client, **changes: Any):
    return await post_form(
        client, "/bureau/tenders/new", "/bureau/tenders/new", tender_form(await _item_id(), **changes)
    )


def _error_beside(html: str, name: str) -> str:
    match = re.search(rf'id="f-{re.escape(name)}-error">([^<]*)<', html)
    assert match, f"no error shown beside {name}"
    return match.group(1)


# --------------------------------------------------------------------------- the public portal


async def test_the_notice_list_needs_no_login_and_shows_every_published_notice(client):
    response = await client.get("/notices")
    assert response.status_code == 200
    assert OPEN_NOTICE in response.text and "上城区社会救助对象探访服务项目终止公告" in response.text
    assert "正在征集" in response.text and 'href="/notices.atom"' in response.text


async def test_the_notice_list_filters_by_type(client):
    response = await client.get("/notices", params={"notice_type": "termination"})
    assert "上城区社会救助对象探访服务项目终止公告" in response.text
    assert OPEN_NOTICE not in response.text


async def test_searching_finds_the_open_tender_and_an_unknown_word_finds_nothing(client):
    found = await client.get("/notices", params={"q": "养老"})
    assert OPEN_NOTICE in found.text and "上城区困境儿童关爱保护服务项目竞争性磋商公告" not in found.text
    assert 'value="养老"' in found.text
    nothing = await client.get("/notices", params={"q": "不存在的词"})
    assert nothing.status_code == 200 and OPEN_NOTICE not in nothing.text
    assert "没有符合条件的公告" in nothing.text


async def test_the_next_page_link_keeps_the_filters(client):
    buyer = await Notice.select(Notice.buyer, Notice.buyer_name).first()
    now = clock.now()
    await Notice.insert(
        *[
            Notice(
                notice_type="result",
                tender=None,
                buyer=buyer["buyer"],
                buyer_name=buyer["buyer_name"],
                method="open_tender",
                category="elderly",
                title=f"结果公告第{n:02d}号",
                content="中标结果。",
                published_at=now - timedelta(minutes=n),
            )
            for n in range(25)
        ]
    )
    first = await client.get("/notices", params={"notice_type": "result"})
    assert "结果公告第00号" in first.text and "结果公告第24号" not in first.text
    next_url = re.search(r'href="(/notices\?[^"]*cursor=[^"]*)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert "notice_type=result" in next_url
    second = await client.get(next_url)
    assert "结果公告第24号" in second.text and "结果公告第00号" not in second.text
    assert OPEN_NOTICE not in second.text and 'rel="next"' not in second.text


async def test_the_draft_never_reaches_the_portal(client):
    draft_id = await _tender_id(DRAFT)
    assert DRAFT not in (await client.get("/notices")).text
    assert DRAFT not in (await client.get("/notices", params={"q": "议事"})).text
    assert (await client.get(f"/tenders/{draft_id}")).status_code == 404
    assert (await client.get(f"/tenders/{draft_id}/document.pdf")).status_code == 404
    await page_login(client, "xingfujia")
    response = await client.get(f"/tenders/{draft_id}")
    assert response.status_code == 404 and "找不到" in response.text


async def test_the_atom_feed_is_xml_with_an_entry_per_notice(client):
    response = await client.get("/notices.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == await Notice.count()
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert OPEN_NOTICE in titles and not any(DRAFT in (t or "") for t in titles)
    entry = entries[0]
    assert re.fullmatch(r"urn:procurement:notice:\d+", entry.findtext(f"{ATOM}id"))
    assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/notices/")


async def test_a_notice_shows_its_text_escaped_with_links_to_the_tender_and_pdf(client):
    notice = await Notice.select().where(Notice.title == OPEN_NOTICE).first()
    response = await client.get(f"/notices/{notice['id']}")
    assert response.status_code == 200
    assert "<p>项目编号：" in response.text and "一、项目概况" in response.text
    assert f'href="/tenders/{notice["tender"]}"' in response.text
    assert f'href="/tenders/{notice["tender"]}/document.pdf"' in response.text
    assert (await client.get("/notices/999999")).status_code == 404


async def test_the_tender_page_shows_lots_and_the_timeline_in_beijing_time(client):
    tender_id = await _tender_id(OPEN_TENDER)
    row = await Tender.select(Tender.bid_deadline).where(Tender.id == tender_id).first()
    response = await client.get(f"/tenders/{tender_id}")
    assert response.status_code == 200
    text = response.text
    assert "居家养老上门服务" in text and "¥1,280,000.00" in text and "¥1,250,000.00" in text
    assert "投标截止" in text and clock.to_local(row["bid_deadline"]).strftime("%Y-%m-%d %H:%M") in text
    assert "需求分析与服务方案" in text and "主观分" in text and "首期款" in text
    assert f'href="/tenders/{tender_id}/document.pdf"' in text
    assert "登录后可就本项目提出澄清问题" in text


async def test_the_tender_pdf_is_served_inline(client):
    response = await client.get(f"/tenders/{await _tender_id(OPEN_TENDER)}/document.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith("inline;")


async def test_the_home_page_lists_the_newest_notices(client):
    response = await client.get("/")
    assert OPEN_NOTICE in response.text and 'href="/notices"' in response.text


# --------------------------------------------------------------------------- the bureau's form


async def test_an_officer_creates_a_tender_through_the_long_form(client):
    await page_login(client, "officer")
    form_page = await client.get("/bureau/tenders/new")
    assert (
        form_page.status_code == 200 and "基本信息" in form_page.text and 'name="lots.4.budget_yuan"' in form_page.text
    )
    response = await _create(client)
    assert response.status_code == 303, response.text[:2000]
    tender_id = await _tender_id("上城区困难老人助餐服务项目")
    assert response.headers["location"] == f"/bureau/tenders/{tender_id}"
    page = await client.get(response.headers["location"])
    assert "草稿" in page.text and "¥780,000.00" in page.text and "团队资质" in page.text
    row = await Tender.select().where(Tender.id == tender_id).first()
    assert row["total_budget_fen"] == 80_000_000 and row["bid_bond_fen"] == 1_000_000
    assert '"c2"' in row["evaluation_scheme"]  # the blank row 1 was dropped: two criteria


async def test_a_price_weight_of_9_is_refused_beside_its_field_and_nothing_is_saved(client):
    await page_login(client, "officer")
    before = await Tender.count()
    response = await _create(client, **{"evaluation_scheme.price_weight": "9"})
    assert response.status_code == 422
    message = _error_beside(response.text, "evaluation_scheme.price_weight")
    assert "《政府采购货物和服务招标投标管理办法》第五十五条" in message and "不得低于 10%" in message
    assert 'value="上城区困难老人助餐服务项目"' in response.text
    assert 'value="780,000"' in response.text and "请按提示修改" in response.text
    assert await Tender.count() == before


async def test_an_error_in_a_lot_row_lands_beside_that_row_even_after_a_blank_row(client):
    await page_login(client, "officer")
    blank_first = {"lots.0.name": "", "lots.0.budget_yuan": "", "lots.0.max_price_yuan": ""}
    response = await _create(
        client,
        **blank_first,
        **{
            "lots.2.name": "助餐服务",
            "lots.2.budget_yuan": "500000",
            "lots.2.max_price_yuan": "600000",
        },
    )
    assert response.status_code == 422
    assert "超过了本包预算" in _error_beside(response.text, "lots.2.max_price_yuan")
    assert 'name="eligibility.registration_types" value="social_service" checked' in response.text

    unreadable = await _create(client, **blank_first, **{"lots.3.name": "送餐服务", "lots.3.budget_yuan": "12.345"})
    assert unreadable.status_code == 422
    assert "最多两位小数" in _error_beside(unreadable.text, "lots.3.budget_yuan")
    assert 'value="12.345"' in unreadable.text


async def test_an_officer_publishes_then_amends_a_tender_and_both_notices_appear(client):
    await page_login(client, "officer")
    created = await _create(client)
    tender_id = await _tender_id("上城区困难老人助餐服务项目")
    published = await post_form(client, created.headers["location"], f"/bureau/tenders/{tender_id}/publish", {})
    assert published.status_code == 303
    notices = (await client.get("/notices")).text
    assert "上城区困难老人助餐服务项目公开招标公告" in notices

    edit = await client.get(f"/bureau/tenders/{tender_id}/edit")
    assert edit.status_code == 200 and "发布更正公告" in edit.text and 'name="change_note"' in edit.text
    form = tender_form(await _item_id(), **{"lots.0.max_price_yuan": "790000"})
    refused = await post_form(client, f"/bureau/tenders/{tender_id}/edit", f"/bureau/tenders/{tender_id}/edit", form)
    assert refused.status_code == 422 and _error_beside(refused.text, "change_note")
    amended = await post_form(
        client,
        f"/bureau/tenders/{tender_id}/edit",
        f"/bureau/tenders/{tender_id}/edit",
        {**form, "change_note": "最高限价调整为 79 万元。"},
    )
    assert amended.status_code == 303, amended.text[:2000]
    assert "更正公告" in (await client.get("/notices")).text
    page = (await client.get(f"/bureau/tenders/{tender_id}")).text
    assert "第 2 版" in page and "¥790,000.00" in page


async def test_an_officer_cancels_a_published_tender_with_a_reason(client):
    await page_login(client, "officer")
    tender_id = await _tender_id("上城区困境儿童关爱保护服务项目")
    url = f"/bureau/tenders/{tender_id}"
    refused = await post_form(client, url, f"{url}/cancel", {"reason": ""})
    assert refused.status_code == 422 and _error_beside(refused.text, "reason")
    response = await post_form(client, url, f"{url}/cancel", {"reason": "服务需求调整，本项目不再采购。"})
    assert response.status_code == 303
    assert "上城区困境儿童关爱保护服务项目终止公告" in (await client.get("/notices")).text
    assert "已终止" in (await client.get(url)).text


async def test_an_officer_of_another_bureau_may_not_publish_the_draft(client):
    draft_id = await _tender_id(DRAFT)
    await page_login(client, "qingbo")
    response = await post_form(client, "/dashboard", f"/bureau/tenders/{draft_id}/publish", {})
    assert response.status_code == 403
    assert "只有采购人" in response.text
    assert (await Tender.select(Tender.status).where(Tender.id == draft_id).first())["status"] == "draft"


async def test_the_bureau_list_shows_own_tenders_with_drafts(client):
    await page_login(client, "officer")
    response = await client.get("/bureau/tenders")
    assert response.status_code == 200 and DRAFT in response.text and "新建项目" in response.text


@pytest.mark.parametrize("username,path", [("xingfujia", "/bureau/tenders"), ("officer", "/org/tenders")])
async def test_the_role_pages_refuse_other_roles(client, username, path):
    await page_login(client, username)
    assert (await client.get(path)).status_code == 403


# --------------------------------------------------------------------------- clarification questions


async def test_an_organization_asks_the_officer_answers_and_the_answer_is_public_without_the_name(client):
    tender_id = await _tender_id(OPEN_TENDER)
    url = f"/tenders/{tender_id}"
    await page_login(client, "xingfujia")
    assert OPEN_TENDER in (await client.get("/org/tenders")).text
    assert "提出澄清问题" in (await client.get(url)).text
    short = await post_form(client, url, f"{url}/questions", {"question": "短"})
    assert short.status_code == 422 and "至少 5 个字" in _error_beside(short.text, "question")
    asked = await post_form(client, url, f"{url}/questions", {"question": "请问助餐服务是否包含法定节假日？"})
    assert asked.status_code == 303
    mine = await client.get(url)
    assert "请问助餐服务是否包含法定节假日" in mine.text and "待答复" in mine.text

    client.cookies.clear()
    assert "请问助餐服务是否包含法定节假日" not in (await client.get(url)).text  # not public before the answer
    await page_login(client, "officer")
    question = await TenderQuestion.select(TenderQuestion.id).where(TenderQuestion.tender == tender_id).first()
    bureau_page = await client.get(f"/bureau/tenders/{tender_id}")
    assert ORG in bureau_page.text  # the bureau sees who asked
    answer_url = f"/bureau/tenders/{tender_id}/questions/{question['id']}/answer"
    preview = await post_form(
        client, f"/bureau/tenders/{tender_id}", answer_url, {"answer": "包含法定节假日，节假日照常供餐。"}
    )
    assert preview.status_code == 200 and "确认发布澄清公告" in preview.text  # a preview first, nothing published
    assert (await TenderQuestion.select(TenderQuestion.answered_at).where(TenderQuestion.id == question["id"]).first())[
        "answered_at"
    ] is None
    answered = await client.post(
        answer_url,
        data={"answer": "包含法定节假日，节假日照常供餐。", "confirmed": "1", "_csrf_token": csrf_from(preview.text)},
    )
    assert answered.status_code == 303

    client.cookies.clear()
    public = await client.get(url)
    assert "包含法定节假日，节假日照常供餐" in public.text and "请问助餐服务是否包含法定节假日" in public.text
    assert ORG not in public.text
