"""The events of issue 15 §3 wired to ``notify()``: each reaches exactly the people it is
for, once, with the link to the page to act on; a sweep run twice tells nobody twice; a
sealed bid's receipt reaches its own organization only. Runs on SQLite and on PostgreSQL
(``DATABASE_URL``)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from contracts.delivery import due as delivery_due
from contracts.payments import due as payments_due
from procurement.accounts.tables import User
from procurement.bids.opening import open_due_tenders
from procurement.catalogue.tables import CatalogueItem, CategoryFollow
from procurement.core import clock
from procurement.core.actors import Role
from procurement.core.tables import AuditEvent, InboxItem
from tests.integration.bid_helpers import CANARY_PRICE_FEN, CANARY_PRICE_TEXTS, published_tender
from tests.integration.conftest import api_login, page_login, post_form
from tests.integration.contract_change_helpers import active_contract, propose, sign_change
from tests.integration.test_assessments import all_scores, assigned, evaluate
from tests.integration.test_bids_api import past_deadline, ready_bid, submit, submitted_bid
from tests.integration.test_contract_delivery import active_contract as running_contract
from tests.integration.test_contract_delivery import at
from tests.integration.test_contract_payments import activated, item, schedule

FOLLOWED = "/api/v1/catalogue/followed"


async def org_of(username: str) -> int:
    row = await User.select(User.organization).where(User.username == username).first()
    return row["organization"]


async def members(username: str, role: str | None = None) -> set[int]:
    """The active accounts of ``username``'s organization (with one role, if given)."""
    where = (User.organization == await org_of(username)) & (User.is_active == True)
    if role is not None:
        where &= User.role == role
    rows = await User.select(User.id).where(where)
    assert rows, username
    return {r["id"] for r in rows}


async def told(event: str, link: str | None = None) -> list[int]:
    """The recipients of ``event`` (with ``link``), one entry per inbox item, sorted."""
    rows = await InboxItem.select(InboxItem.recipient, InboxItem.link).where(InboxItem.event == event)
    return sorted(r["recipient"] for r in rows if link is None or r["link"] == link)


async def a0601_category() -> str:
    row = await CatalogueItem.select(CatalogueItem.category).where(CatalogueItem.code == "A0601").first()
    return row["category"]


async def last_inbox_id() -> int:
    row = await InboxItem.select(InboxItem.id).order_by(InboxItem.id, ascending=False).first()
    return row["id"] if row else 0


# --------------------------------------------------------------------------- a new tender in a followed category


async def test_a_new_tender_reaches_each_member_of_the_organizations_following_its_category_once(client):
    category = await a0601_category()
    other = next(c for c in ("youth", "family", "elderly") if c != category)
    yile = await api_login(client, "yile")
    xingfujia = await api_login(client, "xingfujia")
    yangguang = await api_login(client, "yangguang")
    listed = await client.get(FOLLOWED, headers=yile)
    assert listed.status_code == 200, listed.text
    assert not any(c["followed"] for c in listed.json()["categories"])
    for headers in (yile, xingfujia, xingfujia):  # following twice changes nothing
        done = await client.post(FOLLOWED, headers=headers, json={"category": category})
        assert done.status_code == 200, done.text
        assert {c["category"] for c in done.json()["categories"] if c["followed"]} == {category}
    assert (await client.post(FOLLOWED, headers=yangguang, json={"category": other})).status_code == 200
    assert await CategoryFollow.count().where(CategoryFollow.organization == await org_of("xingfujia")) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "catalogue.category_followed") == 3

    tender = await published_tender(client)
    link = f"/tenders/{tender['id']}"
    expected = sorted((await members("yile")) | (await members("xingfujia")))
    assert await told("tender.published", link) == expected, "one item per member of each follower"
    assert await told("tender.published") == expected, "nobody else (yangguang follows another category)"
    item_row = await InboxItem.select().where(InboxItem.event == "tender.published").first()
    assert tender["title"] in item_row["title"] and "截止时间" in item_row["body"]

    unfollowed = await client.delete(f"{FOLLOWED}/{category}", headers=xingfujia)
    assert unfollowed.status_code == 200 and not any(c["followed"] for c in unfollowed.json()["categories"])
    second = await published_tender(client, title="测试关注类别第二个项目")
    assert await told("tender.published", f"/tenders/{second['id']}") == sorted(await members("yile"))


async def test_a_single_source_tender_tells_only_its_named_provider_among_the_followers(client):
    category = await a0601_category()
    for username in ("yile", "xingfujia"):
        headers = await api_login(client, username)
        assert (await client.post(FOLLOWED, headers=headers, json={"category": category})).status_code == 200
    tender = await published_tender(
        client,
        method="single_source",
        single_source_provider_id=await org_of("yile"),
        method_justification="该服务只能由本社区唯一具备资质的养老服务机构提供，经批准采用单一来源方式。",
    )
    assert await told("tender.published", f"/tenders/{tender['id']}") == sorted(await members("yile"))


