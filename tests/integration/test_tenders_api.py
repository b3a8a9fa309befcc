"""Tenders through the API on a real database: drafts stay private, rules
refuse with their numbers and save nothing, publication writes notices,
amendments move deadlines (rule 16), the deadline closes tenders at read time
and through the sweep exactly once, and clarifications are public and anonymous."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from procurement.catalogue.tables import CatalogueItem
from procurement.core import clock
from procurement.core.tables import AuditEvent
from procurement.tenders.services import close_due_tenders
from procurement.tenders.tables import Notice, Tender
from tests.integration.conftest import api_login


def local(days: int, hour: int = 9, minute: int = 30) -> str:
    """A naive Asia/Shanghai time ``days`` from today, as a browser sends it."""
    day = clock.local_now().date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute).isoformat()


async def payload(**overrides) -> dict:
    item = await CatalogueItem.select(CatalogueItem.id).where(CatalogueItem.code == "A0101").first()
    body = {
        "title": "紫阳街道助餐服务项目",
        "method": "open_tender",
        "catalogue_item_id": item["id"],
        "description": "为紫阳街道 200 名老人提供助餐服务。",
        "lots": [{"name": "助餐服务", "budget_fen": 50_000_000, "max_price_fen": 48_000_000}],
        "bid_bond_fen": 1_000_000,
        "evaluation_scheme": {
            "method": "comprehensive",
            "price_weight": 30,
            "criteria": [
                {"name": "服务方案", "max_points": 40, "kind": "subjective"},
                {"name": "团队资质", "max_points": 30, "kind": "objective"},
            ],
        },
        "payment_schedule": [
            {"label": "首期", "percent": 40, "gate": "signing"},
            {"label": "中期", "percent": 30, "gate": "midterm", "min_grade": "pass"},
            {"label": "尾款", "percent": 30, "gate": "final", "min_grade": "pass"},
        ],
        "bid_deadline": local(25),
    }
    body.update(overrides)
    return body


async def create(client, headers, **overrides) -> dict:
    response = await client.post("/api/v1/tenders/", headers=headers, json=await payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_draft_is_invisible_to_everyone_but_its_bureau(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer)
    assert draft["status"] == "draft" and draft["reference_no"].endswith(f"{draft['id']:05d}")
    assert (await client.get(f"/api/v1/tenders/{draft['id']}")).status_code == 404
    member = await api_login(client, "xingfujia")
    assert (await client.get(f"/api/v1/tenders/{draft['id']}", headers=member)).status_code == 404
    other_bureau = await api_login(client, "qingbo")
    assert (await client.get(f"/api/v1/tenders/{draft['id']}", headers=other_bureau)).status_code == 404
    public_ids = [t["id"] for t in (await client.get("/api/v1/tenders/")).json()["items"]]
    assert draft["id"] not in public_ids
    notices = (await client.get("/api/v1/notices/?limit=100")).json()["items"]
    assert all(n["tender_id"] != draft["id"] for n in notices)
    assert (await client.get(f"/api/v1/tenders/{draft['id']}/document")).status_code == 404
    mine = (await client.get("/api/v1/tenders/?mine=true", headers=officer)).json()["items"]
    assert draft["id"] in [t["id"] for t in mine]


async def test_an_officer_of_another_bureau_cannot_edit_or_publish(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer)
    other = await api_login(client, "qingbo")
    for response in (
        await client.put(f"/api/v1/tenders/{draft['id']}", headers=other, json=await payload(title="被篡改的项目")),
        await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=other),
        await client.post(f"/api/v1/tenders/{draft['id']}/cancel", headers=other, json={"reason": "不是我的项目"}),
    ):
        assert response.status_code == 403, response.text
        assert "杭州市上城区民政局" in response.json()["detail"]
    row = await Tender.select(Tender.title, Tender.status).where(Tender.id == draft["id"]).first()
    assert row == {"title": "紫阳街道助餐服务项目", "status": "draft"}


async def test_a_deadline_19_days_out_is_refused_with_the_rule_and_the_earliest_date(client):
    officer = await api_login(client, "officer")
    before = await Tender.count()
    response = await client.post("/api/v1/tenders/", headers=officer, json=await payload(bid_deadline=local(19)))
    assert response.status_code == 422
    message = response.json()["errors"]["bid_deadline"]
    earliest = clock.local_now().date() + timedelta(days=20)
    assert (
        "《政府采购法》第三十五条" in message and f"{earliest.year} 年 {earliest.month} 月 {earliest.day} 日" in message
    )
    assert await Tender.count() == before
    assert (
        await client.post("/api/v1/tenders/", headers=officer, json=await payload(bid_deadline=local(20)))
    ).status_code == 201


async def test_several_violations_are_named_together_and_nothing_is_saved(client):
    officer = await api_login(client, "officer")
    before = await Tender.count()
    response = await client.post(
        "/api/v1/tenders/",
        headers=officer,
        json=await payload(
            bid_bond_fen=1_000_001,
            lots=[{"name": "助餐服务", "budget_fen": 50_000_000, "max_price_fen": 50_000_001}],
            evaluation_scheme={
                "method": "comprehensive",
                "price_weight": 9,
                "criteria": [{"name": "服务方案", "max_points": 91, "kind": "subjective"}],
            },
        ),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "《政府采购法实施条例》第三十三条、第四十八条" in errors["bid_bond_fen"]
    assert "《政府采购货物和服务招标投标管理办法》第十二条" in errors["lots.0.max_price_fen"]
    assert "《政府采购货物和服务招标投标管理办法》第五十五条" in errors["evaluation_scheme.price_weight"]
    assert await Tender.count() == before


async def test_a_minimum_price_is_refused_by_rule_17(client):
    officer = await api_login(client, "officer")
    response = await client.post(
        "/api/v1/tenders/",
        headers=officer,
        json=await payload(lots=[{"name": "助餐服务", "budget_fen": 50_000_000, "min_price_fen": 1_000_000}]),
    )
    assert response.status_code == 400
    assert "《政府采购货物和服务招标投标管理办法》第十二条" in response.json()["detail"]


async def test_publishing_writes_the_notice_version_and_audit_row(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer)
    published = await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    notice = await Notice.select().where(Notice.tender == draft["id"]).first()
    assert notice["notice_type"] == "procurement" and "紫阳街道助餐服务项目" in notice["title"]
    assert "rule" not in notice["content"]  # internal rule numbers stay out of public notices
    assert (
        await AuditEvent.count().where(
            (AuditEvent.action == "tender.publish") & (AuditEvent.entity_id == str(draft["id"]))
        )
        == 1
    )
    public = (await client.get(f"/api/v1/tenders/{draft['id']}")).json()
    assert public["status_label"] == "正在征集" and [v["version"] for v in public["versions"]] == [1]
    again = await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)
    assert again.status_code == 409 and again.json()["code"] == "invalid-transition"


async def test_concurrent_publishing_publishes_once(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer)
    responses = await asyncio.gather(
        *[client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer) for _ in range(6)]
    )
    assert sorted(r.status_code for r in responses).count(200) == 1, [r.status_code for r in responses]
    assert await Notice.count().where(Notice.tender == draft["id"]) == 1


async def test_an_amendment_too_close_to_the_deadline_moves_it_back(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer, bid_deadline=local(21))
    await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)
    start = clock.now()
    with clock.frozen(start + timedelta(days=10)):
        officer = await api_login(client, "officer")
        body = await payload(bid_deadline=local(11), bid_bond_fen=500_000, change_note="降低投标保证金")
        response = await client.post(f"/api/v1/tenders/{draft['id']}/amend", headers=officer, json=body)
        assert response.status_code == 200, response.text
        amended = response.json()
        moved = clock.to_local(datetime.fromisoformat(amended["bid_deadline"]))
        assert moved.date() == clock.local_now().date() + timedelta(days=15)
        assert (moved.hour, moved.minute) == (9, 30)
        assert amended["version"] == 2
        notice = (
            await Notice.select().where((Notice.tender == draft["id"]) & (Notice.notice_type == "amendment")).first()
        )
        assert "顺延" in notice["content"] and "投标保证金由 ¥10,000.00 改为 ¥5,000.00" in notice["content"]


async def test_an_amendment_with_enough_time_left_keeps_the_deadline(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer, bid_deadline=local(40))
    await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)
    body = await payload(bid_deadline=local(40), title="紫阳街道助餐服务项目（更正）", change_note="更正项目名称")
    amended = (await client.post(f"/api/v1/tenders/{draft['id']}/amend", headers=officer, json=body)).json()
    assert clock.to_local(
        datetime.fromisoformat(amended["bid_deadline"])
    ).date() == clock.local_now().date() + timedelta(days=40)
    notice = await Notice.select().where((Notice.tender == draft["id"]) & (Notice.notice_type == "amendment")).first()
    assert "顺延" not in notice["content"] and "项目名称由" in notice["content"]


async def test_cancelling_publishes_a_termination_notice_but_a_draft_leaves_no_trace(client):
    officer = await api_login(client, "officer")
    published = await create(client, officer)
    await client.post(f"/api/v1/tenders/{published['id']}/publish", headers=officer)
    assert (
        await client.post(f"/api/v1/tenders/{published['id']}/cancel", headers=officer, json={"reason": "需求变更"})
    ).status_code == 200
    assert await Notice.count().where((Notice.tender == published["id"]) & (Notice.notice_type == "termination")) == 1
    draft = await create(client, officer)
    assert (
        await client.post(f"/api/v1/tenders/{draft['id']}/cancel", headers=officer, json={"reason": "重复创建"})
    ).status_code == 200
    assert await Notice.count().where(Notice.tender == draft["id"]) == 0


async def test_a_passed_deadline_closes_the_tender_at_read_time_and_the_sweep_records_it_once(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer, bid_deadline=local(21))
    await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)
    with clock.frozen(clock.now() + timedelta(days=22)):
        public = (await client.get(f"/api/v1/tenders/{draft['id']}")).json()
        assert public["status"] == "closed" and public["status_label"] == "已截止"
        assert (await Tender.select(Tender.status).where(Tender.id == draft["id"]).first())["status"] == "published"
        first, second = await close_due_tenders(), await close_due_tenders()
        assert first >= 1 and second == 0
        assert (await Tender.select(Tender.status).where(Tender.id == draft["id"]).first())["status"] == "closed"
        assert (
            await AuditEvent.count().where(
                (AuditEvent.action == "tender.close") & (AuditEvent.entity_id == str(draft["id"]))
            )
            == 1
        )
        officer = await api_login(client, "officer")
        late = await client.post(
            f"/api/v1/tenders/{draft['id']}/amend", headers=officer, json=await payload(change_note="截止后更正")
        )
        assert late.status_code == 409


async def test_questions_are_private_until_answered_then_public_and_anonymous(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer, bid_deadline=local(30))
    await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)
    member = await api_login(client, "xingfujia")
    asked = await client.post(
        f"/api/v1/tenders/{draft['id']}/questions", headers=member, json={"question": "助餐服务是否包含节假日送餐？"}
    )
    assert asked.status_code == 201, asked.text
    assert (await client.get(f"/api/v1/tenders/{draft['id']}")).json()["questions"] == []
    own = (await client.get(f"/api/v1/tenders/{draft['id']}", headers=member)).json()["questions"]
    assert own[0]["asked_by_my_org"] is True
    staff = (await client.get(f"/api/v1/tenders/{draft['id']}", headers=officer)).json()["questions"]
    assert staff[0]["organization_name"] == "杭州市上城区幸福家社会工作服务中心"
    answered = await client.post(
        f"/api/v1/questions/{asked.json()['id']}/answer", headers=officer, json={"answer": "包含，节假日照常送餐。"}
    )
    assert answered.status_code == 200, answered.text
    public = (await client.get(f"/api/v1/tenders/{draft['id']}")).json()["questions"]
    assert public[0]["answer"] == "包含，节假日照常送餐。" and public[0]["organization_name"] is None
    again = await client.post(
        f"/api/v1/questions/{asked.json()['id']}/answer", headers=officer, json={"answer": "再答一次"}
    )
    assert again.status_code == 422


async def test_questions_close_at_the_clarification_deadline(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer, bid_deadline=local(30), clarification_deadline=local(20))
    await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)
    with clock.frozen(clock.now() + timedelta(days=21)):
        member = await api_login(client, "xingfujia")
        late = await client.post(
            f"/api/v1/tenders/{draft['id']}/questions", headers=member, json={"question": "还能提问吗？请说明。"}
        )
        assert late.status_code == 409 and "答疑已于" in late.json()["detail"]


async def test_an_answer_published_too_close_to_the_deadline_moves_it_back(client):
    officer = await api_login(client, "officer")
    draft = await create(client, officer, bid_deadline=local(21), clarification_deadline=local(19))
    await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)
    with clock.frozen(clock.now() + timedelta(days=12)):
        member = await api_login(client, "xingfujia")
        asked = (
            await client.post(
                f"/api/v1/tenders/{draft['id']}/questions",
                headers=member,
                json={"question": "团队人数要求是否可以放宽？"},
            )
        ).json()
        officer = await api_login(client, "officer")
        answered = (
            await client.post(f"/api/v1/questions/{asked['id']}/answer", headers=officer, json={"answer": "不可以。"})
        ).json()
        moved = clock.to_local(datetime.fromisoformat(answered["bid_deadline"]))
        assert moved.date() == clock.local_now().date() + timedelta(days=15)


async def test_only_bureau_officers_create_tenders(client):
    member = await api_login(client, "xingfujia")
    response = await client.post("/api/v1/tenders/", headers=member, json=await payload())
    assert response.status_code == 403 and "经办人" in response.json()["detail"]


async def test_notices_filter_search_and_paginate_by_cursor(client):
    all_items = (await client.get("/api/v1/notices/?limit=100")).json()["items"]
    assert len(all_items) >= 5
    first = (await client.get("/api/v1/notices/?limit=2")).json()
    second = (await client.get(f"/api/v1/notices/?limit=2&cursor={first['next_cursor']}")).json()
    assert [n["id"] for n in first["items"] + second["items"]] == [n["id"] for n in all_items[:4]]
    found = (await client.get("/api/v1/notices/?q=养老")).json()["items"]
    assert found and all("养老" in n["title"] + n["content"] for n in found)
    assert (await client.get("/api/v1/notices/?q=没有这个词xyz")).json()["items"] == []
    venture = (await client.get("/api/v1/notices/?notice_type=venture_call")).json()["items"]
    assert venture and all(n["notice_type"] == "venture_call" for n in venture)
    open_now = (await client.get("/api/v1/notices/?status=open")).json()["items"]
    assert open_now and all(n["tender_status_label"] == "正在征集" for n in open_now)
    assert (await client.get("/api/v1/notices/?cursor=garbage")).status_code == 422
    assert (await client.get("/api/v1/notices/?q=%25")).status_code == 200


async def test_the_tender_document_is_a_pdf_with_a_cjk_font(client):
    import io

    from pypdf import PdfReader

    tenders = (await client.get("/api/v1/tenders/?open_only=true")).json()["items"]
    response = await client.get(f"/api/v1/tenders/{tenders[0]['id']}/document")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    fonts = set()
    for pdf_page in reader.pages:
        for font in (pdf_page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("CJK" in f for f in fonts), fonts
    text = reader.pages[0].extract_text()
    assert tenders[0]["title"] in text.replace("\n", "") and "rule" not in text


async def test_search_finds_long_and_short_terms_and_follows_edits(client):
    # Three characters or more go through the trigram index on SQLite; shorter ones scan.
    for term in ("居家养老上门", "困境儿童", "养老"):
        found = (await client.get(f"/api/v1/notices/?q={term}")).json()["items"]
        assert found and all(term in n["title"] + n["content"] for n in found), term
    officer = await api_login(client, "officer")
    draft = await create(client, officer, title="紫阳街道独特词汇测试项目")
    await client.post(f"/api/v1/tenders/{draft['id']}/publish", headers=officer)
    assert [n["tender_id"] for n in (await client.get("/api/v1/notices/?q=独特词汇测试")).json()["items"]] == [
        draft["id"]
    ]
    await Notice.update({Notice.title: "改名后的公告"}, force=True).where(Notice.tender == draft["id"])
    await Notice.update({Notice.content: "内容已改"}, force=True).where(Notice.tender == draft["id"])
    assert (await client.get("/api/v1/notices/?q=独特词汇测试")).json()["items"] == []


async def test_a_failed_or_cancelled_tender_can_be_tendered_again_as_a_new_draft(client):
    officer = await api_login(client, "officer")
    original = await create(client, officer)
    assert (await client.post(f"/api/v1/tenders/{original['id']}/retender", headers=officer)).status_code == 422
    await client.post(f"/api/v1/tenders/{original['id']}/publish", headers=officer)
    await client.post(f"/api/v1/tenders/{original['id']}/cancel", headers=officer, json={"reason": "预算调整"})
    again = await client.post(f"/api/v1/tenders/{original['id']}/retender", headers=officer)
    assert again.status_code == 201, again.text
    draft = again.json()
    assert draft["status"] == "draft" and draft["title"].endswith("（重新招标）")
    assert [lot["budget_fen"] for lot in draft["lots"]] == [lot["budget_fen"] for lot in original["lots"]]
    other = await api_login(client, "qingbo")
    assert (await client.post(f"/api/v1/tenders/{original['id']}/retender", headers=other)).status_code == 403
