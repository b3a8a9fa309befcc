"""The winner refuses or fails to sign: the lot goes to the next-ranked bidder (rule 28;
《政府采购法实施条例》第四十九条), or fails when no one is left. Runs on SQLite and on
PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from contracts.lifecycle.tables import Contract
from procurement.awards.tables import Award
from procurement.core import clock
from procurement.core.tables import AuditEvent, InboxItem
from procurement.evaluation import ranking
from procurement.evaluation.tables import Panel
from procurement.tenders.tables import Notice, Tender
from tests.integration.conftest import api_login, page_login, post_form
from tests.integration.contract_helpers import contract_of_award, ready_contract, sign
from tests.integration.test_award_challenges import awarded

WRITTEN = {"kind": "refused", "written_refusal": True, "reason": "中标人来函表示因人员变动无法履约，书面拒绝签订合同。"}


def at(day, hour: int, minute: int = 0) -> datetime:
    return clock.to_utc(datetime(day.year, day.month, day.day, hour, minute))


async def ranked_bids(tender_id: int) -> list[int]:
    """The lot's ranked bids, best first, as the evaluation's ranking orders them."""
    tender = await Tender.select(*Tender.all_columns(), Tender.buyer.name).where(Tender.id == tender_id).first()
    panel = await Panel.select().where(Panel.tender == tender_id).first()
    board = await ranking.compute(tender, panel)
    return [b.bid_id for b in sorted(board.lots[0].bids, key=lambda b: b.rank or 99) if b.rank is not None]


async def active_award(tender_id: int) -> dict:
    [row] = await Award.select().where((Award.tender == tender_id) & (Award.status == "active"))
    return row


def refusal_url(award_id: int) -> str:
    return f"/api/v1/awards/{award_id}/refusal"


async def test_a_failure_to_sign_waits_for_day_31_then_the_next_ranked_takes_the_lot(client):
    tender_id, officer, panel, logins, bids, lot_id = await awarded(client)
    order = await ranked_bids(tender_id)
    first = await active_award(tender_id)
    assert first["bid"] == order[0]
    letter_day = clock.to_local(first["decided_at"]).date()
    body = {"kind": "overdue", "reason": "中标人收到中标通知书后 30 日内未签订合同，经催告仍未签订。"}
    with clock.frozen(at(letter_day + timedelta(days=30), 16)):
        officer = await api_login(client, "officer")  # a month on: a new session
        early = await client.post(refusal_url(first["id"]), headers=officer, json=body)
        assert early.status_code == 422 and "kind" in early.json()["errors"], early.text
        assert "30 日" in early.json()["errors"]["kind"]
    assert (await active_award(tender_id))["id"] == first["id"], "nothing half-saved"
    day31 = letter_day + timedelta(days=31)
    with clock.frozen(at(day31, 9)):
        officer = await api_login(client, "officer")
        done = await client.post(refusal_url(first["id"]), headers=officer, json=body)
        assert done.status_code == 200, done.text
        out = done.json()
        assert out["lot_failed"] is False and out["refused"]["status"] == "refused"
        assert out["refused"]["refusal_kind"] == "overdue"
        new = out["new_award"]
        assert new["bid_id"] == order[1] and new["rank"] == 2 and new["replaces"] == first["id"]
        assert new["letter_no"] != first["letter_no"]
        assert clock.to_local(datetime.fromisoformat(new["decided_at"])).date() == day31
        # The change notice is on the portal, with the reason.
        notice = await client.get(f"/notices/{out['notice_id']}")
        assert notice.status_code == 200
        assert "中标（成交）结果变更公告" in notice.text and "经催告仍未签订" in notice.text
        assert "逾期未签订合同" in notice.text
        # The officer draws up a contract with the new winner; its 30 days run from the new letter.
        created = await client.post("/api/v1/contracts/", headers=officer, json={"award_id": new["id"]})
        assert created.status_code == 201, created.text
        assert created.json()["signing_deadline"] == (day31 + timedelta(days=30)).isoformat()
    refused = await Award.select().where(Award.id == first["id"]).first()
    assert refused["status"] == "refused" and "经催告仍未签订" in refused["revoked_reason"]
    assert await AuditEvent.count().where(AuditEvent.action == "award.record_refusal") == 1
    assert await AuditEvent.count().where(AuditEvent.action == "award.next_ranked") == 1
    assert (await Tender.select(Tender.status).where(Tender.id == tender_id).first())["status"] == "awarded"
    winner_users = await InboxItem.count().where(InboxItem.event == "award.refusal_recorded")
    assert winner_users >= 1


async def test_a_written_refusal_voids_the_draft_skips_earlier_winners_and_fails_the_lot_at_the_end(client):
    contract, officer, provider, tender_id = await contract_of_award(client)
    order = await ranked_bids(tender_id)
    first = await active_award(tender_id)
    unconfirmed = await client.post(
        refusal_url(first["id"]), headers=officer, json={**WRITTEN, "written_refusal": False}
    )
    assert unconfirmed.status_code == 422 and "written_refusal" in unconfirmed.json()["errors"]
    xingfujia = await api_login(client, "xingfujia")
    assert (await client.post(refusal_url(first["id"]), headers=xingfujia, json=WRITTEN)).status_code == 403
    done = await client.post(refusal_url(first["id"]), headers=officer, json=WRITTEN)
    assert done.status_code == 200, done.text
    voided = await Contract.select(Contract.status).where(Contract.id == contract["id"]).first()
    assert voided["status"] == "voided", "award.revoked voids the unsigned draft"
    again = await client.post(refusal_url(first["id"]), headers=officer, json=WRITTEN)
    assert again.status_code == 409, "a refused award is refused once"
    # Each next winner refuses in turn: never back to an earlier one.
    taken = [first["bid"]]
    current = done.json()["new_award"]
    while current is not None:
        assert current["bid_id"] not in taken and current["bid_id"] == order[len(taken)]
        taken.append(current["bid_id"])
        step = await client.post(refusal_url(current["id"]), headers=officer, json=WRITTEN)
        assert step.status_code == 200, step.text
        current = step.json()["new_award"]
    assert taken == order, "every ranked bidder was offered the lot in rank order"
    last = step.json()
    assert last["lot_failed"] is True and "废标" in last["message"]
    assert await Award.count().where((Award.tender == tender_id) & (Award.status == "active")) == 0
    failed = await Notice.select(Notice.content).where(Notice.id == last["notice_id"]).first()
    assert "本包废标" in failed["content"]
    assert await AuditEvent.count().where(AuditEvent.action == "award.lot_failed") == 1
    changes = await Notice.count().where((Notice.tender == tender_id) & (Notice.notice_type == "amendment"))
    assert changes == len(order)


async def test_a_contract_signed_by_both_keeps_its_award(client):
    contract, officer, provider, tender_id = await ready_contract(client)
    award = await active_award(tender_id)
    assert (await sign(client, officer, contract)).status_code == 200
    pending = await client.get(f"/tenders/{tender_id}/award", headers=officer)
    assert pending.status_code == 200
    assert (await sign(client, provider, contract)).status_code == 200
    refused = await client.post(refusal_url(award["id"]), headers=officer, json=WRITTEN)
    assert refused.status_code == 409 and "已由双方签订" in refused.json()["detail"]
    assert (await active_award(tender_id))["id"] == award["id"]
    assert (await Contract.select(Contract.status).where(Contract.id == contract["id"]).first())["status"] == "active"


async def test_the_award_page_offers_the_form_to_the_officer_and_records_the_refusal(client):
    tender_id, officer, panel, logins, bids, lot_id = await awarded(client)
    award = await active_award(tender_id)
    await page_login(client, "officer")
    shown = await client.get(f"/tenders/{tender_id}/award")
    assert "中标人拒签，改授予下一名" in shown.text and f"/awards/{award['id']}/refusal" in shown.text
    page = f"/tenders/{tender_id}/award"
    missing = await post_form(client, page, f"/awards/{award['id']}/refusal", {"kind": "refused", "reason": "书面拒签"})
    assert missing.status_code == 422 and "书面拒签意见" in missing.text, "the same form again with the message"
    done = await post_form(
        client,
        page,
        f"/awards/{award['id']}/refusal",
        {"kind": "refused", "written_refusal": "1", "reason": WRITTEN["reason"]},
    )
    assert done.status_code in (302, 303), done.text
    after = await client.get(page)
    assert "中标人拒签" in after.text and (await active_award(tender_id))["id"] != award["id"]
    client.cookies.clear()  # the API with a token, as a script would
    finance = await api_login(client, "finance")
    assert (
        await client.post(refusal_url((await active_award(tender_id))["id"]), headers=finance, json=WRITTEN)
    ).status_code == 403


async def test_two_officers_at_once_leave_one_new_award(client):
    tender_id, officer, panel, logins, bids, lot_id = await awarded(client)
    award = await active_award(tender_id)
    results = await asyncio.gather(
        *[client.post(refusal_url(award["id"]), headers=officer, json=WRITTEN) for _ in range(4)]
    )
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409], [r.text for r in results]
    assert await Award.count().where(Award.tender == tender_id) == 2
    assert await Award.count().where((Award.tender == tender_id) & (Award.status == "active")) == 1
    assert await Notice.count().where((Notice.tender == tender_id) & (Notice.notice_type == "amendment")) == 1


async def test_a_countersignature_racing_a_refusal_never_leaves_a_signed_contract_on_a_refused_award(client):
    contract, officer, provider, tender_id = await ready_contract(client)
    award = await active_award(tender_id)
    assert (await sign(client, officer, contract)).status_code == 200
    signed, refused = await asyncio.gather(
        sign(client, provider, contract), client.post(refusal_url(award["id"]), headers=officer, json=WRITTEN)
    )
    status = (await Contract.select(Contract.status).where(Contract.id == contract["id"]).first())["status"]
    kept = await Award.select(Award.status).where(Award.id == award["id"]).first()
    if refused.status_code == 200:
        assert signed.status_code == 409, signed.text
        assert status == "voided" and kept["status"] == "refused"
    else:
        assert refused.status_code == 409 and signed.status_code == 200, (signed.text, refused.text)
        assert status == "active" and kept["status"] == "active"


async def test_a_venture_project_goes_to_the_next_passing_project_at_its_recommended_amount(client):
    from tests.integration.test_venture_award import venture_call_evaluated

    try:
        tender_id, lot_id, officer, bids = await venture_call_evaluated(client)
        funded = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]},
        )
        assert funded.status_code == 200, funded.text
        first = await active_award(tender_id)
        done = await client.post(refusal_url(first["id"]), headers=officer, json=WRITTEN)
        assert done.status_code == 200, done.text
        new = done.json()["new_award"]
        assert new["bid_id"] == bids["颐乐"] and new["amount_fen"] == 3_933_300
        assert new["publicity_until"] is not None, "a new 立项公示 for the new project"
        last = await client.post(refusal_url(new["id"]), headers=officer, json=WRITTEN)
        assert last.status_code == 200 and last.json()["lot_failed"], "阳光 is below the pass line"
    finally:
        clock.freeze(None)


async def test_drafting_a_contract_racing_a_refusal_never_leaves_a_live_draft_on_a_refused_award(client):
    tender_id, officer, panel, logins, bids, lot_id = await awarded(client)
    award = await active_award(tender_id)
    created, refused = await asyncio.gather(
        client.post("/api/v1/contracts/", headers=officer, json={"award_id": award["id"]}),
        client.post(refusal_url(award["id"]), headers=officer, json=WRITTEN),
    )
    assert refused.status_code == 200, refused.text
    kept = await Award.select(Award.status).where(Award.id == award["id"]).first()
    assert kept["status"] == "refused"
    live = await Contract.count().where(
        (Contract.award == award["id"]) & Contract.status.is_in(["draft", "awaiting_signatures"])
    )
    assert live == 0, (created.status_code, created.text)
    assert created.status_code in (201, 409), created.text