async def test_concurrent_follows_of_one_category_leave_one_row_and_no_error(client):
    headers = await api_login(client, "xingfujia")
    answers = await asyncio.gather(
        *[client.post(FOLLOWED, headers=headers, json={"category": "elderly"}) for _ in range(10)]
    )
    assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers if a.status_code != 200]
    assert await CategoryFollow.count() == 1, "the unique index keeps one row per organization and category"


async def test_only_a_social_organizations_member_follows_and_a_category_must_exist(client):
    for username in ("officer", "qingbo", "pinggu", "expert1"):
        refused = await client.post(FOLLOWED, headers=await api_login(client, username), json={"category": "elderly"})
        assert refused.status_code == 403 and "社会组织" in refused.text, username
    assert (await client.get(FOLLOWED)).status_code == 401
    yile = await api_login(client, "yile")
    wrong = await client.post(FOLLOWED, headers=yile, json={"category": "no-such"})
    assert wrong.status_code == 422 and "服务类别" in wrong.text
    assert await CategoryFollow.count() == 0


async def test_an_organization_follows_and_unfollows_a_category_on_its_page(client):
    await page_login(client, "yile")
    shown = await client.get("/org/categories")
    assert shown.status_code == 200 and "关注的服务类别" in shown.text and "为老服务" in shown.text
    done = await post_form(client, "/org/categories", "/org/categories", {"category": "elderly", "follow": "1"})
    assert done.status_code in (200, 303), done.text
    assert await CategoryFollow.count().where(CategoryFollow.category == "elderly") == 1
    after = await client.get("/org/categories")
    assert "已关注" in after.text and "取消关注" in after.text
    done = await post_form(client, "/org/categories", "/org/categories", {"category": "elderly", "follow": "0"})
    assert done.status_code in (200, 303)
    assert await CategoryFollow.count() == 0
    bad = await post_form(client, "/org/categories", "/org/categories", {"category": "nothing", "follow": "1"})
    assert bad.status_code == 422 and "请选择服务类别" in bad.text


# --------------------------------------------------------------------------- the bid receipt and the opening


async def test_the_receipt_reaches_only_the_bidders_own_members_and_says_no_more_than_the_receipt(client):
    tender = await published_tender(client)
    before = await last_inbox_id()
    bid, headers, _doc = await ready_bid(client, "xingfujia", tender, price_fen=CANARY_PRICE_FEN)
    receipt = await submit(client, headers, bid["id"])
    assert receipt.status_code == 200, receipt.text
    receipt_no = receipt.json()["receipt_no"]
    new = await InboxItem.select().where(InboxItem.id > before)
    # Sealed-bid rule (invariant 2): nobody but the bidder hears of the bid before the opening.
    assert {r["recipient"] for r in new} == await members("xingfujia")
    assert {r["event"] for r in new} == {"bid.receipt"} and len(new) == len(await members("xingfujia"))
    assert {r["link"] for r in new} == {f"/org/receipts/{receipt_no}"}
    for row in new:
        assert receipt_no in row["body"] and not any(p in row["body"] + row["title"] for p in CANARY_PRICE_TEXTS)
    for username in ("officer", "finance", "admin", "expert1", "pinggu", "qingbo", "yile", "yangguang"):
        inbox = await client.get("/api/v1/inbox/", headers=await api_login(client, username))
        assert inbox.status_code == 200
        assert tender["title"] not in inbox.text and receipt_no not in inbox.text, username
    # The link opens the receipt for the bidder.
    await page_login(client, "xingfujia")
    assert (await client.get(f"/org/receipts/{receipt_no}")).status_code == 200


async def test_the_opening_tells_every_bidders_members_once_with_the_record(client):
    tender = await published_tender(client)
    await submitted_bid(client, "xingfujia", tender)
    await submitted_bid(client, "yangguang", tender, price_fen=34_000_000)
    link = f"/tenders/{tender['id']}/opening-record"
    assert await told("bid.opened", link) == []
    with clock.frozen(await past_deadline(tender["id"])):
        assert await open_due_tenders() >= 1
        await open_due_tenders()
    expected = sorted((await members("xingfujia")) | (await members("yangguang")))
    assert await told("bid.opened", link) == expected
    body = (await InboxItem.select(InboxItem.body).where(InboxItem.link == link).first())["body"]
    assert "有效投标（申报）2 家" in body and "废标" in body, "two bids are fewer than an open tender's three"


# --------------------------------------------------------------------------- a change to sign


