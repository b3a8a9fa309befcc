"""A contract from the award to its end through the API (issue 12 §1, §3, §4, §7;
rules 28–30, 35; invariants 3, 4, 10), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import datetime, timedelta

from contracts.lifecycle import signing as lifecycle
from contracts.lifecycle.tables import Contract, ContractSignature, ContractVersion, Installment
from procurement.awards.tables import Award
from procurement.bids import bonds
from procurement.bids.tables import BidBond
from procurement.core import clock
from procurement.core.calendar import get_default_calendar
from procurement.core.tables import AuditEvent, InboxItem
from procurement.tenders.tables import Notice, Tender
from tests.integration.conftest import api_login
from tests.integration.contract_helpers import (
    PROVIDER_DETAILS,
    READY_DRAFT,
    contract_of_award,
    ready_contract,
    sign,
)
from tests.integration.evaluation_helpers import bids_by_org
from tests.integration.test_award_challenges import challenge
from tests.integration.test_venture_award import venture_call_evaluated

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def at(day, hour: int, minute: int = 0):
    """A wall-clock moment in Asia/Shanghai on ``day``."""
    return clock.to_utc(datetime(day.year, day.month, day.day, hour, minute))


def chinese(response) -> str:
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    detail = body["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail
    assert "rule" not in detail.lower(), detail
    return detail


# --------------------------------------------------------------------------- creation (§1)


async def test_a_contract_is_drawn_up_from_the_award_with_the_schedule_summing_exactly(client):
    contract, officer, provider, tender_id = await contract_of_award(client)
    assert contract["status"] == "draft" and contract["version"] == 1
    assert contract["kind"] == "service" and contract["kind_label"] == "政府购买服务合同"
    assert contract["amount_fen"] == contract["awarded_fen"] == 33_800_000  # 幸福家's price
    assert contract["amount_upper"] == "叁拾叁万捌仟元整"
    assert contract["provider_name"].endswith("幸福家社会工作服务中心")
    assert contract["number"].startswith("HT-")
    assert sum(i["amount_fen"] for i in contract["installments"]) == contract["amount_fen"]
    assert contract["promised_team"], "the team the bid promised is copied"
    tender = await Tender.select(Tender.contract_term_months).where(Tender.id == tender_id).first()
    start, end = (datetime.fromisoformat(contract[k]).date() for k in ("term_start", "term_end"))
    assert start.day == 1 and end > start
    assert (end.year - start.year) * 12 + end.month - start.month + 1 == tender["contract_term_months"]
    assert datetime.fromisoformat(contract["signing_deadline"]).date() == clock.today_local() + timedelta(days=30)
    assert contract["signing_gaps"] and contract["signing_blockers"] == []
    assert await AuditEvent.count().where(AuditEvent.action == "contract.created") == 1
    assert await InboxItem.count().where(InboxItem.event == "contract.created") >= 1
    # One contract per award, whoever asks again.
    again = await client.post("/api/v1/contracts/", headers=officer, json={"award_id": contract["award_id"]})
    assert again.status_code == 409 and "已拟定合同" in chinese(again)


async def test_an_awkward_amount_is_split_exactly_with_the_rounding_on_the_last_installment(client):
    contract, officer, provider, _ = await contract_of_award(client)
    url = f"/api/v1/contracts/{contract['id']}"
    schedule = [
        {"label": "首期", "percent": 40, "gate": "signing"},
        {"label": "中期", "percent": 30, "gate": "midterm", "min_grade": "good"},
        {"label": "尾款", "percent": 30, "gate": "final"},
    ]
    done = await client.put(url, headers=officer, json={"amount_fen": 10_000_001, "installments": schedule})
    assert done.status_code == 200, done.text
    assert [i["amount_fen"] for i in done.json()["installments"]] == [4_000_000, 3_000_000, 3_000_001]
    rows = await Installment.select().where(Installment.contract == contract["id"]).order_by(Installment.seq)
    assert sum(r["amount_fen"] for r in rows) == 10_000_001
    assert [r["min_grade"] for r in rows] == [None, "good", "pass"]
    # A new amount alone re-splits the same schedule.
    done = await client.put(url, headers=officer, json={"amount_fen": 10_000_000})
    assert [i["amount_fen"] for i in done.json()["installments"]] == [4_000_000, 3_000_000, 3_000_000]


async def test_bad_draft_values_are_refused_in_chinese_all_at_once_and_nothing_is_saved(client):
    contract, officer, provider, _ = await contract_of_award(client)
    url = f"/api/v1/contracts/{contract['id']}"
    bad = await client.put(
        url,
        headers=officer,
        json={
            "amount_fen": contract["awarded_fen"] + 1,
            "term_start": "2027-01-01",
            "term_end": "2028-06-30",
            "performance_bond_fen": contract["awarded_fen"],
            "installments": [{"percent": 60, "gate": "signing"}, {"percent": 30, "gate": "final"}],
        },
    )
    assert bad.status_code == 422, bad.text
    chinese(bad)
    errors = bad.json()["errors"]
    assert set(errors) == {"amount_fen", "term", "performance_bond_fen", "installments"}
    assert "《政府购买服务管理办法》第二十四条" in errors["term"]
    assert "《政府采购法实施条例》第四十八条" in errors["performance_bond_fen"]
    row = await Contract.select().where(Contract.id == contract["id"]).first()
    assert row["amount_fen"] == contract["amount_fen"] and row["performance_bond_fen"] == 0
    assert await Installment.count().where(Installment.contract == contract["id"]) == len(contract["installments"])
    # Malformed input is a 400 in Chinese too, and a bond of exactly 10 % is fine.
    malformed = await client.put(url, headers=officer, json={"amount_fen": "很多"})
    assert malformed.status_code == 400
    ok = await client.put(url, headers=officer, json={"performance_bond_fen": contract["amount_fen"] // 10})
    assert ok.status_code == 200, ok.text


async def test_each_party_writes_only_its_own_part_of_the_draft(client):
    contract, officer, provider, _ = await contract_of_award(client)
    url = f"/api/v1/contracts/{contract['id']}"
    refused = await client.put(url, headers=provider, json={"amount_fen": 1})
    assert refused.status_code == 403 and "服务机构只能填写" in chinese(refused)
    refused = await client.put(url, headers=officer, json=PROVIDER_DETAILS)
    assert refused.status_code == 403
    assert (await client.put(url, headers=provider, json=PROVIDER_DETAILS)).status_code == 200
    confirmed = await client.put(url, headers=officer, json={"confirm_provider_details": True})
    assert confirmed.json()["provider_confirmed"] is True
    # A change by the provider needs the buyer's confirmation again.
    changed = await client.put(url, headers=provider, json={"provider_bank_account": "6222000000000000"})
    assert changed.json()["provider_confirmed"] is False


async def test_outsiders_neither_see_nor_touch_a_contract(client):
    contract, officer, provider, _ = await contract_of_award(client)
    url = f"/api/v1/contracts/{contract['id']}"
    yile = await api_login(client, "yile")
    qingbo = await api_login(client, "qingbo")  # an officer of another bureau
    expert = await api_login(client, "expert1")
    for headers in (yile, qingbo, expert):
        assert (await client.get(url, headers=headers)).status_code == 404
        assert (await client.put(url, headers=headers, json=READY_DRAFT)).status_code == 404
        assert (await sign(client, headers, contract)).status_code == 404
        assert (await client.get("/api/v1/contracts/", headers=headers)).json() == []
    assert (await client.get(url)).status_code == 401
    assert (
        await client.post("/api/v1/contracts/", headers=yile, json={"award_id": contract["award_id"]})
    ).status_code == 403
    finance = await api_login(client, "finance")
    assert (await client.get(url, headers=finance)).status_code == 200
    assert [c["id"] for c in (await client.get("/api/v1/contracts/", headers=provider)).json()] == [contract["id"]]
    assert (await sign(client, finance, contract)).status_code == 403


# --------------------------------------------------------------------------- signing (§3, rule 28)


async def test_the_first_signature_freezes_the_text_and_a_correction_needs_both_signatures_again(client):
    contract, officer, provider, tender_id = await ready_contract(client)
    url = f"/api/v1/contracts/{contract['id']}"
    first = await sign(client, provider, contract)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["status"] == "awaiting_signatures" and body["version_sha256"]
    frozen = await ContractVersion.select().where(ContractVersion.contract == contract["id"]).first()
    snapshot = json.loads(frozen["snapshot"])
    assert snapshot["amount_fen"] == contract["amount_fen"] and snapshot["service_place"] == "湖滨街道东坡路社区"
    assert frozen["sha256"] == lifecycle.canonical(snapshot)[1]
    assert (await sign(client, provider, contract)).status_code == 409, "one signature per party and version"
    assert await InboxItem.count().where(InboxItem.event == "contract.signed") >= 1
    # A correction after the signature is a new version, back in draft: the old signature no longer counts.
    corrected = await client.put(url, headers=officer, json={"delivery_place": "湖滨街道青年路社区"})
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["status"] == "draft" and corrected.json()["version"] == 2
    assert json.loads(frozen["snapshot"])["service_place"] == "湖滨街道东坡路社区", "version 1 stays as signed"
    stale = await sign(client, officer, contract, version=1)
    assert stale.status_code == 409 and "第 2 版" in chinese(stale)
    assert (await sign(client, officer, contract, version=2)).json()["status"] == "awaiting_signatures"
    done = await sign(client, provider, contract, version=2)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "active"
    sigs = await ContractSignature.select().where(ContractSignature.contract == contract["id"])
    assert sorted((s["version"], s["party"]) for s in sigs) == [(1, "provider"), (2, "buyer"), (2, "provider")]
    v2 = await ContractVersion.select().where(
        (ContractVersion.contract == contract["id"]) & (ContractVersion.version == 2)
    )
    assert json.loads(v2[0]["snapshot"])["service_place"] == "湖滨街道青年路社区"
    assert {s["sha256"] for s in sigs if s["version"] == 2} == {v2[0]["sha256"]}
    # The text of an active contract cannot change.
    frozen_now = await client.put(url, headers=officer, json={"delivery_place": "别处"})
    assert frozen_now.status_code == 409 and "履行中" in chinese(frozen_now)


async def test_a_correction_that_changes_nothing_is_refused_and_makes_no_new_version(client):
    contract, officer, provider, _ = await ready_contract(client)
    url = f"/api/v1/contracts/{contract['id']}"
    assert (await sign(client, provider, contract)).status_code == 200
    same = await client.put(url, headers=officer, json={"delivery_place": READY_DRAFT["delivery_place"]})
    assert same.status_code == 422 and "没有修改任何内容" in chinese(same)
    empty = await client.put(url, headers=provider, json={})
    assert empty.status_code == 422
    row = await Contract.select(Contract.version, Contract.status).where(Contract.id == contract["id"]).first()
    assert row == {"version": 1, "status": "awaiting_signatures"}


async def test_signing_is_refused_while_a_challenge_is_open_and_the_reason_is_shown(client):
    contract, officer, provider, tender_id = await ready_contract(client)
    filed, _ = await challenge(client, tender_id)
    assert filed.status_code == 201, filed.text
    refused = await sign(client, provider, contract)
    assert refused.status_code == 409
    detail = chinese(refused)
    assert "暂停签订合同" in detail and refused.json()["detail"]
    shown = (await client.get(f"/api/v1/contracts/{contract['id']}", headers=officer)).json()
    assert shown["signing_blockers"] and "质疑" in shown["signing_blockers"][0]
    assert await ContractSignature.count().where(ContractSignature.contract == contract["id"]) == 0
    assert await ContractVersion.count().where(ContractVersion.contract == contract["id"]) == 0
    answered = await client.post(
        f"/api/v1/challenges/{filed.json()['id']}/answer",
        headers=officer,
        json={"outcome": "rejected", "answer": "经核查，中标人项目负责人持有中级社会工作师证书，质疑不成立。"},
    )
    assert answered.status_code == 200, answered.text
    assert (await sign(client, provider, contract)).status_code == 200


async def test_an_incomplete_text_cannot_be_signed(client):
    contract, officer, provider, _ = await contract_of_award(client)
    refused = await sign(client, officer, contract)
    assert refused.status_code == 409 and "不完整" in chinese(refused)


async def test_the_signing_deadline_is_day_thirty_and_an_overdue_one_is_flagged_once(client):
    contract, officer, provider, _ = await contract_of_award(client)
    issued = datetime.fromisoformat(contract["letter_issued_on"]).date()
    deadline = issued + timedelta(days=30)
    assert contract["signing_deadline"] == deadline.isoformat()
    with clock.frozen(at(deadline - timedelta(days=5), 8, 59)):
        assert await lifecycle.run_due_contracts() == 0
    with clock.frozen(at(deadline - timedelta(days=5), 9, 0)):
        assert await lifecycle.run_due_contracts() == 1, "the reminder, 5 days before the last day"
        assert await lifecycle.run_due_contracts() == 0
    assert await InboxItem.count().where(InboxItem.event == "contract.signing_reminder") >= 2
    with clock.frozen(at(deadline, 23, 59)):
        assert await lifecycle.run_due_contracts() == 0, "day 30 is still in time"
        officer = await api_login(client, "officer")  # the session of a month ago has expired
        shown = (await client.get(f"/api/v1/contracts/{contract['id']}", headers=officer)).json()
        assert shown["signing_overdue"] is False
        listed = await client.get("/api/v1/contracts/", headers=officer, params={"overdue_signing": "true"})
        assert listed.json() == []
    with clock.frozen(at(deadline + timedelta(days=1), 0, 1)):
        assert await lifecycle.run_due_contracts() == 1
        assert await lifecycle.run_due_contracts() == 0, "exactly once"
        officer = await api_login(client, "officer")
        shown = (await client.get(f"/api/v1/contracts/{contract['id']}", headers=officer)).json()
        assert shown["signing_overdue"] is True
        listed = await client.get("/api/v1/contracts/", headers=officer, params={"overdue_signing": "true"})
        assert [c["id"] for c in listed.json()] == [contract["id"]]
        drafts = await client.get("/api/v1/contracts/", headers=officer, params={"status": "active"})
        assert drafts.json() == []
    with clock.frozen(at(deadline + timedelta(days=5), 9)):
        assert await lifecycle.run_due_contracts() == 0
    told = await InboxItem.select(InboxItem.recipient).where(InboxItem.event == "contract.signing_overdue")
    recipients = [r["recipient"] for r in told]
    assert len(recipients) == len(set(recipients)) >= 2  # both parties, each once
    assert await AuditEvent.count().where(AuditEvent.action == "contract.signing_overdue") == 1


async def test_activation_schedules_the_bond_refund_and_the_sweep_publishes_the_notice_once(client):
    contract, officer, provider, tender_id = await ready_contract(client)
    await bonds.record_bond(tender_id, contract["provider_id"], 500_000)  # the winner's bid bond, still held
    assert (await sign(client, officer, contract)).status_code == 200
    active = await sign(client, provider, contract)
    assert active.status_code == 200, active.text
    body = active.json()
    today = clock.today_local()
    calendar = get_default_calendar()
    assert body["status"] == "active" and body["notice_due_on"] == calendar.add_working_days(today, 2).isoformat()
    assert body["filing_due_on"] == calendar.add_working_days(today, 7).isoformat()
    bond = (
        await BidBond.select()
        .where((BidBond.tender == tender_id) & (BidBond.organization == body["provider_id"]))
        .first()
    )
    assert bond is not None and bond["refund_due_on"] == calendar.add_working_days(today, 5)  # rule 29
    notices = Notice.count().where((Notice.tender == tender_id) & (Notice.notice_type == "contract"))
    assert await notices == 0
    due = datetime.fromisoformat(body["notice_due_on"]).date()
    with clock.frozen(at(due, 8, 59)):
        assert await lifecycle.run_due_contracts() == 0
    with clock.frozen(at(due, 9, 0)):
        assert await lifecycle.run_due_contracts() == 1
        assert await lifecycle.run_due_contracts() == 0
    assert await Notice.count().where((Notice.tender == tender_id) & (Notice.notice_type == "contract")) == 1
    again = await client.post(f"/api/v1/contracts/{contract['id']}/notice", headers=officer)
    assert again.status_code == 409 and "已于" in chinese(again)
    public = (await client.get("/api/v1/notices/", params={"type": "contract"})).json()
    assert any("合同公告" in n["title"] for n in public.get("items", public))


async def test_the_officer_publishes_the_notice_and_records_the_filing(client):
    contract, officer, provider, tender_id = await ready_contract(client)
    url = f"/api/v1/contracts/{contract['id']}"
    early = await client.post(f"{url}/notice", headers=officer)
    assert early.status_code == 409 and "尚未签订" in chinese(early)
    await sign(client, officer, contract)
    await sign(client, provider, contract)
    assert (await client.post(f"{url}/notice", headers=provider)).status_code == 403
    published = await client.post(f"{url}/notice", headers=officer)
    assert published.status_code == 200 and published.json()["notice_published_at"]
    filed = await client.post(f"{url}/filing", headers=officer, json={"reference": "SCBA-2026-001"})
    assert filed.status_code == 200 and filed.json()["filing_reference"] == "SCBA-2026-001"
    assert (await client.post(f"{url}/filing", headers=officer, json={"reference": "SCBA-2"})).status_code == 409
    due = datetime.fromisoformat(published.json()["filing_due_on"]).date()
    with clock.frozen(at(due + timedelta(days=3), 9)):
        assert await lifecycle.run_due_contracts() == 0, "nothing left to do: published and filed"
    notice = await Notice.select().where(Notice.id == published.json()["notice_id"]).first()
    assert "叁拾叁万捌仟元整" in notice["content"] and "第五十条" in notice["content"]


async def test_an_overdue_filing_is_flagged_once(client):
    contract, officer, provider, _ = await ready_contract(client)
    await sign(client, officer, contract)
    body = (await sign(client, provider, contract)).json()
    await client.post(f"/api/v1/contracts/{contract['id']}/notice", headers=officer)
    due = datetime.fromisoformat(body["filing_due_on"]).date()
    with clock.frozen(at(due, 23, 0)):
        assert await lifecycle.run_due_contracts() == 0
    with clock.frozen(at(due + timedelta(days=1), 8)):
        assert await lifecycle.run_due_contracts() == 1
        assert await lifecycle.run_due_contracts() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "contract.filing_overdue") == 1


async def test_the_officer_records_a_paper_signing_with_the_scans_hash(client):
    contract, officer, provider, tender_id = await contract_of_award(client)
    url = f"/api/v1/contracts/{contract['id']}"
    await client.put(url, headers=officer, json=READY_DRAFT)
    scan = {"version": 1, "filename": "合同扫描件.pdf", "content_base64": base64.b64encode(PDF).decode()}
    assert (await client.post(f"{url}/offline-signing", headers=provider, json=scan)).status_code == 403
    not_pdf = {**scan, "content_base64": base64.b64encode(b"just some text").decode()}
    refused = await client.post(f"{url}/offline-signing", headers=officer, json=not_pdf)
    assert refused.status_code == 422 and "按文件内容判断类型" in chinese(refused)
    done = await client.post(f"{url}/offline-signing", headers=officer, json=scan)
    assert done.status_code == 200, done.text
    body = done.json()
    import hashlib

    assert body["status"] == "active" and body["signed_offline"] is True
    assert body["offline_scan_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert {(s["party"], s["offline"]) for s in body["signatures"]} == {("buyer", True), ("provider", True)}
    assert body["notice_due_on"]


async def test_both_parties_signing_at_the_same_moment_leave_one_active_contract(client):
    contract, officer, provider, _ = await ready_contract(client)
    results = await asyncio.gather(sign(client, officer, contract), sign(client, provider, contract))
    assert sorted(r.status_code for r in results) == [200, 200], [r.text for r in results]
    row = await Contract.select().where(Contract.id == contract["id"]).first()
    assert row["status"] == "active" and row["signed_at"] is not None
    sigs = await ContractSignature.select().where(ContractSignature.contract == contract["id"])
    assert sorted(s["party"] for s in sigs) == ["buyer", "provider"]
    assert await ContractVersion.count().where(ContractVersion.contract == contract["id"]) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "contract.countersign") == 1


async def test_the_same_party_signing_twice_at_once_signs_once(client):
    contract, officer, provider, _ = await ready_contract(client)
    results = await asyncio.gather(*[sign(client, provider, contract) for _ in range(4)])
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409], [r.text for r in results]
    assert await ContractSignature.count().where(ContractSignature.contract == contract["id"]) == 1


# --------------------------------------------------------------------------- lifecycle (§4)


async def _active(client):
    contract, officer, provider, tender_id = await ready_contract(client)
    await sign(client, officer, contract)
    body = (await sign(client, provider, contract)).json()
    assert body["status"] == "active"
    return body, officer, provider, tender_id


async def test_suspension_resumption_and_the_transition_tables_refusals(client):
    contract, officer, provider, _ = await _active(client)
    url = f"/api/v1/contracts/{contract['id']}"
    ground = {"ground": "consent", "reason": "双方协商一致：社区改造施工期间暂停活动。"}
    assert (await client.post(f"{url}/suspend", headers=provider, json=ground)).status_code == 403
    refused = await client.post(f"{url}/resume", headers=officer)
    assert refused.status_code == 409 and "履行中" in chinese(refused)
    assert refused.json()["state"] == "active" and refused.json()["action"] == "resume"
    suspended = await client.post(f"{url}/suspend", headers=officer, json=ground)
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    twice = await client.post(f"{url}/suspend", headers=officer, json=ground)
    assert twice.status_code == 409 and "已中止" in chinese(twice)
    assert (await sign(client, officer, contract)).status_code == 409
    resumed = await client.post(f"{url}/resume", headers=officer)
    assert resumed.json()["status"] == "active"
    complete = await client.post(f"{url}/complete", headers=officer)
    assert complete.status_code == 409 and "终期评估" in chinese(complete)
    no_ground = await client.post(f"{url}/suspend", headers=officer, json={"ground": "whim", "reason": "不想做了"})
    assert no_ground.status_code == 400


async def test_termination_needs_a_settlement_within_the_unpaid_remainder_and_publishes_a_notice(client):
    contract, officer, provider, tender_id = await _active(client)
    url = f"/api/v1/contracts/{contract['id']}"
    body = {"ground": "legal", "reason": "服务机构被依法注销，合同无法继续履行（《民法典》第五百六十三条）。"}
    over = await client.post(f"{url}/terminate", headers=officer, json={**body, "settlement_fen": 33_800_001})
    assert over.status_code == 422 and "未付余额" in chinese(over)
    assert (await Contract.select(Contract.status).where(Contract.id == contract["id"]).first())["status"] == "active"
    assert (
        await client.post(f"{url}/terminate", headers=provider, json={**body, "settlement_fen": 0})
    ).status_code == 403
    done = await client.post(f"{url}/terminate", headers=officer, json={**body, "settlement_fen": 33_800_000})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "terminated" and done.json()["settlement_fen"] == 33_800_000
    notice = await Notice.select().where(Notice.title.like("%合同解除公告")).first()
    assert notice is not None and notice["tender"] == tender_id
    after = await client.post(f"{url}/resume", headers=officer)
    assert after.status_code == 409 and "已解除" in chinese(after)


# --------------------------------------------------------------------------- 公益创投 (§1)


async def test_a_venture_award_becomes_a_funding_agreement_signed_only_after_the_publicity(client):
    try:
        tender_id, lot_id, officer, bids = await venture_call_evaluated(client)
        funded = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"], "amount_fen": 4_500_000}]},
        )
        assert funded.status_code == 200, funded.text
        award = await Award.select().where(Award.tender == tender_id).first()
        created = await client.post("/api/v1/contracts/", headers=officer, json={"award_id": award["id"]})
        assert created.status_code == 201, created.text
        contract = created.json()
        assert contract["kind"] == "venture" and contract["kind_label"] == "公益创投项目资助协议"
        assert contract["amount_fen"] == contract["funded_fen"] == 4_500_000
        assert contract["matching_fen"] == 5_000_000  # the bid's promised 配套资金
        assert any("公示" in b for b in contract["signing_blockers"])
        provider = await api_login(client, "xingfujia")
        url = f"/api/v1/contracts/{contract['id']}"
        assert (await client.put(url, headers=officer, json=READY_DRAFT)).status_code == 200
        assert (await client.put(url, headers=provider, json=PROVIDER_DETAILS)).status_code == 200
        assert (await client.put(url, headers=officer, json={"confirm_provider_details": True})).status_code == 200
        during = await sign(client, provider, contract)
        assert during.status_code == 409 and "公示" in chinese(during)
        clock.freeze(at(award["publicity_until"] + timedelta(days=1), 9, 0))
        officer = await api_login(client, "officer")
        provider = await api_login(client, "xingfujia")
        assert (await sign(client, provider, contract)).status_code == 200
        lowered = await client.put(url, headers=officer, json={"amount_fen": 4_000_000})  # a new version
        assert lowered.json()["funded_fen"] == 4_000_000 and lowered.json()["version"] == 2
    finally:
        clock.freeze(None)


async def test_a_revoked_award_voids_its_unsigned_contract_and_the_new_award_gets_its_own(client):
    contract, officer, provider, tender_id = await ready_contract(client)
    filed, _ = await challenge(client, tender_id)
    upheld = await client.post(
        f"/api/v1/challenges/{filed.json()['id']}/answer",
        headers=officer,
        json={"outcome": "re_award", "answer": "经核查，中标人项目负责人证书已过期，不符合团队要求，质疑成立。"},
    )
    assert upheld.status_code == 200, upheld.text
    refused = await sign(client, provider, contract)
    assert refused.status_code == 409 and "已作废" in chinese(refused)
    voided = (await client.get(f"/api/v1/contracts/{contract['id']}", headers=officer)).json()
    assert voided["status"] == "voided" and voided["allowed_actions"] == []
    assert await InboxItem.count().where(InboxItem.event == "contract.voided") >= 2
    assert await AuditEvent.count().where(AuditEvent.action == "contract.void") == 1
    again = await client.post("/api/v1/contracts/", headers=officer, json={"award_id": contract["award_id"]})
    assert again.status_code == 409 and "已撤销" in chinese(again)
    by_org = await bids_by_org(tender_id)
    chosen = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={
            "choices": [
                {
                    "lot_id": contract["lot_id"],
                    "bid_id": by_org["颐乐"],
                    "reason": "质疑成立，原排名第一的供应商不符合团队要求。",
                }
            ]
        },
    )
    assert chosen.status_code == 200, chosen.text
    new_award = await Award.select().where((Award.tender == tender_id) & (Award.status == "active")).first()
    created = await client.post("/api/v1/contracts/", headers=officer, json={"award_id": new_award["id"]})
    assert created.status_code == 201, created.text
    assert created.json()["provider_name"].endswith("颐乐养老服务社") and created.json()["number"] != contract["number"]
    assert created.json()["amount_fen"] == new_award["amount_fen"]
