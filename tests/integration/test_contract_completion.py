"""Ending a contract with the payments and evaluations in view (issue 14 §4; rules 28,
33, 35; invariant 7): the termination settlement is bounded by what the payments ledger
has not yet released, and completion waits for the final evaluation's grade and every
installment released. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

from contracts.lifecycle.tables import Contract
from procurement.core.tables import InboxItem
from tests.integration.conftest import api_login
from tests.integration.test_assessments import all_scores, evaluate, self_assessed
from tests.integration.test_contract_payments import activated, evaluated, pay, schedule


def chinese(response) -> str:
    body = response.json()
    return " ".join(str(v) for v in [body.get("detail", ""), *(body.get("errors") or {}).values()])


async def test_the_termination_settlement_may_cover_only_what_the_ledger_has_not_released(client):
    contract, officer, provider, _final = await self_assessed(client, stage="final")
    finance = await api_login(client, "finance")
    await activated(contract)
    assert (await pay(client, officer, provider, finance, contract, 1, "GK-E1")).status_code == 200
    paid = (await schedule(client, officer, contract))["released_fen"]
    assert paid > 0
    remaining = contract["amount_fen"] - paid
    url = f"/api/v1/contracts/{contract['id']}/terminate"
    body = {"ground": "consent", "reason": "双方协商一致解除合同。"}
    over = await client.post(url, headers=officer, json={**body, "settlement_fen": remaining + 1})
    assert over.status_code == 422 and "未付余额" in over.text
    assert (await Contract.select(Contract.status).where(Contract.id == contract["id"]).first())["status"] == "active"
    done = await client.post(url, headers=officer, json={**body, "settlement_fen": remaining})
    assert done.status_code == 200, done.text
    assert done.json()["settlement_fen"] == remaining


async def test_completion_waits_for_the_graded_final_evaluation_and_every_installment_released(client):
    contract, officer, provider, final = await self_assessed(client, stage="final")
    finance = await api_login(client, "finance")
    evaluator = await api_login(client, "pinggu")
    url = f"/api/v1/contracts/{contract['id']}/complete"
    await activated(contract)

    early = await client.post(url, headers=officer)
    assert early.status_code == 409
    assert "终期评估尚未完成" in early.text and "款项尚未全部拨付" in early.text
    assert (await client.post(url, headers=provider)).status_code == 403

    graded = await evaluate(client, contract, final, evaluator, all_scores(final, 95))
    assert graded.status_code == 200, graded.text
    assert graded.json()["status"] == "finished" and graded.json()["grade"] == "excellent"
    unpaid = await client.post(url, headers=officer)
    assert unpaid.status_code == 409
    assert "终期评估尚未完成" not in unpaid.text and "款项尚未全部拨付" in unpaid.text

    await evaluated(contract, "midterm", "good", 850, assessment_id=final["id"] + 1000)
    ledger = await schedule(client, officer, contract)
    for installment in ledger["installments"]:
        released = await pay(
            client, officer, provider, finance, contract, installment["seq"], f"GK-C{installment['seq']}"
        )
        assert released.status_code == 200, released.text
    done = await client.post(url, headers=officer)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert await InboxItem.count().where(InboxItem.title.like("合同履行完毕%")) >= 1
    again = await client.post(url, headers=officer)
    assert again.status_code == 409


async def test_the_performance_bond_is_returned_once_by_the_buyers_finance_after_the_contract_ends(client):
    """Rule 29: the bond (≤ 10 %) is returned after the contract ends: due 5 working days after,
    recorded once by the buyer's finance with a voucher number; not before the end, not by others."""
    from datetime import date

    from procurement.core import clock
    from procurement.core.calendar import get_default_calendar

    contract, officer, provider, _final = await self_assessed(client, stage="final")
    finance = await api_login(client, "finance")
    bond = contract["amount_fen"] // 20
    await Contract.update({Contract.performance_bond_fen: bond}).where(Contract.id == contract["id"])
    refund = f"/api/v1/contracts/{contract['id']}/performance-bond/refund"
    early = await client.post(refund, headers=finance, json={"voucher_no": "TB-2026-001"})
    assert early.status_code == 409 and "履行完毕或解除后" in chinese(early)
    ended = await client.post(
        f"/api/v1/contracts/{contract['id']}/terminate",
        headers=officer,
        json={"ground": "consent", "reason": "双方协商一致解除合同。", "settlement_fen": 0},
    )
    assert ended.status_code == 200, ended.text
    due = get_default_calendar().add_working_days(clock.today_local(), 5)
    assert date.fromisoformat(ended.json()["bond_refund_due_on"]) == due
    assert ended.json()["bond_refunded_at"] is None and ended.json()["bond_refund_overdue"] is False
    seen = (await client.get(f"/api/v1/contracts/{contract['id']}", headers=finance)).json()
    assert "refund_bond" in seen["allowed_actions"]
    assert (await client.post(refund, headers=officer, json={"voucher_no": "TB-2026-001"})).status_code == 403
    assert (await client.post(refund, headers=provider, json={"voucher_no": "TB-2026-001"})).status_code == 403
    blank = await client.post(refund, headers=finance, json={"voucher_no": ""})
    assert blank.status_code in (400, 422)
    done = await client.post(refund, headers=finance, json={"voucher_no": "TB-2026-001"})
    assert done.status_code == 200, done.text
    assert done.json()["bond_refund_voucher"] == "TB-2026-001" and done.json()["bond_refunded_at"] is not None
    assert "refund_bond" not in done.json()["allowed_actions"]
    again = await client.post(refund, headers=finance, json={"voucher_no": "TB-2026-002"})
    assert again.status_code == 409 and "不能重复登记" in chinese(again)
    assert await InboxItem.count().where(InboxItem.title.like("履约保证金已退还%")) >= 1