async def test_the_other_party_is_told_of_a_change_to_sign_and_of_the_first_signature(client):
    contract, officer, provider = await active_contract(client)
    link = f"/contracts/{contract['id']}?tab=changes"
    amount = int(contract["amount_fen"])
    proposed = await propose(
        client, officer, contract, kind="supplement", rationale="more_service", amount_fen=amount + amount // 20
    )
    assert proposed.status_code == 201, proposed.text
    providers = sorted(await members("xingfujia"))
    officers = sorted(await members("officer", Role.OFFICER))
    assert await told("contract.change_proposed", link) == providers
    assert (await sign_change(client, officer, contract, 1)).status_code == 200
    assert await told("contract.change_signed", link) == providers
    assert (await sign_change(client, provider, contract, 1)).status_code == 200
    assert await told("contract.change_signed", link) == providers, "the countersignature asks nobody to sign"
    again = await propose(
        client, provider, contract, kind="supplement", rationale="more_service", amount_fen=amount + amount // 10
    )
    assert again.status_code == 201, again.text
    assert await told("contract.change_proposed", link) == sorted(providers + officers)
    body = (await InboxItem.select(InboxItem.body).where(InboxItem.event == "contract.change_signed").first())["body"]
    assert "补充合同" in body and "第四十九条" in body


# --------------------------------------------------------------------------- a report due


async def test_a_report_due_is_announced_once_days_before_and_the_sweep_run_twice_adds_nothing(client):
    contract, officer, provider = await running_contract(client, past_year=False)
    reports = (await client.get(f"/api/v1/contracts/{contract['id']}/reports", headers=officer)).json()["reports"]
    first = reports[0]
    due = date.fromisoformat(first["due_on"])
    link = f"/contracts/{contract['id']}/reports"
    remind_at = max(at(due - timedelta(days=3), 0, 0), clock.now())
    if remind_at > clock.now() + timedelta(minutes=5):
        with clock.frozen(remind_at - timedelta(minutes=1)):
            await delivery_due.run_due_reports()
        assert await told("contract.report_due", link) == [], "not before its day"
    with clock.frozen(remind_at + timedelta(minutes=1)):
        await delivery_due.run_due_reports()
        await delivery_due.run_due_reports()
    expected = sorted(await members("xingfujia"))
    assert await told("contract.report_due", link) == expected
    with clock.frozen(at(due + timedelta(days=1), 0, 1)):
        await delivery_due.run_due_reports()
        await delivery_due.run_due_reports()
    assert await told("contract.report_due", link) == expected, "the overdue message follows, not a second reminder"
    assert await told("contract.report_overdue", link) == expected


# --------------------------------------------------------------------------- an evaluation assigned, and its result


async def test_an_evaluation_assigned_tells_the_agency_and_the_provider_and_its_result_the_provider_and_bureau(
    client,
):
    contract, officer, provider, assessment = await assigned(client)
    link = f"/contracts/{contract['id']}/assessments/{assessment['id']}"
    agency = await members("pinggu", Role.EVALUATOR)
    providers = await members("xingfujia")
    assert await told("assessment.assigned", link) == sorted(agency | providers)
    done = await client.post(
        f"/api/v1/contracts/{contract['id']}/assessments/{assessment['id']}/self-assessment",
        headers=provider,
        json={"scores": all_scores(assessment, 88), "summary": "本期按合同完成各项服务，台账齐全。"},
    )
    assert done.status_code == 200, done.text
    assert await told("assessment.result") == []
    evaluator = await api_login(client, "pinggu")
    scored = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, "85.5"))
    assert scored.status_code == 200, scored.text
    officers = await members("officer", Role.OFFICER)
    assert await told("assessment.result", link) == sorted(providers | officers)
    body = (await InboxItem.select(InboxItem.body).where(InboxItem.event == "assessment.result").first())["body"]
    assert "85.5" in body and "良好" in body


# --------------------------------------------------------------------------- an installment late


async def test_a_late_installment_is_told_once_to_the_buyer_its_finance_and_the_provider(client):
    contract, officer, _provider = await active_contract(client)
    await activated(contract)
    first = item(await schedule(client, officer, contract), 1)
    deadline = date.fromisoformat(first["deadline_on"])
    link = f"/contracts/{contract['id']}/payments"
    with clock.frozen(at(deadline, 23, 0)):
        await payments_due.run_due_payments()
    assert await told("contract.payment_late", link) == []
    with clock.frozen(at(deadline + timedelta(days=1), 9, 0)):
        await payments_due.run_due_payments()
        await payments_due.run_due_payments()
    expected = (
        (await members("officer", Role.OFFICER))
        | (await members("officer", Role.FINANCE))
        | (await members("xingfujia"))
    )
    assert await told("contract.payment_late", link) == sorted(expected)
    body = (await InboxItem.select(InboxItem.body).where(InboxItem.link == link).first())["body"]
    assert first["deadline_on"] in body and "第五十一条" in body
