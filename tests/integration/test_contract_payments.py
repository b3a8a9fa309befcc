"""Installment payments of a contract (issue 14 §4; rule 35; invariants 7, 8): gates
met by signing and by evaluations (the ``assessment.finished`` event, emitted here as
contracts.assessments does), the payment deadline and late flag, the approval chain,
no double payment (50 concurrent releases), the sum cap after a 补充合同 and after
termination, the 拨付单 PDF and the ledger export. Runs on SQLite and on PostgreSQL
(``DATABASE_URL``)."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from contracts.payments import due as payments_due
from contracts.payments import services as payment_services
from contracts.payments.tables import InstallmentPayment, PaymentLedger
from procurement.core import clock, db, events
from procurement.core.tables import AuditEvent
from procurement.settings import get_settings
from tests.integration.conftest import api_login, page_login, post_form
from tests.integration.contract_change_helpers import active_contract, supplement


def url(contract: dict, tail: str = "") -> str:
    return f"/api/v1/contracts/{contract['id']}/installments{tail}"


async def activated(contract: dict) -> None:
    async with db.transaction():
        await events.emit("contract.activated", contract_id=contract["id"])


async def evaluated(contract: dict, stage: str, grade: str, score_tenths: int = 850, assessment_id: int = 1) -> None:
    async with db.transaction():
        await events.emit(
            "assessment.finished",
            contract_id=contract["id"],
            assessment_id=assessment_id,
            stage=stage,
            grade=grade,
            score_tenths=score_tenths,
            finished_at=clock.now(),
        )


async def schedule(client, headers, contract: dict) -> dict:
    response = await client.get(url(contract), headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def item(ledger: dict, seq: int) -> dict:
    return next(i for i in ledger["installments"] if i["seq"] == seq)


async def pay(client, officer, provider, finance, contract: dict, seq: int, voucher: str):
    assert (await client.post(url(contract, f"/{seq}/request"), headers=provider, json={})).status_code == 200
    assert (await client.post(url(contract, f"/{seq}/approve"), headers=officer, json={})).status_code == 200
    return await client.post(url(contract, f"/{seq}/release"), headers=finance, json={"voucher_no": voucher})


@pytest.fixture
def settings_override():
    settings = get_settings()
    saved = settings.model_dump()
    yield settings
    for key, value in saved.items():
        setattr(settings, key, value)


async def test_signing_makes_the_first_installment_due_with_a_30_day_deadline(client):
    contract, officer, provider = await active_contract(client)
    await activated(contract)
    ledger = await schedule(client, officer, contract)
    first, second, third = (item(ledger, s) for s in (1, 2, 3))
    today = clock.today_local()
    assert first["status"] == "due" and first["due_on"] == today.isoformat()
    assert first["deadline_on"] == (today + timedelta(days=30)).isoformat() and first["days_left"] == 30
    assert (second["status"], third["status"]) == ("waiting", "waiting")
    assert ledger["released_fen"] == 0 and ledger["cap_fen"] == contract["amount_fen"]
    # The provider sees the request button, the officer does not.
    assert item(await schedule(client, provider, contract), 1)["actions"] == ["request"]
    assert first["actions"] == []
    await activated(contract)  # a second event changes nothing
    assert await InstallmentPayment.count().where(InstallmentPayment.contract == contract["id"]) == 3


async def test_the_approval_chain_releases_once_with_a_voucher(client):
    contract, officer, provider = await active_contract(client)
    finance = await api_login(client, "finance")
    await activated(contract)
    released = await pay(client, officer, provider, finance, contract, 1, "GK-2026-0001")
    assert released.status_code == 200, released.text
    first = item(released.json(), 1)
    assert first["status"] == "released" and first["voucher_no"] == "GK-2026-0001"
    assert released.json()["released_fen"] == first["amount_fen"] == first["released_fen"]
    again = await client.post(url(contract, "/1/release"), headers=finance, json={"voucher_no": "GK-2026-0002"})
    assert again.status_code == 409
    actions = [
        r["action"]
        for r in await AuditEvent.select(AuditEvent.action).where(
            AuditEvent.entity_type == "contract_installment_payment"
        )
    ]
    assert actions.count("installment_payment.release") == 1
    assert {"installment_payment.gate_met", "installment_payment.request", "installment_payment.approve"} <= set(
        actions
    )


async def test_who_may_take_each_step(client):
    contract, officer, provider = await active_contract(client)
    finance = await api_login(client, "finance")
    outsider = await api_login(client, "yangguang")
    await activated(contract)
    assert (await client.get(url(contract), headers=outsider)).status_code == 404
    assert (await client.post(url(contract, "/1/request"), headers=outsider, json={})).status_code == 404
    assert (await client.post(url(contract, "/1/request"), headers=officer, json={})).status_code == 403
    assert (await client.post(url(contract, "/1/request"), headers=finance, json={})).status_code == 403
    assert (await client.post(url(contract, "/1/request"), headers=provider, json={})).status_code == 200
    assert (await client.post(url(contract, "/1/approve"), headers=provider, json={})).status_code == 403
    assert (await client.post(url(contract, "/1/approve"), headers=finance, json={})).status_code == 403
    assert (await client.post(url(contract, "/1/approve"), headers=officer, json={})).status_code == 200
    body = {"voucher_no": "GK-1"}
    assert (await client.post(url(contract, "/1/release"), headers=officer, json=body)).status_code == 403
    assert (await client.post(url(contract, "/1/release"), headers=provider, json=body)).status_code == 403
    bad = await client.post(url(contract, "/1/release"), headers=finance, json={"voucher_no": " "})
    assert bad.status_code == 400
    # A gate not met: nothing to request.
    assert (await client.post(url(contract, "/2/request"), headers=provider, json={})).status_code == 409
    assert (await client.post(url(contract, "/9/request"), headers=provider, json={})).status_code == 404


async def test_a_passed_midterm_makes_the_second_installment_due_and_a_failed_one_withholds_it(client):
    contract, officer, provider = await active_contract(client)
    await activated(contract)
    await evaluated(contract, "midterm", "fail", 550)
    second = item(await schedule(client, officer, contract), 2)
    assert second["status"] == "withheld" and "中期评估不合格" in second["withheld_reason"]
    assert second["assessment_id"] == 1  # the evaluation whose report the bureau reads beside the payment
    await evaluated(contract, "spot", "excellent", 950, assessment_id=2)
    assert item(await schedule(client, officer, contract), 2)["status"] == "withheld"
    await evaluated(contract, "midterm", "good", 850, assessment_id=3)  # re-evaluation after 整改
    ledger = await schedule(client, officer, contract)
    assert item(ledger, 2)["status"] == "due" and item(ledger, 2)["withheld_reason"] == ""
    assert item(ledger, 2)["assessment_id"] == 3 and item(ledger, 1)["assessment_id"] is None
    assert item(ledger, 3)["status"] == "waiting"
    await evaluated(contract, "final", "pass", 700, assessment_id=4)
    assert item(await schedule(client, officer, contract), 3)["status"] == "due"


async def test_a_failed_final_withholds_the_final_installment(client):
    contract, officer, _provider = await active_contract(client)
    await activated(contract)
    await evaluated(contract, "final", "fail", 400)
    assert item(await schedule(client, officer, contract), 3)["status"] == "withheld"


async def test_the_final_installment_scaled_by_the_score_when_set(client, settings_override):
    settings_override.payment_final_scaled_by_score = True
    contract, officer, _provider = await active_contract(client)
    await activated(contract)
    await evaluated(contract, "final", "good", 855)
    third = item(await schedule(client, officer, contract), 3)
    assert third["status"] == "due" and third["payable_fen"] == third["amount_fen"] * 855 // 1000


async def test_the_system_requests_when_the_provider_need_not(client, settings_override):
    settings_override.payment_provider_requests = False
    contract, officer, _provider = await active_contract(client)
    await activated(contract)
    first = item(await schedule(client, officer, contract), 1)
    assert first["status"] == "requested" and first["actions"] == ["approve"]


async def test_a_second_finance_approval_when_the_setting_asks(client, settings_override):
    settings_override.payment_second_approval = True
    contract, officer, provider = await active_contract(client)
    finance = await api_login(client, "finance")
    await activated(contract)
    early = await pay(client, officer, provider, finance, contract, 1, "GK-9")
    assert early.status_code == 409
    listed = item(await schedule(client, finance, contract), 1)
    assert listed["status"] == "approved" and listed["actions"] == ["check"]


@pytest.mark.parametrize(("by_kind", "late_after"), [({}, 30), ({"social_org": 45}, 45)])
async def test_the_deadline_is_flagged_late_on_day_31_not_day_30(client, settings_override, by_kind, late_after):
    settings_override.payment_days_by_kind = by_kind
    contract, officer, _provider = await active_contract(client)
    await activated(contract)
    first = item(await schedule(client, officer, contract), 1)
    due_on = clock.today_local()
    assert first["deadline_on"] == (due_on + timedelta(days=late_after)).isoformat()
    start = clock.now()
    where = (InstallmentPayment.contract == contract["id"]) & (InstallmentPayment.seq == 1)
    with clock.frozen(start + timedelta(days=late_after)):
        await payments_due.run_due_payments()
    assert (await InstallmentPayment.select(InstallmentPayment.late_at).where(where).first())["late_at"] is None
    with clock.frozen(start + timedelta(days=late_after + 1)):
        await payments_due.run_due_payments()
        await payments_due.run_due_payments()
    assert (await InstallmentPayment.select(InstallmentPayment.late_at).where(where).first())["late_at"] is not None
    rows = await AuditEvent.count().where(AuditEvent.action == "installment_payment.late")
    assert rows == 1


async def test_the_total_released_never_passes_the_contract_amount_even_past_the_code(client):
    """Invariant 7 by the database: with the ledger already at the cap, a release is
    refused and nothing of it is written."""
    contract, officer, provider = await active_contract(client)
    finance = await api_login(client, "finance")
    await activated(contract)
    await PaymentLedger.update({PaymentLedger.released_fen: contract["amount_fen"] - 1}).where(
        PaymentLedger.contract == contract["id"]
    )
    refused = await pay(client, officer, provider, finance, contract, 1, "GK-CAP")
    assert refused.status_code in (409, 422)
    row = (
        await InstallmentPayment.select()
        .where((InstallmentPayment.contract == contract["id"]) & (InstallmentPayment.seq == 1))
        .first()
    )
    assert row["status"] == "approved" and row["voucher_no"] is None
    ledger = await PaymentLedger.select().where(PaymentLedger.contract == contract["id"]).first()
    assert ledger["released_fen"] == contract["amount_fen"] - 1


async def test_a_supplementary_contract_raises_what_the_later_installments_pay(client):
    contract, officer, provider = await active_contract(client)
    finance = await api_login(client, "finance")
    await activated(contract)
    assert (await pay(client, officer, provider, finance, contract, 1, "GK-S1")).status_code == 200
    assert not await payment_services.settled(contract["id"])
    new_amount = contract["amount_fen"] + contract["amount_fen"] // 10
    done = await supplement(client, officer, provider, contract, new_amount)
    assert done.status_code == 200, done.text
    ledger = await schedule(client, officer, contract)
    assert ledger["cap_fen"] == new_amount and item(ledger, 1)["status"] == "released"
    await evaluated(contract, "midterm", "pass", 700)
    await evaluated(contract, "final", "pass", 700, assessment_id=2)
    for seq in (2, 3):
        assert (await pay(client, officer, provider, finance, contract, seq, f"GK-S{seq}")).status_code == 200
    ledger = await schedule(client, officer, contract)
    paid = sum(i["released_fen"] for i in ledger["installments"])
    assert paid == ledger["released_fen"] <= new_amount
    assert await payment_services.settled(contract["id"])


async def test_termination_releases_nothing_beyond_the_settlement(client):
    contract, officer, provider = await active_contract(client)
    finance = await api_login(client, "finance")
    await activated(contract)
    assert (await pay(client, officer, provider, finance, contract, 1, "GK-T1")).status_code == 200
    await evaluated(contract, "midterm", "pass", 700)
    assert (await client.post(url(contract, "/2/request"), headers=provider, json={})).status_code == 200
    assert (await client.post(url(contract, "/2/approve"), headers=officer, json={})).status_code == 200
    paid = (await schedule(client, officer, contract))["released_fen"]
    body = {"ground": "consent", "reason": "双方协商一致解除合同。", "settlement_fen": 100}
    ended = await client.post(f"/api/v1/contracts/{contract['id']}/terminate", headers=officer, json=body)
    assert ended.status_code == 200, ended.text
    ledger = await schedule(client, officer, contract)
    assert ledger["cap_fen"] == paid + 100
    refused = await client.post(url(contract, "/2/release"), headers=finance, json={"voucher_no": "GK-T2"})
    assert refused.status_code in (409, 422)
    assert (await schedule(client, officer, contract))["released_fen"] == paid


async def test_fifty_concurrent_releases_of_one_installment_release_it_once(client):
    contract, officer, provider = await active_contract(client)
    finance = await api_login(client, "finance")
    await activated(contract)
    assert (await client.post(url(contract, "/1/request"), headers=provider, json={})).status_code == 200
    assert (await client.post(url(contract, "/1/approve"), headers=officer, json={})).status_code == 200
    responses = await asyncio.gather(
        *[
            client.post(url(contract, "/1/release"), headers=finance, json={"voucher_no": f"GK-C{n:02d}"})
            for n in range(50)
        ]
    )
    codes = [r.status_code for r in responses]
    assert codes.count(200) == 1, codes
    assert set(codes) <= {200, 409}
    amount = item((await schedule(client, officer, contract)), 1)["amount_fen"]
    ledger = await PaymentLedger.select().where(PaymentLedger.contract == contract["id"]).first()
    assert ledger["released_fen"] == amount
    assert await InstallmentPayment.count().where(InstallmentPayment.voucher_no.is_not_null()) == 1


async def test_the_voucher_pdf_embeds_a_cjk_font_and_the_ledger_exports(client):
    contract, officer, provider = await active_contract(client)
    finance = await api_login(client, "finance")
    await activated(contract)
    assert (await client.get(url(contract, "/1/voucher"), headers=officer)).status_code == 409
    assert (await pay(client, officer, provider, finance, contract, 1, "GK-PDF-1")).status_code == 200
    pdf = await client.get(url(contract, "/1/voucher"), headers=provider)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("CJK" in f for f in fonts), fonts
    assert "GK-PDF-1" in reader.pages[0].extract_text()
    csv_out = await client.get(url(contract, "/ledger"), headers=finance)
    assert csv_out.status_code == 200
    text = csv_out.content.decode("utf-8-sig")
    assert "凭证号" in text and "GK-PDF-1" in text and text.count("\n") == 4
    xlsx = await client.get(url(contract, "/ledger?format=xlsx"), headers=officer)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert (await client.get(url(contract, "/ledger"), headers=provider)).status_code == 403
    assert (await client.get(url(contract, "/ledger?format=pdf"), headers=officer)).status_code == 400


# --------------------------------------------------------------------------- the pages


async def switch(client, username: str) -> None:
    await client.post("/logout")
    client.cookies.clear()
    await page_login(client, username)


async def test_the_payments_page_and_the_finance_queue_take_an_installment_to_released(client):
    contract, _officer, _provider = await active_contract(client)
    await activated(contract)
    page_url = f"/contracts/{contract['id']}/payments"
    await page_login(client, "xingfujia")
    shown = await client.get(page_url)
    assert shown.status_code == 200, shown.text
    assert "申请拨付" in shown.text and "剩余 30 天" in shown.text
    assert (await post_form(client, page_url, f"{page_url}/1/request", {})).status_code in (200, 303)
    await switch(client, "officer")
    assert "审核通过" in (await client.get(page_url)).text
    assert (await post_form(client, page_url, f"{page_url}/1/approve", {})).status_code in (200, 303)
    await switch(client, "finance")
    queue = await client.get("/bureau/payments")
    assert queue.status_code == 200 and contract["number"] in queue.text and "剩余 30 天" in queue.text
    empty = await post_form(client, page_url, f"{page_url}/1/release", {"voucher_no": ""})
    assert empty.status_code == 422
    done = await post_form(client, page_url, f"{page_url}/1/release", {"voucher_no": "GK-PAGE-1"})
    assert done.status_code in (200, 303)
    shown = await client.get(page_url)
    assert "GK-PAGE-1" in shown.text and "拨付单" in shown.text
    assert contract["number"] not in (await client.get("/bureau/payments")).text
    await switch(client, "yangguang")
    assert (await client.get(page_url)).status_code == 404


async def test_a_contract_may_agree_a_payment_term_of_at_most_60_days(client):
    contract, officer, provider = await active_contract(client)
    term = url(contract, "/term")
    assert (await client.put(term, headers=provider, json={"days": 60})).status_code == 403
    assert (await client.put(term, headers=officer, json={"days": 61})).status_code == 400
    agreed = await client.put(term, headers=officer, json={"days": 60})
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["agreed_days"] == 60 and agreed.json()["payment_days"] == 60
    # Signing made the first installment due before the term was recorded: its running
    # deadline stays (30 days); the installment that falls due next takes the agreed 60.
    await activated(contract)
    first = item(await schedule(client, officer, contract), 1)
    assert first["deadline_on"] == (clock.today_local() + timedelta(days=30)).isoformat()
    await evaluated(contract, "midterm", "good")
    second = item(await schedule(client, officer, contract), 2)
    assert second["deadline_on"] == (clock.today_local() + timedelta(days=60)).isoformat(), second
    cleared = await client.put(term, headers=officer, json={"days": None})
    assert cleared.json()["agreed_days"] is None and cleared.json()["payment_days"] == 30
    assert await AuditEvent.count().where(AuditEvent.action == "contract.payment_term") == 2