async def test_a_contract_without_a_bond_has_nothing_to_return(client):
    contract, officer, _provider, _final = await self_assessed(client, stage="final")
    finance = await api_login(client, "finance")
    ended = await client.post(
        f"/api/v1/contracts/{contract['id']}/terminate",
        headers=officer,
        json={"ground": "consent", "reason": "双方协商一致解除合同。", "settlement_fen": 0},
    )
    assert ended.status_code == 200 and ended.json()["bond_refund_due_on"] is None
    none = await client.post(
        f"/api/v1/contracts/{contract['id']}/performance-bond/refund", headers=finance, json={"voucher_no": "TB-1"}
    )
    assert none.status_code == 409 and "未收取履约保证金" in chinese(none)


async def test_finance_records_the_bond_refund_on_the_contract_page(client):
    from tests.integration.conftest import page_login, post_form

    contract, officer, _provider, _final = await self_assessed(client, stage="final")
    await Contract.update({Contract.performance_bond_fen: 100_000}).where(Contract.id == contract["id"])
    ended = await client.post(
        f"/api/v1/contracts/{contract['id']}/terminate",
        headers=officer,
        json={"ground": "consent", "reason": "双方协商一致解除合同。", "settlement_fen": 0},
    )
    assert ended.status_code == 200, ended.text
    await page_login(client, "finance")
    page_url = f"/contracts/{contract['id']}"
    shown = await client.get(page_url)
    assert "登记退还履约保证金" in shown.text and "前退还" in shown.text
    blank = await post_form(client, page_url, f"{page_url}/performance-bond/refund", {"voucher_no": ""})
    assert blank.status_code in (200, 400, 422) and "凭证号" in blank.text
    done = await post_form(client, page_url, f"{page_url}/performance-bond/refund", {"voucher_no": "TB-2026-009"})
    assert done.status_code in (200, 303), done.text
    after = (await client.get(page_url)).text
    assert "已退还（凭证号 TB-2026-009）" in after and 'id="bond-refund"' not in after


async def test_a_performance_bond_not_returned_in_time_is_flagged_once_by_the_sweep(client):
    """Issue 15 §1, rule 29: the contract's sweep flags a bond not back by its day once, with
    an audit row standing for the day's end and one message to the buyer; a returned bond is not."""
    from datetime import timedelta

    from contracts.lifecycle import signing
    from procurement.core import audit, clock
    from procurement.core.tables import AuditEvent

    contract, officer, _provider, _final = await self_assessed(client, stage="final")
    bond = contract["amount_fen"] // 20
    await Contract.update({Contract.performance_bond_fen: bond}).where(Contract.id == contract["id"])
    ended = await client.post(
        f"/api/v1/contracts/{contract['id']}/terminate",
        headers=officer,
        json={"ground": "consent", "reason": "双方协商一致解除合同。", "settlement_fen": 0},
    )
    assert ended.status_code == 200, ended.text
    flagged = (AuditEvent.action == "contract.bond_refund_overdue") & (AuditEvent.entity_id == str(contract["id"]))
    with clock.frozen(clock.now() + timedelta(days=3)):  # not yet due
        await signing.run_due_contracts()
    assert await AuditEvent.count().where(flagged) == 0
    with clock.frozen(clock.now() + timedelta(days=30)):
        await signing.run_due_contracts()
        await signing.run_due_contracts()
    [row] = await AuditEvent.select().where(flagged)
    assert audit.DUE_AT in row["after"]
    assert await InboxItem.count().where(InboxItem.title.like("履约保证金逾期未退%")) >= 1
    titles = await InboxItem.select(InboxItem.recipient, InboxItem.title).where(
        InboxItem.title.like("履约保证金逾期未退%")
    )
    assert len(titles) == len({t["recipient"] for t in titles})  # one message per person


async def test_a_performance_bond_returned_in_time_is_not_flagged(client):
    from datetime import timedelta

    from contracts.lifecycle import signing
    from procurement.core import clock
    from procurement.core.tables import AuditEvent

    contract, officer, _provider, _final = await self_assessed(client, stage="final")
    await Contract.update({Contract.performance_bond_fen: contract["amount_fen"] // 20}).where(
        Contract.id == contract["id"]
    )
    ended = await client.post(
        f"/api/v1/contracts/{contract['id']}/terminate",
        headers=officer,
        json={"ground": "consent", "reason": "双方协商一致解除合同。", "settlement_fen": 0},
    )
    assert ended.status_code == 200, ended.text
    finance = await api_login(client, "finance")
    refund = f"/api/v1/contracts/{contract['id']}/performance-bond/refund"
    assert (await client.post(refund, headers=finance, json={"voucher_no": "TB-9"})).status_code == 200
    with clock.frozen(clock.now() + timedelta(days=30)):
        await signing.run_due_contracts()
    assert await AuditEvent.count().where(AuditEvent.action == "contract.bond_refund_overdue") == 0
